//! Corridors as data: which road references make up a corridor, its TEN-T category, and
//! where it starts and ends. Read from a region's `corridors.toml`.

use serde::{Deserialize, Serialize};

use super::afir::Tent;
use super::layers::{Road, RoadCategory};

/// How the road graph is built and how far points may lie from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkSettings {
    /// Link end points closer than this (metres) are one node.
    #[serde(default = "default_snap_m")]
    pub snap_m: f64,
    /// A candidate or station farther than this (metres) from every road is not on the
    /// network, and gets no network distance.
    #[serde(default = "default_point_snap_m")]
    pub point_snap_m: f64,
    /// Ferries join the network, but a crossing costs this many km on top of its length:
    /// waiting and sailing make it far slower than a road of the same length.
    #[serde(default = "default_ferry_penalty_km")]
    pub ferry_penalty_km: f64,
}

fn default_snap_m() -> f64 {
    1.0
}
fn default_point_snap_m() -> f64 {
    1000.0
}
fn default_ferry_penalty_km() -> f64 {
    30.0
}

impl Default for NetworkSettings {
    fn default() -> Self {
        NetworkSettings {
            snap_m: default_snap_m(),
            point_snap_m: default_point_snap_m(),
            ferry_penalty_km: default_ferry_penalty_km(),
        }
    }
}

/// One corridor: the links of `refs` from `from` to `to` (lon/lat, WGS 84).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorridorSpec {
    pub name: String,
    pub refs: Vec<String>,
    pub tent: Tent,
    pub from: [f64; 2],
    pub to: [f64; 2],
    #[serde(default)]
    pub note: String,
}

/// A TEN-T urban node: AFIR art. 6(2) asks for a hydrogen station in each.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UrbanNode {
    pub name: String,
    pub kommunenummer: String,
}

/// A region's corridors file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorridorsFile {
    #[serde(default)]
    pub network: NetworkSettings,
    #[serde(default, rename = "corridor")]
    pub corridors: Vec<CorridorSpec>,
    #[serde(default, rename = "urban_node")]
    pub urban_nodes: Vec<UrbanNode>,
}

/// A parsed road reference: E6 is (European, 6), Rv4 is (National, 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RoadRef {
    pub category: RoadCategory,
    pub number: u32,
}

impl RoadRef {
    /// "E6", "E 18", "Rv4", "RV4", "R4", "Fv120".
    pub fn parse(s: &str) -> Result<RoadRef, String> {
        let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        let digits = t.trim_start_matches(|c: char| c.is_alphabetic());
        let prefix = t[..t.len() - digits.len()].to_lowercase();
        let category = match prefix.as_str() {
            "e" => RoadCategory::European,
            "r" | "rv" => RoadCategory::National,
            "f" | "fv" => RoadCategory::County,
            "k" | "kv" => RoadCategory::Municipal,
            _ => {
                return Err(format!(
                    "'{s}' is not a road reference. Hint: write it as E6, E18, Rv4 or Fv120"
                ))
            }
        };
        let number = digits.parse::<u32>().map_err(|_| {
            format!("'{s}' has no road number. Hint: write it as E6, E18, Rv4 or Fv120")
        })?;
        Ok(RoadRef { category, number })
    }

    pub fn matches(&self, road: &Road) -> bool {
        road.category == self.category && road.number == Some(self.number)
    }
}

impl std::fmt::Display for RoadRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let prefix = match self.category {
            RoadCategory::European => "E",
            RoadCategory::National => "Rv",
            RoadCategory::County => "Fv",
            RoadCategory::Municipal => "Kv",
            RoadCategory::Private => "Pv",
            RoadCategory::Other => "?",
        };
        write!(f, "{prefix}{}", self.number)
    }
}

impl CorridorsFile {
    /// Checks what serde cannot: references parse, corridors have names, numbers are sane.
    pub fn validate(&self) -> Result<(), String> {
        let n = &self.network;
        if !(n.snap_m.is_finite() && n.snap_m >= 0.0 && n.snap_m <= 100.0) {
            return Err("[network] snap_m is a tolerance in metres between 0 and 100".into());
        }
        if !(n.point_snap_m.is_finite() && n.point_snap_m > 0.0) {
            return Err("[network] point_snap_m must be a positive number of metres".into());
        }
        if !(n.ferry_penalty_km.is_finite() && n.ferry_penalty_km >= 0.0) {
            return Err("[network] ferry_penalty_km must be zero or more".into());
        }
        let mut names = std::collections::HashSet::new();
        for c in &self.corridors {
            if c.name.trim().is_empty() {
                return Err("every [[corridor]] needs a name".into());
            }
            if !names.insert(c.name.as_str()) {
                return Err(format!("two corridors are called '{}'", c.name));
            }
            if c.refs.is_empty() {
                return Err(format!(
                    "corridor '{}' has no refs. Hint: refs = [\"E6\"]",
                    c.name
                ));
            }
            for r in &c.refs {
                RoadRef::parse(r).map_err(|e| format!("corridor '{}': {e}", c.name))?;
            }
            for (what, p) in [("from", c.from), ("to", c.to)] {
                if !((-180.0..=180.0).contains(&p[0]) && (-90.0..=90.0).contains(&p[1])) {
                    return Err(format!(
                        "corridor '{}': {what} = [{}, {}] is not a longitude, latitude pair",
                        c.name, p[0], p[1]
                    ));
                }
            }
        }
        Ok(())
    }

    pub fn refs(c: &CorridorSpec) -> Vec<RoadRef> {
        c.refs
            .iter()
            .filter_map(|r| RoadRef::parse(r).ok())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn road_references_parse_in_the_ways_planners_write_them() {
        for (s, cat, n) in [
            ("E6", RoadCategory::European, 6),
            ("E 18", RoadCategory::European, 18),
            ("Rv4", RoadCategory::National, 4),
            ("RV4", RoadCategory::National, 4),
            ("R22", RoadCategory::National, 22),
            ("Fv120", RoadCategory::County, 120),
        ] {
            assert_eq!(
                RoadRef::parse(s).unwrap(),
                RoadRef {
                    category: cat,
                    number: n
                }
            );
        }
        assert!(RoadRef::parse("X6").unwrap_err().contains("E6, E18"));
        assert!(RoadRef::parse("E").is_err());
        assert_eq!(RoadRef::parse("rv 4").unwrap().to_string(), "Rv4");
    }
}
