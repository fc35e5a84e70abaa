//! Demand scenarios (`data/scenarios/*.toml`): per year the zero-emission share of heavy
//! vehicle-km per fuel, and per station type how trucks stop, charge or fill, and how much
//! land and power a bay takes. Every figure carries its source or is marked an assumption.

use std::collections::BTreeMap;
use std::ops::Range;

use super::toml_file::Source;
use serde::{Deserialize, Serialize};
use toml::Spanned;

/// The years every scenario must give.
pub const YEARS: [i32; 4] = [2025, 2027, 2030, 2035];

/// A scenario file that cannot be used: which file, line and key, and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("scenario {file}, line {line}, key `{key}`: {message}")]
pub struct ScenarioError {
    pub file: String,
    pub line: usize,
    pub key: String,
    pub message: String,
}

/// The station types a profile can be sized as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StationType {
    /// Public megawatt charging en route (MCS, and CCS at 350–400 kW).
    Mcs,
    /// Charging at a depot or terminal, during loading or overnight.
    Depot,
    Hydrogen,
    Biogas,
}

impl StationType {
    pub const ALL: [StationType; 4] = [Self::Mcs, Self::Depot, Self::Hydrogen, Self::Biogas];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mcs => "mcs",
            Self::Depot => "depot",
            Self::Hydrogen => "hydrogen",
            Self::Biogas => "biogas",
        }
    }

    /// The fuel whose zero-emission share drives its demand.
    pub fn fuel(self) -> Fuel {
        match self {
            Self::Mcs | Self::Depot => Fuel::Battery,
            Self::Hydrogen => Fuel::Hydrogen,
            Self::Biogas => Fuel::Biogas,
        }
    }

    /// True where the energy is electricity to the vehicle (chargers), false for fuel (dispensers).
    pub fn charges(self) -> bool {
        matches!(self, Self::Mcs | Self::Depot)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fuel {
    Battery,
    Hydrogen,
    Biogas,
}

/// One figure and where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure<T> {
    pub value: T,
    /// The published source, or None where the figure is an assumption.
    pub source: Option<String>,
    /// Why the figure was assumed, where it has no source.
    pub assumption: Option<String>,
}

/// How one station type serves its trucks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StationParams {
    /// Power per charger (kW); for dispensers, the compression and cooling they draw.
    pub power_kw: Figure<f64>,
    /// Energy per charging stop (kWh); None for fuels.
    pub energy_per_stop_kwh: Option<Figure<f64>>,
    /// Fuel per stop (kg); None for charging.
    pub kg_per_stop: Option<Figure<f64>>,
    /// Minutes per stop on top of charging or filling: manoeuvring, plugging in, paying.
    pub overhead_min: Figure<f64>,
    /// Minutes of filling, for fuels.
    pub fill_min: Option<Figure<f64>>,
    /// Share of chargers drawing full power at the peak.
    pub simultaneity: Figure<f64>,
    /// Land per bay (m²), lanes included.
    pub bay_m2: Figure<f64>,
    /// Land per MW of peak power (m²): transformer and switchgear.
    pub m2_per_mw: Figure<f64>,
    /// Days of fuel stored on site, for hydrogen.
    pub storage_days: Option<Figure<f64>>,
    /// Capture rate by distance to the next station of the type: (from km, share), ascending.
    pub capture: Figure<Vec<(f64, f64)>>,
}

impl StationParams {
    /// The share of passing zero-emission trucks that stop, `gap_km` from the next station.
    pub fn capture_rate(&self, gap_km: f64) -> f64 {
        self.capture
            .value
            .iter()
            .rev()
            .find(|(from, _)| gap_km >= *from)
            .map(|(_, share)| *share)
            .unwrap_or(0.0)
    }
}

/// The zero-emission shares of heavy vehicle-km in one year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YearShares {
    pub battery: Figure<f64>,
    pub hydrogen: Figure<f64>,
    pub biogas: Figure<f64>,
}

impl YearShares {
    pub fn share(&self, fuel: Fuel) -> f64 {
        match fuel {
            Fuel::Battery => self.battery.value,
            Fuel::Hydrogen => self.hydrogen.value,
            Fuel::Biogas => self.biogas.value,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scenario {
    pub id: String,
    pub name: String,
    pub name_en: String,
    pub description: String,
    /// Share of a day's arrivals in the peak hour.
    pub peak_hour_share: Figure<f64>,
    /// The service level: P(wait > `max_wait_min`) ≤ `max_wait_probability`.
    pub max_wait_min: Figure<f64>,
    pub max_wait_probability: Figure<f64>,
    pub stations: BTreeMap<StationType, StationParams>,
    pub years: BTreeMap<i32, YearShares>,
}

impl Scenario {
    pub fn station(&self, t: StationType) -> Option<&StationParams> {
        self.stations.get(&t)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFigure<T> {
    value: T,
    source: Option<String>,
    assumption: Option<String>,
}

type F64 = Spanned<RawFigure<f64>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawService {
    peak_hour_share: F64,
    max_wait_min: F64,
    max_wait_probability: F64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStation {
    power_kw: F64,
    energy_per_stop_kwh: Option<F64>,
    kg_per_stop: Option<F64>,
    overhead_min: F64,
    fill_min: Option<F64>,
    simultaneity: F64,
    bay_m2: F64,
    m2_per_mw: F64,
    storage_days: Option<F64>,
    capture: Spanned<RawFigure<Vec<(f64, f64)>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawYear {
    battery: F64,
    hydrogen: F64,
    biogas: F64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    id: String,
    name: String,
    name_en: Option<String>,
    #[serde(default)]
    description: String,
    service: RawService,
    station: BTreeMap<String, Spanned<RawStation>>,
    years: Spanned<BTreeMap<String, Spanned<RawYear>>>,
}

struct Ctx<'a>(Source<'a>);

crate::from_located!(ScenarioError);

impl Ctx<'_> {
    fn err(
        &self,
        span: Range<usize>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> ScenarioError {
        self.0.at(span, key, message).into()
    }

    /// A figure with its provenance checked, and its value in `allowed`.
    fn figure(&self, raw: F64, key: &str, check: Check) -> Result<Figure<f64>, ScenarioError> {
        let span = raw.span();
        let raw = raw.into_inner();
        let v = raw.value;
        let bad = match check {
            Check::Share if !(0.0..=1.0).contains(&v) => {
                Some(format!("{v} is a share and must lie between 0 and 1"))
            }
            Check::Probability if !(v > 0.0 && v < 1.0) => Some(format!(
                "{v} is a probability and must lie strictly between 0 and 1"
            )),
            Check::Positive if !(v.is_finite() && v > 0.0) => Some(format!("{v} must be above 0")),
            Check::NonNegative if !(v.is_finite() && v >= 0.0) => {
                Some(format!("{v} must not be negative"))
            }
            _ => None,
        };
        if let Some(m) = bad {
            return Err(self.err(span, key, m));
        }
        self.provenance(span, key, raw.source, raw.assumption, v)
    }

    fn provenance<T>(
        &self,
        span: Range<usize>,
        key: &str,
        source: Option<String>,
        assumption: Option<String>,
        value: T,
    ) -> Result<Figure<T>, ScenarioError> {
        let blank = |s: &Option<String>| s.as_deref().is_none_or(|t| t.trim().is_empty());
        if blank(&source) && blank(&assumption) {
            return Err(self.err(span, key, "the figure has neither `source` nor `assumption`; give where it comes from, or say that it is assumed and why"));
        }
        Ok(Figure {
            value,
            source,
            assumption,
        })
    }
}

#[derive(Clone, Copy)]
enum Check {
    Share,
    Probability,
    Positive,
    NonNegative,
}

/// Parse and check a scenario. `file` is only used in messages.
/// The shipped default scenario (Norway's national targets), compiled in: the grid rule of
/// a profile scores against it, so a score never depends on a file edited after start.
pub const DEFAULT_TOML: &str = include_str!("../../data/scenarios/default.toml");

pub fn parse_scenario(text: &str, file: &str) -> Result<Scenario, ScenarioError> {
    let ctx = Ctx(Source { file, text });
    let raw: RawScenario =
        toml::from_str(text).map_err(|e| ScenarioError::from(ctx.0.syntax(&e)))?;
    let s = raw.service;
    let peak_hour_share = ctx.figure(s.peak_hour_share, "service.peak_hour_share", Check::Share)?;
    let max_wait_min = ctx.figure(s.max_wait_min, "service.max_wait_min", Check::NonNegative)?;
    let max_wait_probability = ctx.figure(
        s.max_wait_probability,
        "service.max_wait_probability",
        Check::Probability,
    )?;
    let mut stations = BTreeMap::new();
    for (name, st) in raw.station {
        let span = st.span();
        let t = StationType::ALL
            .into_iter()
            .find(|t| t.as_str() == name)
            .ok_or_else(|| {
                ctx.err(
                    span.clone(),
                    format!("station.{name}"),
                    "not a station type; use mcs, depot, hydrogen or biogas",
                )
            })?;
        let st = st.into_inner();
        let k = |field: &str| format!("station.{name}.{field}");
        let opt = |f: Option<F64>, field: &str| -> Result<Option<Figure<f64>>, ScenarioError> {
            f.map(|f| ctx.figure(f, &k(field), Check::Positive))
                .transpose()
        };
        let need = |f: &Option<Figure<f64>>, field: &str| -> Result<(), ScenarioError> {
            match f {
                Some(_) => Ok(()),
                None => Err(ctx.err(
                    span.clone(),
                    k(field),
                    format!("a {name} station needs `{field}`"),
                )),
            }
        };
        let capture_span = st.capture.span();
        let capture = st.capture.into_inner();
        let mut last = f64::NEG_INFINITY;
        for (from, share) in &capture.value {
            if !(*from >= 0.0 && *from > last) {
                return Err(ctx.err(
                    capture_span.clone(),
                    k("capture"),
                    "capture steps are [km from, share] with the km 0 or more and rising",
                ));
            }
            if !(0.0..=1.0).contains(share) {
                return Err(ctx.err(
                    capture_span.clone(),
                    k("capture"),
                    format!("the capture share {share} must lie between 0 and 1"),
                ));
            }
            last = *from;
        }
        let params = StationParams {
            power_kw: ctx.figure(st.power_kw, &k("power_kw"), Check::Positive)?,
            energy_per_stop_kwh: opt(st.energy_per_stop_kwh, "energy_per_stop_kwh")?,
            kg_per_stop: opt(st.kg_per_stop, "kg_per_stop")?,
            overhead_min: ctx.figure(st.overhead_min, &k("overhead_min"), Check::NonNegative)?,
            fill_min: opt(st.fill_min, "fill_min")?,
            simultaneity: ctx.figure(st.simultaneity, &k("simultaneity"), Check::Share)?,
            bay_m2: ctx.figure(st.bay_m2, &k("bay_m2"), Check::Positive)?,
            m2_per_mw: ctx.figure(st.m2_per_mw, &k("m2_per_mw"), Check::NonNegative)?,
            storage_days: opt(st.storage_days, "storage_days")?,
            capture: ctx.provenance(
                capture_span,
                &k("capture"),
                capture.source,
                capture.assumption,
                capture.value,
            )?,
        };
        if t.charges() {
            need(&params.energy_per_stop_kwh, "energy_per_stop_kwh")?;
        } else {
            need(&params.kg_per_stop, "kg_per_stop")?;
            need(&params.fill_min, "fill_min")?;
        }
        if t == StationType::Hydrogen {
            need(&params.storage_days, "storage_days")?;
        }
        stations.insert(t, params);
    }
    let years_span = raw.years.span();
    let mut years = BTreeMap::new();
    for (y, shares) in raw.years.into_inner() {
        let span = shares.span();
        let year: i32 = y.parse().map_err(|_| {
            ctx.err(
                span.clone(),
                format!("years.{y}"),
                "a year is four digits, like 2030",
            )
        })?;
        let shares = shares.into_inner();
        let k = |fuel: &str| format!("years.{y}.{fuel}");
        years.insert(
            year,
            YearShares {
                battery: ctx.figure(shares.battery, &k("battery"), Check::Share)?,
                hydrogen: ctx.figure(shares.hydrogen, &k("hydrogen"), Check::Share)?,
                biogas: ctx.figure(shares.biogas, &k("biogas"), Check::Share)?,
            },
        );
    }
    if let Some(missing) = YEARS.iter().find(|y| !years.contains_key(y)) {
        return Err(ctx.err(
            years_span,
            format!("years.{missing}"),
            format!(
                "the year {missing} is missing; a scenario gives {}",
                YEARS.map(|y| y.to_string()).join(", ")
            ),
        ));
    }
    Ok(Scenario {
        id: raw.id,
        name_en: raw.name_en.unwrap_or_else(|| raw.name.clone()),
        name: raw.name,
        description: raw.description,
        peak_hour_share,
        max_wait_min,
        max_wait_probability,
        stations,
        years,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_scenarios_parse_with_every_year_and_station_type() {
        for (name, text) in crate::domain::scenario::tests::SHIPPED {
            let s = parse_scenario(text, name).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(s.years.keys().copied().collect::<Vec<_>>(), YEARS);
            for t in StationType::ALL {
                assert!(s.station(t).is_some(), "{name}: {t:?}");
            }
        }
    }

    pub const SHIPPED: [(&str, &str); 3] = [
        ("default", include_str!("../../data/scenarios/default.toml")),
        ("low", include_str!("../../data/scenarios/low.toml")),
        ("high", include_str!("../../data/scenarios/high.toml")),
    ];

    fn broken(from: &str, to: &str) -> ScenarioError {
        let text = SHIPPED[0].1.replacen(from, to, 1);
        assert_ne!(text, SHIPPED[0].1, "the replacement must apply: {from}");
        parse_scenario(&text, "default.toml").unwrap_err()
    }

    #[test]
    fn a_share_above_one_is_refused_with_file_line_and_key() {
        let e = broken("battery = { value = 0.15,", "battery = { value = 1.5,");
        assert_eq!(e.key, "years.2030.battery");
        assert!(e.message.contains("between 0 and 1"), "{e}");
        assert!(
            e.to_string().starts_with("scenario default.toml, line "),
            "{e}"
        );
        assert!(e.line > 1);
    }

    #[test]
    fn negative_energy_is_refused() {
        let e = broken(
            "energy_per_stop_kwh = { value = 400,",
            "energy_per_stop_kwh = { value = -400,",
        );
        assert_eq!(e.key, "station.mcs.energy_per_stop_kwh");
        assert!(e.message.contains("above 0"), "{e}");
    }

    #[test]
    fn a_missing_year_is_refused_and_named() {
        let e = broken("[years.2027]", "[years.2028]");
        assert_eq!(e.key, "years.2027");
        assert!(e.message.contains("2025, 2027, 2030, 2035"), "{e}");
    }

    #[test]
    fn a_figure_without_source_or_assumption_is_refused() {
        let text: String = SHIPPED[0]
            .1
            .lines()
            .map(|l| {
                if l.starts_with("peak_hour_share") {
                    "peak_hour_share = { value = 0.10 }".to_string()
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        let e = parse_scenario(&text, "default.toml").unwrap_err();
        assert_eq!(e.key, "service.peak_hour_share");
        assert!(
            e.message.contains("neither `source` nor `assumption`"),
            "{e}"
        );
    }
}
