//! The M/M/c queue with Erlang C: how many chargers (or dispensers) keep the wait short.
//! Arrivals are Poisson at λ per hour, service times exponential with mean `service_min`,
//! and c servers share one queue.

/// The answer for one queue.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Queue {
    pub arrivals_per_hour: f64,
    pub service_minutes: f64,
    /// Servers (chargers, dispensers).
    pub chargers: u32,
    /// Offered load a = λ / μ, in Erlangs.
    pub load_erlangs: f64,
    /// Utilisation ρ = a / c.
    pub utilisation: f64,
    /// Erlang C: the probability that an arrival has to wait at all.
    pub erlang_c: f64,
    /// P(wait > the target wait).
    pub p_wait_longer: f64,
    /// Mean wait in minutes.
    pub mean_wait_minutes: f64,
}

/// Erlang C for c servers and offered load a (Erlangs): 1 when a ≥ c (the queue grows
/// without bound). Computed through the Erlang B recursion, which stays stable for large c.
pub fn erlang_c(c: u32, a: f64) -> f64 {
    if c == 0 || a >= c as f64 {
        return 1.0;
    }
    if a <= 0.0 {
        return 0.0;
    }
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (k as f64 + a * b);
    }
    let c = c as f64;
    c * b / (c - a * (1.0 - b))
}

/// The queue with `c` servers.
pub fn with_servers(
    arrivals_per_hour: f64,
    service_minutes: f64,
    c: u32,
    max_wait_minutes: f64,
) -> Queue {
    let mu = 60.0 / service_minutes;
    let a = arrivals_per_hour / mu;
    let pc = erlang_c(c, a);
    let stable = (c as f64) > a;
    let (p_longer, mean_wait) = if arrivals_per_hour <= 0.0 {
        (0.0, 0.0)
    } else if stable {
        let rate = c as f64 * mu - arrivals_per_hour; // per hour
        (
            pc * (-rate * max_wait_minutes / 60.0).exp(),
            pc / rate * 60.0,
        )
    } else {
        (1.0, f64::INFINITY)
    };
    Queue {
        arrivals_per_hour,
        service_minutes,
        chargers: c,
        load_erlangs: a,
        utilisation: if c == 0 { f64::INFINITY } else { a / c as f64 },
        erlang_c: pc,
        p_wait_longer: p_longer,
        mean_wait_minutes: mean_wait,
    }
}

/// Errors in the queue's inputs.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum QueueError {
    #[error("{name} must be a number above 0, not {value}")]
    NotPositive { name: &'static str, value: f64 },
    #[error("{name} must be between 0 and 1 (exclusive), not {value}")]
    NotProbability { name: &'static str, value: f64 },
    #[error("{name} must be 0 or more, not {value}")]
    Negative { name: &'static str, value: f64 },
}

/// The fewest servers (at least one) with P(wait > `max_wait_minutes`) ≤ `max_probability`.
pub fn size(
    arrivals_per_hour: f64,
    service_minutes: f64,
    max_wait_minutes: f64,
    max_probability: f64,
) -> Result<Queue, QueueError> {
    if !(arrivals_per_hour.is_finite() && arrivals_per_hour >= 0.0) {
        return Err(QueueError::Negative {
            name: "arrivals per hour",
            value: arrivals_per_hour,
        });
    }
    if !(service_minutes.is_finite() && service_minutes > 0.0) {
        return Err(QueueError::NotPositive {
            name: "service minutes",
            value: service_minutes,
        });
    }
    if !(max_wait_minutes.is_finite() && max_wait_minutes >= 0.0) {
        return Err(QueueError::Negative {
            name: "max wait minutes",
            value: max_wait_minutes,
        });
    }
    if !(max_probability > 0.0 && max_probability < 1.0) {
        return Err(QueueError::NotProbability {
            name: "max wait probability",
            value: max_probability,
        });
    }
    let a = arrivals_per_hour * service_minutes / 60.0;
    // Stability needs c > a; from there P(wait > t) falls with every server added.
    let mut c = (a.floor() as u32 + 1).max(1);
    loop {
        let q = with_servers(arrivals_per_hour, service_minutes, c, max_wait_minutes);
        if q.p_wait_longer <= max_probability {
            return Ok(q);
        }
        c += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference values from the textbook formula with factorials, evaluated exactly in
    /// Python's `fractions` (not this code): C(c, a) = (a^c/c!)(c/(c−a)) /
    /// (Σ_{k<c} a^k/k! + (a^c/c!)(c/(c−a))).
    #[test]
    fn erlang_c_matches_the_factorial_formula_to_1e_6() {
        let cases = [
            (1, 0.5, 0.5),
            (2, 1.0, 1.0 / 3.0),
            (3, 2.0, 4.0 / 9.0),
            (5, 3.0, 0.236_151_603_498_542_3),
            (10, 8.0, 0.409_180_150_796_443_5),
            (20, 15.0, 0.160_429_387_416_923_6),
            (50, 45.0, 0.363_864_467_206_988_4),
        ];
        for (c, a, want) in cases {
            let got = erlang_c(c, a);
            assert!(
                (got - want).abs() < 1e-6,
                "C({c}, {a}) = {got}, want {want}"
            );
        }
    }

    #[test]
    fn an_overloaded_queue_always_waits() {
        assert_eq!(erlang_c(2, 2.0), 1.0);
        assert_eq!(erlang_c(2, 3.5), 1.0);
        assert_eq!(erlang_c(3, 0.0), 0.0);
    }

    #[test]
    fn sizing_picks_the_fewest_chargers_that_meet_the_service_level() {
        // 6 trucks an hour, 30 minutes each: a = 3 Erlangs.
        let q = size(6.0, 30.0, 10.0, 0.05).unwrap();
        let fewer = with_servers(6.0, 30.0, q.chargers - 1, 10.0);
        assert!(q.p_wait_longer <= 0.05, "{q:?}");
        assert!(fewer.p_wait_longer > 0.05, "{fewer:?}");
        assert_eq!(q.chargers, 6);
        assert_eq!(size(0.0, 30.0, 10.0, 0.05).unwrap().chargers, 1);
    }

    #[test]
    fn bad_queue_inputs_are_named() {
        assert!(size(-1.0, 30.0, 10.0, 0.05)
            .unwrap_err()
            .to_string()
            .contains("arrivals per hour"));
        assert!(size(1.0, 0.0, 10.0, 0.05)
            .unwrap_err()
            .to_string()
            .contains("service minutes"));
        assert!(size(1.0, 30.0, 10.0, 1.5)
            .unwrap_err()
            .to_string()
            .contains("max wait probability"));
    }

    proptest::proptest! {
        #[test]
        fn another_charger_never_raises_the_waiting_probability(
            a in 0.01f64..60.0, c in 1u32..80, wait in 0.0f64..60.0, service in 1.0f64..90.0
        ) {
            let lambda = a * 60.0 / service;
            let p = with_servers(lambda, service, c, wait);
            let q = with_servers(lambda, service, c + 1, wait);
            proptest::prop_assert!(q.erlang_c <= p.erlang_c + 1e-12, "{p:?} {q:?}");
            proptest::prop_assert!(q.p_wait_longer <= p.p_wait_longer + 1e-12, "{p:?} {q:?}");
        }
    }
}
