//! Value functions: a criterion's raw measurement (metres, MW, vehicles/day) → 0..1.

use serde::Serialize;

/// How a raw value becomes a normalized value in 0..1.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ValueFunction {
    /// Piecewise linear through (raw, value) breakpoints with ascending raw values;
    /// flat beyond the first and last.
    Linear { points: Vec<(f64, f64)> },
    /// The value of the last breakpoint at or below the raw value; the first
    /// breakpoint's value below it.
    Step { points: Vec<(f64, f64)> },
    /// 0 at or below `min`, 1 at or above `max`, logarithmic between (for quantities
    /// whose first units matter most, like free MW). `invert` turns it around.
    Log { min: f64, max: f64, invert: bool },
    /// 0 at or below `range[0]`, rising to 1 at `range[1]`, 1 up to `range[2]`, falling
    /// to 0 at `range[3]` and above.
    Ideal { range: [f64; 4] },
}

/// A value function that cannot be built, with the offending part named.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValueFunctionError {
    #[error("needs at least one breakpoint")]
    NoPoints,
    #[error("breakpoint raw values must ascend, but {0} comes before {1}")]
    Order(f64, f64),
    #[error("values must lie in 0..1, but a breakpoint has {0}")]
    ValueRange(f64),
    #[error("min ({0}) must be positive and below max ({1})")]
    LogBounds(f64, f64),
    #[error("range values must ascend, but {0} comes before {1}")]
    RangeOrder(f64, f64),
    #[error("a value is not a finite number")]
    NotFinite,
}

impl ValueFunction {
    /// Check the thresholds: ascending, finite, values in 0..1.
    pub fn validate(&self) -> Result<(), ValueFunctionError> {
        match self {
            ValueFunction::Linear { points } | ValueFunction::Step { points } => {
                if points.is_empty() {
                    return Err(ValueFunctionError::NoPoints);
                }
                for &(x, v) in points {
                    if !x.is_finite() || !v.is_finite() {
                        return Err(ValueFunctionError::NotFinite);
                    }
                    if !(0.0..=1.0).contains(&v) {
                        return Err(ValueFunctionError::ValueRange(v));
                    }
                }
                for w in points.windows(2) {
                    if w[1].0 < w[0].0 {
                        return Err(ValueFunctionError::Order(w[0].0, w[1].0));
                    }
                }
                Ok(())
            }
            ValueFunction::Log { min, max, .. } => {
                if !min.is_finite() || !max.is_finite() {
                    return Err(ValueFunctionError::NotFinite);
                }
                if *min <= 0.0 || min >= max {
                    return Err(ValueFunctionError::LogBounds(*min, *max));
                }
                Ok(())
            }
            ValueFunction::Ideal { range } => {
                if range.iter().any(|v| !v.is_finite()) {
                    return Err(ValueFunctionError::NotFinite);
                }
                for w in range.windows(2) {
                    if w[1] < w[0] {
                        return Err(ValueFunctionError::RangeOrder(w[0], w[1]));
                    }
                }
                Ok(())
            }
        }
    }

    /// The normalized value of `raw`, in 0..1. NaN stays NaN (a missing measurement).
    ///
    /// ```
    /// use energistasjon::domain::value_function::ValueFunction;
    /// // Full value up to 500 m from the road, none from 3 km: 1 000 m gives 0.8.
    /// let f = ValueFunction::Linear { points: vec![(500.0, 1.0), (3000.0, 0.0)] };
    /// assert!((f.eval(1000.0) - 0.8).abs() < 1e-12);
    /// ```
    pub fn eval(&self, raw: f64) -> f64 {
        if raw.is_nan() {
            return f64::NAN;
        }
        match self {
            ValueFunction::Linear { points } => {
                let (x0, v0) = points[0];
                if raw <= x0 {
                    return v0;
                }
                for w in points.windows(2) {
                    let ((xa, va), (xb, vb)) = (w[0], w[1]);
                    if raw <= xb {
                        if xb == xa {
                            return vb;
                        }
                        return va + (vb - va) * (raw - xa) / (xb - xa);
                    }
                }
                points[points.len() - 1].1
            }
            ValueFunction::Step { points } => {
                points
                    .iter()
                    .rev()
                    .find(|(x, _)| raw >= *x)
                    .unwrap_or(&points[0])
                    .1
            }
            ValueFunction::Log { min, max, invert } => {
                let v = if raw <= *min {
                    0.0
                } else if raw >= *max {
                    1.0
                } else {
                    (raw / min).ln() / (max / min).ln()
                };
                if *invert {
                    1.0 - v
                } else {
                    v
                }
            }
            ValueFunction::Ideal {
                range: [a, b, c, d],
            } => {
                if raw <= *a || raw >= *d {
                    // A degenerate side (a == b) keeps the plateau's edge at 1.
                    if (raw == *a && a == b) || (raw == *d && c == d) {
                        1.0
                    } else {
                        0.0
                    }
                } else if raw < *b {
                    (raw - a) / (b - a)
                } else if raw <= *c {
                    1.0
                } else {
                    (d - raw) / (d - c)
                }
            }
        }
    }

    /// A few words for the breakdown: "linear 500 m → 1, 3000 m → 0".
    pub fn describe(&self, unit: &str) -> String {
        let pts = |points: &[(f64, f64)]| {
            points
                .iter()
                .map(|(x, v)| format!("{x} {unit} → {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            ValueFunction::Linear { points } => format!("linear: {}", pts(points)),
            ValueFunction::Step { points } => format!("step: {}", pts(points)),
            ValueFunction::Log { min, max, invert } => format!(
                "log: {min} {unit} → {}, {max} {unit} → {}",
                u8::from(*invert),
                u8::from(!*invert)
            ),
            ValueFunction::Ideal {
                range: [a, b, c, d],
            } => {
                format!("ideal range: 0 at {a}, 1 from {b} to {c}, 0 at {d} {unit}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    }

    #[test]
    fn linear_interpolates_between_breakpoints_by_hand() {
        // 1 up to 500 m, 0 from 3000 m: at 1000 m, (3000 - 1000) / 2500 = 0.8.
        let f = ValueFunction::Linear {
            points: vec![(500.0, 1.0), (3000.0, 0.0)],
        };
        close(f.eval(0.0), 1.0);
        close(f.eval(500.0), 1.0);
        close(f.eval(1000.0), 0.8);
        close(f.eval(1750.0), 0.5);
        close(f.eval(3000.0), 0.0);
        close(f.eval(9000.0), 0.0);
        assert!(f.eval(f64::NAN).is_nan());
    }

    #[test]
    fn linear_with_three_breakpoints_follows_each_piece() {
        let f = ValueFunction::Linear {
            points: vec![(0.0, 0.0), (10.0, 1.0), (20.0, 0.5)],
        };
        close(f.eval(5.0), 0.5);
        close(f.eval(15.0), 0.75);
    }

    #[test]
    fn step_takes_the_last_threshold_reached() {
        let f = ValueFunction::Step {
            points: vec![(0.0, 1.0), (1000.0, 0.6), (3000.0, 0.0)],
        };
        close(f.eval(-5.0), 1.0);
        close(f.eval(999.9), 1.0);
        close(f.eval(1000.0), 0.6);
        close(f.eval(2999.0), 0.6);
        close(f.eval(3000.0), 0.0);
    }

    #[test]
    fn log_gives_half_at_the_geometric_mean() {
        // ln(2/1) / ln(4/1) = 0.5; sqrt(1 * 40) ≈ 6.3246 gives 0.5 too.
        let f = ValueFunction::Log {
            min: 1.0,
            max: 4.0,
            invert: false,
        };
        close(f.eval(2.0), 0.5);
        close(f.eval(0.5), 0.0);
        close(f.eval(8.0), 1.0);
        let g = ValueFunction::Log {
            min: 1.0,
            max: 40.0,
            invert: false,
        };
        close(g.eval(40f64.sqrt()), 0.5);
        let inv = ValueFunction::Log {
            min: 1.0,
            max: 4.0,
            invert: true,
        };
        close(inv.eval(2.0), 0.5);
        close(inv.eval(8.0), 0.0);
    }

    #[test]
    fn ideal_range_rises_holds_and_falls() {
        let f = ValueFunction::Ideal {
            range: [1.0, 3.0, 10.0, 20.0],
        };
        close(f.eval(1.0), 0.0);
        close(f.eval(2.0), 0.5);
        close(f.eval(3.0), 1.0);
        close(f.eval(10.0), 1.0);
        close(f.eval(15.0), 0.5);
        close(f.eval(25.0), 0.0);
    }

    #[test]
    fn thresholds_in_the_wrong_order_are_rejected() {
        let f = ValueFunction::Linear {
            points: vec![(3000.0, 0.0), (500.0, 1.0)],
        };
        assert_eq!(f.validate(), Err(ValueFunctionError::Order(3000.0, 500.0)));
        let g = ValueFunction::Ideal {
            range: [1.0, 5.0, 3.0, 9.0],
        };
        assert_eq!(g.validate(), Err(ValueFunctionError::RangeOrder(5.0, 3.0)));
        let h = ValueFunction::Log {
            min: 10.0,
            max: 1.0,
            invert: false,
        };
        assert!(h.validate().is_err());
        let v = ValueFunction::Step {
            points: vec![(0.0, 1.5)],
        };
        assert_eq!(v.validate(), Err(ValueFunctionError::ValueRange(1.5)));
    }
}
