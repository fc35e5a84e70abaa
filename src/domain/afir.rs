//! The EU AFIR spacing rules (Regulation (EU) 2023/1804, art. 4 and 6) and the gap arithmetic
//! along one corridor. The figures live in `data/afir.toml`; this module only reads them and
//! turns station chainages into segments, gaps and a covered share.

use serde::{Deserialize, Serialize};

use super::layers::StationKind;

#[derive(Debug, thiserror::Error)]
pub enum AfirError {
    #[error("AFIR rules {origin}: {message}")]
    Parse { origin: String, message: String },
    #[error("AFIR rules {origin}: rule '{id}' ({network}, {fuel}): {message}")]
    Rule {
        origin: String,
        id: String,
        network: Tent,
        fuel: Fuel,
        message: String,
    },
}

/// The TEN-T network category of a road section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tent {
    Core,
    Comprehensive,
}

impl std::fmt::Display for Tent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Tent::Core => "core",
            Tent::Comprehensive => "comprehensive",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fuel {
    Electric,
    Hydrogen,
}

impl Fuel {
    /// The fuel AFIR sets spacing for at a station of `kind`; none for biogas.
    pub fn of(kind: StationKind) -> Option<Fuel> {
        match kind {
            StationKind::Charging => Some(Fuel::Electric),
            StationKind::Hydrogen => Some(Fuel::Hydrogen),
            StationKind::Biogas => None,
        }
    }

    pub fn station_kind(self) -> StationKind {
        match self {
            Fuel::Electric => StationKind::Charging,
            Fuel::Hydrogen => StationKind::Hydrogen,
        }
    }
}

impl std::fmt::Display for Fuel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Fuel::Electric => "electric",
            Fuel::Hydrogen => "hydrogen",
        })
    }
}

/// One target: for `fuel` on the `network` category, by the end of `year`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    pub year: u16,
    pub fuel: Fuel,
    pub network: Tent,
    pub max_spacing_km: f64,
    /// Share of the corridor length that must lie in segments within the spacing.
    pub min_share: f64,
    /// Pool power a charging station needs to count; none for hydrogen.
    #[serde(default)]
    pub min_pool_kw: Option<f64>,
    /// Power of the pool's most powerful point for it to count (350 kW); checked where the
    /// station layer knows its points (an Open Charge Map register), none for hydrogen.
    #[serde(default)]
    pub min_point_kw: Option<f64>,
    /// Driving distance from the corridor within which a station counts for it.
    pub max_access_km: f64,
    /// A station is also needed in every urban node (AFIR art. 6(2)).
    #[serde(default)]
    pub urban_nodes: bool,
    /// The article the figures come from.
    pub source: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    rule: Vec<Rule>,
}

/// Every rule, in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct Rules(pub Vec<Rule>);

const BUILTIN: &str = include_str!("../../data/afir.toml");

impl Rules {
    /// The rules shipped in `data/afir.toml`.
    pub fn builtin() -> Result<Rules, AfirError> {
        Rules::parse(BUILTIN, "data/afir.toml")
    }

    /// `origin` names the text in errors (a file name).
    pub fn parse(text: &str, origin: &str) -> Result<Rules, AfirError> {
        let file: RulesFile = toml::from_str(text).map_err(|e| AfirError::Parse {
            origin: origin.into(),
            message: crate::domain::toml_file::describe_toml_error(text, &e),
        })?;
        for r in &file.rule {
            let bad = |message: &str| AfirError::Rule {
                origin: origin.into(),
                id: r.id.clone(),
                network: r.network,
                fuel: r.fuel,
                message: message.into(),
            };
            if !(r.max_spacing_km.is_finite() && r.max_spacing_km > 0.0) {
                return Err(bad("max_spacing_km must be a positive number of km"));
            }
            if !(0.0..=1.0).contains(&r.min_share) {
                return Err(bad("min_share is a share between 0 and 1 (0.15 for 15 %)"));
            }
            if !(r.max_access_km.is_finite() && r.max_access_km >= 0.0) {
                return Err(bad("max_access_km must be zero or more"));
            }
            if r.source.trim().is_empty() {
                return Err(bad("every rule needs its source (the article)"));
            }
        }
        Ok(Rules(file.rule))
    }

    pub fn years(&self) -> Vec<u16> {
        let mut y: Vec<u16> = self.0.iter().map(|r| r.year).collect();
        y.sort_unstable();
        y.dedup();
        y
    }

    /// The rule for a corridor of category `network` and `fuel` in `year`.
    pub fn find(&self, year: u16, fuel: Fuel, network: Tent) -> Option<&Rule> {
        self.0
            .iter()
            .find(|r| r.year == year && r.fuel == fuel && r.network == network)
    }
}

/// A stretch of corridor between two consecutive stations, or between a corridor end and
/// the nearest station.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segment {
    pub from_km: f64,
    pub to_km: f64,
    pub length_km: f64,
    /// Longer than the rule allows.
    pub gap: bool,
    /// Touches a corridor end, where the next station beyond is outside the data.
    pub open_end: bool,
}

/// The spacing of stations along one corridor against one maximum spacing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spacing {
    pub length_km: f64,
    pub segments: Vec<Segment>,
    /// Length in segments within the spacing.
    pub covered_km: f64,
    pub share: f64,
}

impl Spacing {
    pub fn gaps(&self) -> impl Iterator<Item = &Segment> {
        self.segments.iter().filter(|s| s.gap)
    }

    /// Kilometres beyond the allowed spacing, summed over gaps: zero exactly when no gap is left.
    pub fn excess_km(&self, max_spacing_km: f64) -> f64 {
        self.gaps().map(|s| s.length_km - max_spacing_km).sum()
    }
}

/// Tolerance for "longer than allowed": a station exactly at the limit is within it.
const EPS_KM: f64 = 1e-9;

/// Split a corridor of `length_km` at the station chainages and mark each segment longer
/// than `max_spacing_km` as a gap. Corridor ends count as if a station stood just beyond
/// them: the region's corridors are sections of longer ones, so an end is not a dead end.
/// Chainages outside the corridor are clamped; duplicates count once.
pub fn spacing(length_km: f64, stations_km: &[f64], max_spacing_km: f64) -> Spacing {
    let length_km = length_km.max(0.0);
    let mut cuts: Vec<f64> = stations_km
        .iter()
        .filter(|s| s.is_finite())
        .map(|s| s.clamp(0.0, length_km))
        .collect();
    cuts.sort_by(f64::total_cmp);
    cuts.dedup_by(|a, b| (*a - *b).abs() < EPS_KM);
    let mut bounds = Vec::with_capacity(cuts.len() + 2);
    bounds.push(0.0);
    bounds.extend(cuts);
    bounds.push(length_km);
    let mut segments = Vec::new();
    let last = bounds.len() - 2;
    for (i, w) in bounds.windows(2).enumerate() {
        let len = w[1] - w[0];
        if len < EPS_KM {
            continue;
        }
        segments.push(Segment {
            from_km: w[0],
            to_km: w[1],
            length_km: len,
            gap: len > max_spacing_km + EPS_KM,
            open_end: i == 0 || i == last,
        });
    }
    let covered_km: f64 = segments
        .iter()
        .filter(|s| !s.gap)
        .map(|s| s.length_km)
        .sum::<f64>()
        // An empty float sum is -0.0, which prints as "-0".
        + 0.0;
    Spacing {
        length_km,
        share: if length_km > 0.0 {
            covered_km / length_km
        } else {
            1.0
        },
        segments,
        covered_km,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_rules_load_and_cite_articles_4_and_6() {
        let rules = Rules::builtin().unwrap();
        assert_eq!(rules.years(), vec![2025, 2027, 2030]);
        let core = rules.find(2030, Fuel::Electric, Tent::Core).unwrap();
        assert_eq!(
            (core.max_spacing_km, core.min_pool_kw),
            (60.0, Some(3600.0))
        );
        assert!(core.source.contains("art. 4"));
        let h2 = rules.find(2030, Fuel::Hydrogen, Tent::Core).unwrap();
        assert_eq!(h2.max_spacing_km, 200.0);
        assert!(h2.urban_nodes && h2.source.contains("art. 6"));
        assert!(rules
            .find(2025, Fuel::Electric, Tent::Comprehensive)
            .is_some());
    }

    #[test]
    fn a_rule_without_its_source_or_with_a_share_above_one_is_refused() {
        let text = "[[rule]]\nid = \"x\"\nyear = 2030\nfuel = \"electric\"\nnetwork = \"core\"\nmax_spacing_km = 60\nmin_share = 15\nmax_access_km = 3\nsource = \"art. 4\"\n";
        let e = Rules::parse(text, "afir.toml").unwrap_err().to_string();
        assert!(e.contains("min_share") && e.contains("afir.toml"), "{e}");
        let e = Rules::parse("[[rule]]\nid = 1\n", "afir.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2"), "{e}");
    }

    #[test]
    fn stations_split_a_corridor_into_segments_and_long_ones_are_gaps() {
        let s = spacing(200.0, &[50.0, 130.0, 50.0], 60.0);
        let got: Vec<(f64, f64, bool, bool)> = s
            .segments
            .iter()
            .map(|g| (g.from_km, g.to_km, g.gap, g.open_end))
            .collect();
        assert_eq!(
            got,
            vec![
                (0.0, 50.0, false, true),
                (50.0, 130.0, true, false),
                (130.0, 200.0, true, true)
            ]
        );
        assert_eq!(s.covered_km, 50.0);
        assert_eq!(s.share, 0.25);
        assert_eq!(s.excess_km(60.0), 30.0);
    }

    #[test]
    fn a_segment_exactly_at_the_limit_is_not_a_gap() {
        let s = spacing(120.0, &[60.0], 60.0);
        assert_eq!(s.gaps().count(), 0);
        assert_eq!(s.share, 1.0);
        let none = spacing(61.0, &[], 60.0);
        assert_eq!(none.gaps().count(), 1);
        assert_eq!(none.share, 0.0);
    }
}
