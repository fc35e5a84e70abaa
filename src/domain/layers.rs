//! Input layers by role, and the typed attributes the engine reads from each.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use geo::Geometry;
use serde::{Deserialize, Serialize};

use super::landuse::LandUseClass;

/// What a layer is for. A region config may give several layers of one role
/// (for example forest, bog and lakes as separate land-cover files).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Boundary,
    Landuse,
    Roads,
    Rail,
    Terminals,
    Grid,
    Stations,
    Exclusion,
    Candidates,
    /// Named places (towns, villages, districts), used to name site areas.
    Places,
    /// Traffic volumes: road segments with ÅDT (NVDB object type 540), or counting points.
    Traffic,
}

/// The geometry family a role accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeometryFamily {
    Point,
    Line,
    Polygon,
    PointOrPolygon,
    PointOrLine,
}

impl GeometryFamily {
    pub fn accepts(self, geometry: &Geometry<f64>) -> bool {
        use Geometry as G;
        matches!(
            (self, geometry),
            (Self::Point, G::Point(_) | G::MultiPoint(_))
                | (
                    Self::Line,
                    G::LineString(_) | G::MultiLineString(_) | G::Line(_)
                )
                | (
                    Self::Polygon,
                    G::Polygon(_) | G::MultiPolygon(_) | G::Rect(_)
                )
                | (
                    Self::PointOrLine,
                    G::Point(_)
                        | G::MultiPoint(_)
                        | G::LineString(_)
                        | G::MultiLineString(_)
                        | G::Line(_)
                )
                | (
                    Self::PointOrPolygon,
                    G::Point(_)
                        | G::MultiPoint(_)
                        | G::Polygon(_)
                        | G::MultiPolygon(_)
                        | G::Rect(_)
                )
        )
    }

    pub fn describe(self) -> &'static str {
        match self {
            Self::Point => "points",
            Self::Line => "lines",
            Self::Polygon => "polygons",
            Self::PointOrPolygon => "points or polygons",
            Self::PointOrLine => "points or lines",
        }
    }
}

impl Role {
    pub const ALL: [Role; 11] = [
        Role::Boundary,
        Role::Landuse,
        Role::Roads,
        Role::Rail,
        Role::Terminals,
        Role::Grid,
        Role::Stations,
        Role::Exclusion,
        Role::Candidates,
        Role::Places,
        Role::Traffic,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Boundary => "boundary",
            Role::Landuse => "landuse",
            Role::Roads => "roads",
            Role::Rail => "rail",
            Role::Terminals => "terminals",
            Role::Grid => "grid",
            Role::Stations => "stations",
            Role::Exclusion => "exclusion",
            Role::Candidates => "candidates",
            Role::Places => "places",
            Role::Traffic => "traffic",
        }
    }

    pub fn geometry_family(self) -> GeometryFamily {
        match self {
            Role::Boundary | Role::Landuse | Role::Exclusion => GeometryFamily::Polygon,
            Role::Roads | Role::Rail => GeometryFamily::Line,
            Role::Places => GeometryFamily::Point,
            Role::Traffic => GeometryFamily::PointOrLine,
            // Grid operators publish some substations as areas, and OSM maps some
            // stations as areas: both are kept.
            Role::Grid | Role::Stations | Role::Terminals | Role::Candidates => {
                GeometryFamily::PointOrPolygon
            }
        }
    }

    /// The attribute names a layer of this role may map, and whether each is required.
    pub fn attributes(self) -> &'static [(&'static str, bool)] {
        match self {
            Role::Boundary => &[("number", true), ("name", true)],
            Role::Landuse => &[("class", true), ("name", false)],
            Role::Roads => &[
                ("category", true),
                ("number", false),
                ("motorway", false),
                ("heavy_aadt", false),
                ("speed_kmh", false),
                ("oneway", false),
                ("ferry", false),
                ("name", false),
            ],
            Role::Rail => &[("kind", false), ("name", false)],
            Role::Terminals => &[("kind", true), ("name", false)],
            Role::Grid => &[("name", false), ("available_mw", false)],
            Role::Stations => &[
                ("kind", true),
                ("name", false),
                ("power_kw", false),
                ("heavy", false),
            ],
            Role::Exclusion => &[("kind", true), ("name", false)],
            Role::Candidates => &[("name", false)],
            Role::Places => &[("name", true), ("kind", false)],
            Role::Traffic => &[
                ("aadt", true),
                ("heavy_share", false),
                ("year", false),
                ("category", false),
                ("number", false),
                ("name", false),
            ],
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A feature of one role: geometry in EPSG:25833 and the role's typed attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct Feature<A> {
    /// The id in its source: the mapped id field, or GDAL's feature id.
    pub id: String,
    pub geometry: Geometry<f64>,
    pub attrs: A,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Municipality {
    /// Kommunenummer, four digits ("0301").
    pub number: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LandUse {
    pub class: LandUseClass,
    /// The source code or tag the class came from, kept so a planner can trace it.
    pub source_code: Option<String>,
    pub name: Option<String>,
}

/// Norwegian road categories (vegkategori).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoadCategory {
    /// E: europaveg.
    European,
    /// R: riksveg.
    National,
    /// F: fylkesveg.
    County,
    /// K: kommunal veg.
    Municipal,
    /// P: privat veg.
    Private,
    /// Paths, ferries and anything without a category.
    Other,
}

impl RoadCategory {
    /// The road reference as signs and NVDB write it: "E6", "Rv4", "Fv120"; None for
    /// `Other`, which has no numbered roads.
    pub fn reference(self, number: u32) -> Option<String> {
        let prefix = match self {
            RoadCategory::European => "E",
            RoadCategory::National => "Rv",
            RoadCategory::County => "Fv",
            RoadCategory::Municipal => "Kv",
            RoadCategory::Private => "Pv",
            RoadCategory::Other => return None,
        };
        Some(format!("{prefix}{number}"))
    }

    /// E and R roads: the network heavy transport runs on.
    pub fn is_main(self) -> bool {
        matches!(self, RoadCategory::European | RoadCategory::National)
    }

    pub fn code(self) -> &'static str {
        match self {
            RoadCategory::European => "E",
            RoadCategory::National => "R",
            RoadCategory::County => "F",
            RoadCategory::Municipal => "K",
            RoadCategory::Private => "P",
            RoadCategory::Other => "-",
        }
    }
}

impl FromStr for RoadCategory {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_lowercase().as_str() {
            "e" | "european" | "europaveg" => Ok(RoadCategory::European),
            "r" | "national" | "riksveg" => Ok(RoadCategory::National),
            "f" | "county" | "fylkesveg" => Ok(RoadCategory::County),
            "k" | "municipal" | "kommunal" | "kommunalveg" => Ok(RoadCategory::Municipal),
            "p" | "private" | "privat" | "privatveg" => Ok(RoadCategory::Private),
            "other" | "s" | "-" => Ok(RoadCategory::Other),
            other => Err(format!(
                "'{other}' is not a road category (use E, R, F, K, P or other)"
            )),
        }
    }
}

/// Direction of travel allowed on a road link, relative to its digitised direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Oneway {
    #[default]
    Both,
    Forward,
    Backward,
    Closed,
}

impl FromStr for Oneway {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // Accepts OSM's oneway=yes/-1 and NVDB ruteplan's FT/TF/B/N.
        match s.trim().to_lowercase().as_str() {
            "" | "no" | "b" | "both" | "false" | "0" => Ok(Oneway::Both),
            "yes" | "ft" | "forward" | "true" | "1" => Ok(Oneway::Forward),
            "-1" | "tf" | "backward" | "reverse" => Ok(Oneway::Backward),
            "n" | "closed" => Ok(Oneway::Closed),
            other => Err(format!(
                "'{other}' is not a one-way value (use yes/no/-1 or FT/TF/B/N)"
            )),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Road {
    pub category: RoadCategory,
    /// Road number: 6 for E6, 4 for Rv4.
    pub number: Option<u32>,
    pub motorway: bool,
    /// Heavy-vehicle annual average daily traffic, where the source has it.
    pub heavy_aadt: Option<f64>,
    pub speed_kmh: Option<f64>,
    pub oneway: Oneway,
    pub ferry: bool,
    pub name: Option<String>,
}

impl Road {
    /// "E6", "Rv4", "Fv120"; None for roads without a number.
    pub fn reference(&self) -> Option<String> {
        self.category.reference(self.number?)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rail {
    pub kind: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TerminalKind {
    RailFreight,
    Port,
    Logistics,
    AirCargo,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Terminal {
    pub kind: TerminalKind,
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Substation {
    pub name: Option<String>,
    /// Capacity free for new consumption, MW. None where the source does not say.
    pub available_mw: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StationKind {
    Charging,
    Hydrogen,
    Biogas,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Station {
    pub kind: StationKind,
    pub name: Option<String>,
    /// The pool's total power: what AFIR's pool thresholds (1,400 kW, 3,600 kW) are set against.
    pub power_kw: Option<f64>,
    /// The most powerful single charge point, where the source says (AFIR: at least one ≥ 350 kW).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_point_kw: Option<f64>,
    /// Charge points in the pool, where the source says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub points: Option<u32>,
    /// Built for heavy vehicles (drive-through bays, MCS or CCS at ≥ 350 kW, …).
    pub heavy: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExclusionKind {
    Protected,
    FloodZone,
    FiringRange,
    CultivatedLand,
    Water,
    Other,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exclusion {
    pub kind: ExclusionKind,
    pub name: Option<String>,
}

/// A named place: a town, village or district, as a point where its name belongs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Place {
    pub name: String,
    /// The source's place type (N1000 `type`: by, tettsted, grend, …), kept as given.
    pub kind: Option<String>,
}

/// Where a traffic figure comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrafficBasis {
    /// An ÅDT the source gives (NVDB Trafikkmengde, a point layer with an ÅDT field).
    Measured,
    /// An ÅDT this product computed from a counting point's hourly volumes.
    Counted,
}

/// Traffic on a road: a segment (line) with its ÅDT, or a counting point (point) that
/// counts both directions of the road it stands on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Traffic {
    /// Annual average daily traffic, all vehicles, both directions.
    pub aadt: f64,
    /// Share of heavy (long, ≥ 5.6 m) vehicles, 0..1; None where the source has none.
    pub heavy_share: Option<f64>,
    /// The year the ÅDT holds for.
    pub year: Option<i32>,
    /// The period it was computed from, for counted values: "2025" or "2026-04-12–2026-04-15".
    pub period: Option<String>,
    /// Complete days the value rests on, for counted values.
    pub days: Option<u32>,
    pub basis: TrafficBasis,
    /// The road the value belongs to, where the source says.
    pub category: Option<RoadCategory>,
    pub number: Option<u32>,
    pub name: Option<String>,
}

impl Traffic {
    /// "E6", "Rv4"; None where the source gives no road.
    pub fn reference(&self) -> Option<String> {
        self.category?.reference(self.number?)
    }
}

/// A user-given site. Its own attributes are kept as they came.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Site {
    pub name: Option<String>,
    pub properties: BTreeMap<String, serde_json::Value>,
}

/// Parse a road reference: "6", "E 6", "E6", "Rv4", "Fv 120", or an OSM list "E 6;E 18"
/// (the first counts). Returns the category the prefix implies, if any, and the number.
pub fn parse_road_ref(text: &str) -> Option<(Option<RoadCategory>, Option<u32>)> {
    let first = text.split([';', ',']).next()?.trim();
    if first.is_empty() {
        return None;
    }
    let split = first
        .find(|c: char| c.is_ascii_digit())
        .unwrap_or(first.len());
    let (prefix, digits) = first.split_at(split);
    let prefix = prefix.trim().trim_end_matches('.').to_lowercase();
    let category = match prefix.as_str() {
        "" => None,
        "e" => Some(RoadCategory::European),
        "r" | "rv" | "rv." => Some(RoadCategory::National),
        "f" | "fv" => Some(RoadCategory::County),
        "k" | "kv" => Some(RoadCategory::Municipal),
        "p" | "pv" => Some(RoadCategory::Private),
        _ => return None,
    };
    let digits: String = digits.chars().take_while(|c| c.is_ascii_digit()).collect();
    let number = if digits.is_empty() {
        None
    } else {
        Some(digits.parse().ok()?)
    };
    Some((category, number))
}

/// Parse a serde-style snake_case enum value, with the list of allowed values on failure.
pub fn parse_enum<T: for<'de> Deserialize<'de>>(
    value: &str,
    allowed: &[&str],
) -> Result<T, String> {
    let v = value.trim().to_lowercase().replace([' ', '-'], "_");
    serde_json::from_value(serde_json::Value::String(v))
        .map_err(|_| format!("'{value}' is not one of {}", allowed.join(", ")))
}

pub const TERMINAL_KINDS: &[&str] = &["rail_freight", "port", "logistics", "air_cargo"];
pub const STATION_KINDS: &[&str] = &["charging", "hydrogen", "biogas"];
pub const EXCLUSION_KINDS: &[&str] = &[
    "protected",
    "flood_zone",
    "firing_range",
    "cultivated_land",
    "water",
    "other",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn road_categories_parse_from_vegkategori_letters_and_words() {
        assert_eq!("E".parse::<RoadCategory>(), Ok(RoadCategory::European));
        assert_eq!(
            "riksveg".parse::<RoadCategory>(),
            Ok(RoadCategory::National)
        );
        assert!("X".parse::<RoadCategory>().is_err());
    }

    #[test]
    fn road_reference_reads_like_norwegian_signage() {
        let road = Road {
            category: RoadCategory::National,
            number: Some(4),
            motorway: false,
            heavy_aadt: None,
            speed_kmh: None,
            oneway: Oneway::Both,
            ferry: false,
            name: None,
        };
        assert_eq!(road.reference().as_deref(), Some("Rv4"));
    }

    #[test]
    fn enum_values_accept_spaces_and_report_the_allowed_list() {
        let kind: TerminalKind = parse_enum("Rail freight", TERMINAL_KINDS).unwrap();
        assert_eq!(kind, TerminalKind::RailFreight);
        let err = parse_enum::<TerminalKind>("airport", TERMINAL_KINDS).unwrap_err();
        assert!(err.contains("rail_freight, port"), "{err}");
    }

    #[test]
    fn road_refs_parse_in_every_common_spelling() {
        assert_eq!(parse_road_ref("6"), Some((None, Some(6))));
        assert_eq!(
            parse_road_ref("E 6;E 18"),
            Some((Some(RoadCategory::European), Some(6)))
        );
        assert_eq!(
            parse_road_ref("Rv4"),
            Some((Some(RoadCategory::National), Some(4)))
        );
        assert_eq!(parse_road_ref("Ring 3"), None);
    }

    #[test]
    fn oneway_understands_osm_and_nvdb_values() {
        assert_eq!("-1".parse::<Oneway>(), Ok(Oneway::Backward));
        assert_eq!("TF".parse::<Oneway>(), Ok(Oneway::Backward));
        assert_eq!("FT".parse::<Oneway>(), Ok(Oneway::Forward));
    }
}
