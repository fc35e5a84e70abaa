//! Station-type profiles: hard constraints, then weighted criteria. Profiles are TOML
//! text (`data/profiles/*.toml`); parsing is pure, and every error names the profile,
//! the key and the line.

use std::collections::BTreeMap;
use std::ops::Range;

use super::toml_file::Source;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::landuse::{LandUseClass, Suitability};
use super::layers::{parse_enum, ExclusionKind, Role, StationKind, EXCLUSION_KINDS, STATION_KINDS};
use super::value_function::ValueFunction;

/// What a criterion measures. Each has one unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Metres to the nearest E or R road (ferries excluded).
    MainRoadDistance,
    /// Metres to the nearest road of any class (ferries excluded).
    RoadDistance,
    /// Heavy vehicles per day on the nearest main road: ÅDT where the data has it,
    /// otherwise an estimate from its road class.
    HeavyTraffic,
    /// The most free MW at a substation within the criterion's radius.
    GridCapacity,
    /// Metres to the nearest substation with free capacity.
    GridDistance,
    /// Metres to the nearest existing station of the profile's kind.
    StationDistance,
    /// Metres to the nearest freight terminal, port or logistics area.
    LogisticsDistance,
    /// The synergy figure by road (`energistasjon synergies`): the region's freight
    /// terminals, ports, logistics hubs and air cargo terminals the site reaches within 15
    /// minutes' drive (weight × 1) and within 30 (× 0.5), weighted 3 for rail freight and
    /// ports and 2 for logistics and air cargo. Drive times run from the site to each
    /// terminal; approved sites of the review store do not count, so scores do not change
    /// as the store does. Higher is better; missing for a site farther than the network's
    /// `point_snap_m` from every road.
    LogisticsSynergy,
    /// The land-use class's suitability for this station type, 0..1.
    LanduseSuitability,
    /// Site area in m².
    Area,
    /// Metres to the nearest feature of a role (`layer = "rail"`).
    DistanceTo(Role),
    /// Driving metres from the nearest corridor (the region's corridors file) to the site.
    CorridorAccess,
    /// MW the best substation within reach has free beyond the station's 2030 peak power
    /// (the shipped default scenario); negative where the grid falls short. An estimate.
    GridHeadroom2030,
}

impl Measure {
    pub const NAMES: &'static [&'static str] = &[
        "main_road_distance",
        "road_distance",
        "heavy_traffic",
        "grid_capacity",
        "grid_distance",
        "station_distance",
        "logistics_distance",
        "logistics_synergy",
        "landuse_suitability",
        "area",
        "distance_to",
        "corridor_access",
        "grid_headroom_2030",
    ];

    pub fn unit(self) -> &'static str {
        match self {
            Measure::MainRoadDistance
            | Measure::RoadDistance
            | Measure::GridDistance
            | Measure::StationDistance
            | Measure::LogisticsDistance
            | Measure::DistanceTo(_)
            | Measure::CorridorAccess => "m",
            Measure::HeavyTraffic => "heavy vehicles/day",
            Measure::GridCapacity | Measure::GridHeadroom2030 => "MW",
            Measure::LanduseSuitability | Measure::LogisticsSynergy => "index",
            Measure::Area => "m²",
        }
    }

    pub fn name(self) -> String {
        match self {
            Measure::DistanceTo(role) => format!("distance_to_{role}"),
            other => serde_json::to_value(other)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Criterion {
    pub id: String,
    /// Short label in bokmål and English, for the UI.
    pub label: String,
    pub label_en: String,
    pub measure: Measure,
    /// Points this criterion can give; all weights of a profile sum to 100.
    pub weight: f64,
    pub function: ValueFunction,
    /// The normalized value when the measurement is missing (no road, a point site's area).
    pub missing: f64,
    /// Search radius for radius-based measures (grid capacity), metres.
    pub radius_m: Option<f64>,
    /// Where the thresholds come from.
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Constraints {
    /// When set, a site whose land-use class is not listed is excluded.
    pub allowed_landuse: Option<Vec<LandUseClass>>,
    pub forbidden_landuse: Vec<LandUseClass>,
    /// Exclude sites with no known land-use class (outside every land-use polygon).
    pub exclude_unknown_landuse: bool,
    pub max_main_road_distance_m: Option<f64>,
    /// Driving metres from a corridor (AFIR art. 4: 3 km from the exit). Applies where the
    /// region has corridors.
    pub max_corridor_access_m: Option<f64>,
    pub min_area_m2: Option<f64>,
    pub exclusion_kinds: Vec<ExclusionKind>,
    /// Minimum distance to land of `safety_classes` (hydrogen), metres.
    pub safety_distance_m: Option<f64>,
    pub safety_classes: Vec<LandUseClass>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Profile {
    pub id: String,
    pub name: String,
    pub name_en: String,
    pub description: String,
    pub station_kind: StationKind,
    pub constraints: Constraints,
    pub criteria: Vec<Criterion>,
    /// Suitability per land-use class for `landuse_suitability`; classes not listed
    /// use their default suitability.
    pub landuse_values: BTreeMap<LandUseClass, f64>,
    /// The value for a site with no known land-use class.
    pub unknown_landuse_value: f64,
    /// Parcels larger than this are split into pieces of at most this size.
    pub max_parcel_area_m2: f64,
    /// How candidates group into site areas, and the shortlist's defaults.
    pub sites: SiteRules,
    /// The station type sizing models (`[sizing] station`): mcs, depot, hydrogen or biogas.
    pub sizing_station: super::scenario::StationType,
    /// What "the grid can feed the 2030 size" does (`[sizing] grid_2030`).
    pub grid_2030: GridRule,
}

/// How a profile uses the grid verdict for the station's 2030 size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GridRule {
    /// Shown with every sizing; neither excludes nor scores.
    Report,
    /// A site the best substation within reach cannot feed is excluded.
    Constraint,
    /// Scored by a `grid_headroom_2030` criterion.
    Criterion,
}

impl GridRule {
    pub const NAMES: [&'static str; 3] = ["report", "constraint", "criterion"];
}

/// How a profile groups candidates into site areas and shortlists them (ArcGIS's
/// "Locate" step). Kept in the profile's `[sites]` table, each value with its reasoning.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteRules {
    /// An area grows over neighbours scoring at most this many points below its best.
    pub max_score_drop: f64,
    /// An area stops growing at this size.
    pub max_area_ha: f64,
    /// The shortlist passes over areas smaller than this.
    pub min_area_ha: f64,
    /// Shortlisted areas lie at least this far apart: straight line, edge to edge. Driving
    /// distance is never shorter, so the spacing holds on the road too.
    pub min_spacing_km: f64,
    /// At most this many shortlisted areas per municipality; None for no limit.
    pub max_per_municipality: Option<usize>,
    /// How many areas the shortlist gives by default.
    pub k: usize,
}

impl Default for SiteRules {
    fn default() -> Self {
        SiteRules {
            max_score_drop: 10.0,
            max_area_ha: 100.0,
            min_area_ha: 1.0,
            min_spacing_km: 10.0,
            max_per_municipality: None,
            k: 10,
        }
    }
}

impl Profile {
    pub fn criterion(&self, id: &str) -> Option<&Criterion> {
        self.criteria.iter().find(|c| c.id == id)
    }

    /// Suitability of a land-use class (None: no class known).
    pub fn landuse_value(&self, class: Option<LandUseClass>) -> f64 {
        match class {
            None => self.unknown_landuse_value,
            Some(c) => {
                self.landuse_values
                    .get(&c)
                    .copied()
                    .unwrap_or(match c.default_suitability() {
                        Suitability::Suitable => 1.0,
                        Suitability::Conditional => 0.5,
                        Suitability::Unsuitable => 0.1,
                        Suitability::Excluded => 0.0,
                    })
            }
        }
    }
}

/// A profile that cannot be used: which file, which key, which line, and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("profile {file}, line {line}, key `{key}`: {message}")]
pub struct ProfileError {
    pub file: String,
    pub line: usize,
    pub key: String,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    id: String,
    name: String,
    name_en: Option<String>,
    #[serde(default)]
    description: String,
    station_kind: Spanned<String>,
    #[serde(default)]
    constraints: RawConstraints,
    #[serde(default)]
    landuse_values: BTreeMap<String, Spanned<f64>>,
    #[serde(default = "default_unknown_landuse")]
    unknown_landuse_value: f64,
    #[serde(default = "default_max_parcel")]
    max_parcel_area_m2: f64,
    #[serde(default)]
    criteria: Vec<Spanned<RawCriterion>>,
    sites: Option<RawSites>,
    sizing: Option<RawSizing>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSizing {
    station: Spanned<String>,
    grid_2030: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSites {
    max_score_drop: Option<Spanned<f64>>,
    max_area_ha: Option<Spanned<f64>>,
    min_area_ha: Option<Spanned<f64>>,
    min_spacing_km: Option<Spanned<f64>>,
    max_per_municipality: Option<Spanned<i64>>,
    k: Option<Spanned<i64>>,
}

fn default_unknown_landuse() -> f64 {
    0.3
}

fn default_max_parcel() -> f64 {
    50_000.0
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawConstraints {
    allowed_landuse: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    forbidden_landuse: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    exclude_unknown_landuse: bool,
    max_main_road_distance_m: Option<f64>,
    max_corridor_access_m: Option<f64>,
    min_area_m2: Option<f64>,
    #[serde(default)]
    exclusion_kinds: Option<Spanned<Vec<String>>>,
    safety_distance_m: Option<f64>,
    #[serde(default)]
    safety_classes: Option<Spanned<Vec<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCriterion {
    id: String,
    label: Option<String>,
    label_en: Option<String>,
    measure: Spanned<String>,
    layer: Option<Spanned<String>>,
    weight: Spanned<f64>,
    function: Spanned<String>,
    points: Option<Spanned<Vec<(f64, f64)>>>,
    min: Option<Spanned<f64>>,
    max: Option<Spanned<f64>>,
    #[serde(default)]
    invert: bool,
    range: Option<Spanned<[f64; 4]>>,
    #[serde(default = "default_missing")]
    missing: f64,
    radius_m: Option<f64>,
    #[serde(default)]
    source: String,
}

fn default_missing() -> f64 {
    0.0
}

struct Ctx<'a>(Source<'a>);

crate::from_located!(ProfileError);

impl Ctx<'_> {
    fn line(&self, span: Range<usize>) -> usize {
        self.0.line(span)
    }

    fn err(
        &self,
        span: Range<usize>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> ProfileError {
        self.0.at(span, key, message).into()
    }

    fn classes(
        &self,
        list: &Option<Spanned<Vec<String>>>,
        key: &str,
    ) -> Result<Vec<LandUseClass>, ProfileError> {
        let Some(list) = list else {
            return Ok(Vec::new());
        };
        list.get_ref()
            .iter()
            .map(|c| {
                LandUseClass::parse(c).ok_or_else(|| {
                    self.err(
                        list.span(),
                        key,
                        format!(
                            "'{c}' is not a land-use class; use one of {}",
                            LandUseClass::ALL.map(|c| c.as_str()).join(", ")
                        ),
                    )
                })
            })
            .collect()
    }
}

/// Parse and check a profile. `file` is only used in messages.
pub fn parse_profile(text: &str, file: &str) -> Result<Profile, ProfileError> {
    let ctx = Ctx(Source { file, text });
    let raw: RawProfile = toml::from_str(text).map_err(|e| ProfileError::from(ctx.0.syntax(&e)))?;

    let station_kind: StationKind = parse_enum(raw.station_kind.get_ref(), STATION_KINDS)
        .map_err(|m| ctx.err(raw.station_kind.span(), "station_kind", m))?;

    let c = &raw.constraints;
    let exclusion_kinds = match &c.exclusion_kinds {
        None => Vec::new(),
        Some(list) => list
            .get_ref()
            .iter()
            .map(|k| {
                parse_enum::<ExclusionKind>(k, EXCLUSION_KINDS)
                    .map_err(|m| ctx.err(list.span(), "constraints.exclusion_kinds", m))
            })
            .collect::<Result<_, _>>()?,
    };
    let constraints = Constraints {
        allowed_landuse: match &c.allowed_landuse {
            None => None,
            some => Some(ctx.classes(some, "constraints.allowed_landuse")?),
        },
        forbidden_landuse: ctx.classes(&c.forbidden_landuse, "constraints.forbidden_landuse")?,
        exclude_unknown_landuse: c.exclude_unknown_landuse,
        max_main_road_distance_m: c.max_main_road_distance_m,
        max_corridor_access_m: c.max_corridor_access_m,
        min_area_m2: c.min_area_m2,
        exclusion_kinds,
        safety_distance_m: c.safety_distance_m,
        safety_classes: ctx.classes(&c.safety_classes, "constraints.safety_classes")?,
    };

    let mut landuse_values = BTreeMap::new();
    for (name, v) in &raw.landuse_values {
        let class = LandUseClass::parse(name).ok_or_else(|| {
            ctx.err(
                v.span(),
                format!("landuse_values.{name}"),
                format!("'{name}' is not a land-use class"),
            )
        })?;
        if !(0.0..=1.0).contains(v.get_ref()) {
            return Err(ctx.err(
                v.span(),
                format!("landuse_values.{name}"),
                "values must lie in 0..1",
            ));
        }
        landuse_values.insert(class, *v.get_ref());
    }

    let mut criteria = Vec::new();
    for (i, spanned) in raw.criteria.iter().enumerate() {
        let rc = spanned.get_ref();
        let key = |k: &str| format!("criteria[{}].{k}", i + 1);
        if criteria.iter().any(|c: &Criterion| c.id == rc.id) {
            return Err(ctx.err(
                spanned.span(),
                key("id"),
                format!("two criteria are called '{}'", rc.id),
            ));
        }
        let measure = match rc.measure.get_ref().as_str() {
            "main_road_distance" => Measure::MainRoadDistance,
            "road_distance" => Measure::RoadDistance,
            "heavy_traffic" => Measure::HeavyTraffic,
            "grid_capacity" => Measure::GridCapacity,
            "grid_distance" => Measure::GridDistance,
            "station_distance" => Measure::StationDistance,
            "logistics_distance" => Measure::LogisticsDistance,
            "logistics_synergy" => Measure::LogisticsSynergy,
            "landuse_suitability" => Measure::LanduseSuitability,
            "area" => Measure::Area,
            "corridor_access" => Measure::CorridorAccess,
            "grid_headroom_2030" => Measure::GridHeadroom2030,
            "distance_to" => {
                let Some(layer) = &rc.layer else {
                    return Err(ctx.err(
                        rc.measure.span(),
                        key("layer"),
                        "distance_to needs `layer = \"rail\"` (or another role)",
                    ));
                };
                let role: Role = parse_enum(layer.get_ref(), &Role::ALL.map(|r| r.as_str()))
                    .map_err(|m| {
                        ctx.err(layer.span(), key("layer"), format!("unknown layer: {m}"))
                    })?;
                Measure::DistanceTo(role)
            }
            other => {
                return Err(ctx.err(
                    rc.measure.span(),
                    key("measure"),
                    format!(
                        "unknown criterion '{other}'; use one of {}",
                        Measure::NAMES.join(", ")
                    ),
                ))
            }
        };
        if rc.layer.is_some() && !matches!(measure, Measure::DistanceTo(_)) {
            let span = rc.layer.as_ref().map(|l| l.span()).unwrap_or(0..0);
            return Err(ctx.err(
                span,
                key("layer"),
                "`layer` belongs to distance_to criteria only",
            ));
        }
        let weight = *rc.weight.get_ref();
        if !(weight.is_finite() && weight >= 0.0) {
            return Err(ctx.err(rc.weight.span(), key("weight"), "weights are numbers ≥ 0"));
        }
        let fspan = rc.function.span();
        let function = match rc.function.get_ref().as_str() {
            "linear" | "step" => {
                let Some(points) = &rc.points else {
                    return Err(ctx.err(
                        fspan,
                        key("points"),
                        "needs `points = [[raw, value], …]`",
                    ));
                };
                let points = points.get_ref().clone();
                if rc.function.get_ref() == "linear" {
                    ValueFunction::Linear { points }
                } else {
                    ValueFunction::Step { points }
                }
            }
            "log" => match (&rc.min, &rc.max) {
                (Some(min), Some(max)) => ValueFunction::Log {
                    min: *min.get_ref(),
                    max: *max.get_ref(),
                    invert: rc.invert,
                },
                _ => return Err(ctx.err(fspan, key("min"), "log needs `min` and `max`")),
            },
            "ideal" => match &rc.range {
                Some(r) => ValueFunction::Ideal {
                    range: *r.get_ref(),
                },
                None => {
                    return Err(ctx.err(
                        fspan,
                        key("range"),
                        "ideal needs `range = [zero_below, one_from, one_to, zero_above]`",
                    ))
                }
            },
            other => {
                return Err(ctx.err(
                    fspan,
                    key("function"),
                    format!("unknown value function '{other}'; use linear, step, log or ideal"),
                ))
            }
        };
        if let Err(e) = function.validate() {
            let (span, k) = match (&rc.points, &rc.range, &rc.min) {
                (Some(p), _, _) => (p.span(), "points"),
                (_, Some(r), _) => (r.span(), "range"),
                (_, _, Some(m)) => (m.span(), "min"),
                _ => (fspan, "function"),
            };
            return Err(ctx.err(span, key(k), e.to_string()));
        }
        if !(0.0..=1.0).contains(&rc.missing) {
            return Err(ctx.err(spanned.span(), key("missing"), "missing must lie in 0..1"));
        }
        criteria.push(Criterion {
            id: rc.id.clone(),
            label: rc.label.clone().unwrap_or_else(|| rc.id.clone()),
            label_en: rc
                .label_en
                .clone()
                .or_else(|| rc.label.clone())
                .unwrap_or_else(|| rc.id.clone()),
            measure,
            weight,
            function,
            missing: rc.missing,
            radius_m: rc.radius_m,
            source: rc.source.clone(),
        });
    }
    if criteria.is_empty() {
        return Err(ctx.err(
            0..0,
            "criteria",
            "a profile needs at least one [[criteria]]",
        ));
    }
    let total: f64 = criteria.iter().map(|c| c.weight).sum();
    if (total - 100.0).abs() > 1e-6 {
        let lines: Vec<String> = raw
            .criteria
            .iter()
            .map(|c| ctx.line(c.get_ref().weight.span()).to_string())
            .collect();
        return Err(ProfileError {
            file: file.to_string(),
            line: ctx.line(raw.criteria[0].get_ref().weight.span()),
            key: "criteria[*].weight".into(),
            message: format!(
                "weights sum to {total}, not 100 (weights on lines {})",
                lines.join(", ")
            ),
        });
    }

    let sites = match &raw.sites {
        None => SiteRules::default(),
        Some(rs) => site_rules(&ctx, rs)?,
    };

    use super::scenario::StationType;
    let sizing_station = match &raw.sizing {
        Some(sz) => StationType::ALL
            .into_iter()
            .find(|t| t.as_str() == sz.station.get_ref())
            .ok_or_else(|| {
                ctx.err(
                    sz.station.span(),
                    "sizing.station",
                    format!(
                        "'{}' is not a station type; use mcs, depot, hydrogen or biogas",
                        sz.station.get_ref()
                    ),
                )
            })?,
        None => match station_kind {
            StationKind::Charging if raw.id.contains("depot") => StationType::Depot,
            StationKind::Charging => StationType::Mcs,
            StationKind::Hydrogen => StationType::Hydrogen,
            StationKind::Biogas => StationType::Biogas,
        },
    };
    let grid_2030 = match raw.sizing.as_ref().and_then(|s| s.grid_2030.as_ref()) {
        None => GridRule::Report,
        Some(g) => match g.get_ref().as_str() {
            "report" => GridRule::Report,
            "constraint" => GridRule::Constraint,
            "criterion" => GridRule::Criterion,
            other => {
                return Err(ctx.err(
                    g.span(),
                    "sizing.grid_2030",
                    format!(
                        "'{other}' is not a grid rule; use {}",
                        GridRule::NAMES.join(", ")
                    ),
                ))
            }
        },
    };
    // One source of truth: the criterion exists exactly when the rule says so.
    let scored = criteria
        .iter()
        .any(|c| c.measure == Measure::GridHeadroom2030);
    if scored != (grid_2030 == GridRule::Criterion) {
        let span = raw
            .sizing
            .as_ref()
            .and_then(|s| s.grid_2030.as_ref().map(|g| g.span()))
            .unwrap_or(0..0);
        return Err(ctx.err(
            span,
            "sizing.grid_2030",
            if scored {
                "a grid_headroom_2030 criterion needs `grid_2030 = \"criterion\"` in [sizing]"
                    .to_string()
            } else {
                "`grid_2030 = \"criterion\"` needs a [[criteria]] entry with measure = \"grid_headroom_2030\"".to_string()
            },
        ));
    }
    Ok(Profile {
        grid_2030,
        sizing_station,
        sites,
        id: raw.id,
        name: raw.name.clone(),
        name_en: raw.name_en.unwrap_or(raw.name),
        description: raw.description,
        station_kind,
        constraints,
        criteria,
        landuse_values,
        unknown_landuse_value: raw.unknown_landuse_value,
        max_parcel_area_m2: raw.max_parcel_area_m2,
    })
}

fn site_rules(ctx: &Ctx, rs: &RawSites) -> Result<SiteRules, ProfileError> {
    let d = SiteRules::default();
    let number = |v: &Option<Spanned<f64>>, key: &str, default: f64, positive: bool| {
        let Some(v) = v else { return Ok(default) };
        let x = *v.get_ref();
        if !x.is_finite() || x < 0.0 || (positive && x == 0.0) {
            let what = if positive { "> 0" } else { "≥ 0" };
            return Err(ctx.err(
                v.span(),
                format!("sites.{key}"),
                format!("must be a number {what}"),
            ));
        }
        Ok(x)
    };
    let count = |v: &Option<Spanned<i64>>, key: &str| -> Result<Option<usize>, ProfileError> {
        let Some(v) = v else { return Ok(None) };
        if *v.get_ref() < 1 {
            return Err(ctx.err(
                v.span(),
                format!("sites.{key}"),
                "must be a whole number ≥ 1",
            ));
        }
        Ok(Some(*v.get_ref() as usize))
    };
    Ok(SiteRules {
        max_score_drop: number(
            &rs.max_score_drop,
            "max_score_drop",
            d.max_score_drop,
            false,
        )?,
        max_area_ha: number(&rs.max_area_ha, "max_area_ha", d.max_area_ha, true)?,
        min_area_ha: number(&rs.min_area_ha, "min_area_ha", d.min_area_ha, false)?,
        min_spacing_km: number(
            &rs.min_spacing_km,
            "min_spacing_km",
            d.min_spacing_km,
            false,
        )?,
        max_per_municipality: count(&rs.max_per_municipality, "max_per_municipality")?,
        k: count(&rs.k, "k")?.unwrap_or(d.k),
    })
}

/// Weights renormalized to sum to 100, after the user changed some of them.
pub fn with_weights(profile: &Profile, weights: &BTreeMap<String, f64>) -> Result<Profile, String> {
    let mut p = profile.clone();
    for (id, w) in weights {
        let c = p.criteria.iter_mut().find(|c| &c.id == id).ok_or_else(|| {
            format!(
                "unknown criterion '{id}' in profile {}; it has {}",
                profile.id,
                profile
                    .criteria
                    .iter()
                    .map(|c| c.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?;
        if !(w.is_finite() && *w >= 0.0) {
            return Err(format!("weight of '{id}' must be a number ≥ 0"));
        }
        c.weight = *w;
    }
    let total: f64 = p.criteria.iter().map(|c| c.weight).sum();
    if (total - 100.0).abs() > 1e-6 {
        return Err(format!("weights sum to {total}, not 100"));
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = r#"
id = "t"
name = "Test"
station_kind = "charging"

[constraints]
forbidden_landuse = ["residential"]
exclusion_kinds = ["protected"]

[[criteria]]
id = "road"
measure = "main_road_distance"
weight = 60
function = "linear"
points = [[500, 1.0], [3000, 0.0]]

[[criteria]]
id = "rail"
measure = "distance_to"
layer = "rail"
weight = 40
function = "log"
min = 1
max = 40
invert = true
"#;

    #[test]
    fn a_valid_profile_parses_with_units() {
        let p = parse_profile(OK, "t.toml").unwrap();
        assert_eq!(p.criteria.len(), 2);
        assert_eq!(p.criteria[1].measure, Measure::DistanceTo(Role::Rail));
        assert_eq!(p.criteria[0].measure.unit(), "m");
        assert_eq!(
            p.constraints.forbidden_landuse,
            vec![LandUseClass::Residential]
        );
    }

    #[test]
    fn logistics_synergy_is_a_measure_in_index_units() {
        let text = OK.replace("\"main_road_distance\"", "\"logistics_synergy\"");
        let p = parse_profile(&text, "t.toml").unwrap();
        assert_eq!(p.criteria[0].measure, Measure::LogisticsSynergy);
        assert_eq!(p.criteria[0].measure.unit(), "index");
        assert_eq!(p.criteria[0].measure.name(), "logistics_synergy");
        assert!(Measure::NAMES.contains(&"logistics_synergy"));
    }

    #[test]
    fn weights_that_do_not_sum_to_100_are_rejected_with_their_lines() {
        let err = parse_profile(
            &OK.replace("weight = 40", "weight = 35"),
            "data/profiles/t.toml",
        )
        .unwrap_err();
        assert_eq!(err.file, "data/profiles/t.toml");
        assert_eq!(err.key, "criteria[*].weight");
        assert_eq!(err.line, 13);
        assert!(err.message.contains("sum to 95"), "{err}");
        assert!(err.message.contains("lines 13, 21"), "{err}");
    }

    #[test]
    fn an_unknown_criterion_is_named_with_its_line() {
        let err = parse_profile(
            &OK.replace("\"main_road_distance\"", "\"beauty\""),
            "t.toml",
        )
        .unwrap_err();
        assert_eq!((err.line, err.key.as_str()), (12, "criteria[1].measure"));
        assert!(err.message.contains("unknown criterion 'beauty'"), "{err}");
    }

    #[test]
    fn an_unknown_layer_is_named_with_its_line() {
        let err = parse_profile(
            &OK.replace("layer = \"rail\"", "layer = \"canals\""),
            "t.toml",
        )
        .unwrap_err();
        assert_eq!((err.line, err.key.as_str()), (20, "criteria[2].layer"));
        assert!(err.message.contains("canals"), "{err}");
    }

    #[test]
    fn thresholds_in_the_wrong_order_are_named_with_their_line() {
        let err = parse_profile(
            &OK.replace("[[500, 1.0], [3000, 0.0]]", "[[3000, 0.0], [500, 1.0]]"),
            "t.toml",
        )
        .unwrap_err();
        assert_eq!((err.line, err.key.as_str()), (15, "criteria[1].points"));
        assert!(err.message.contains("must ascend"), "{err}");
        let err = parse_profile(
            &OK.replace("min = 1\nmax = 40", "min = 40\nmax = 1"),
            "t.toml",
        )
        .unwrap_err();
        assert_eq!(err.key, "criteria[2].min");
    }

    #[test]
    fn unknown_keys_and_classes_are_rejected() {
        let err = parse_profile(
            &OK.replace("id = \"t\"", "id = \"t\"\ncolour = \"red\""),
            "t.toml",
        )
        .unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.message.contains("colour"), "{err}");
        let err =
            parse_profile(&OK.replace("[\"residential\"]", "[\"villas\"]"), "t.toml").unwrap_err();
        assert_eq!(err.key, "constraints.forbidden_landuse");
    }

    #[test]
    fn site_rules_default_when_absent_and_bad_values_are_named_with_their_line() {
        let p = parse_profile(OK, "t.toml").unwrap();
        assert_eq!(p.sites, SiteRules::default());
        let text = format!("{OK}\n[sites]\nmin_spacing_km = 20\nk = 5\n");
        let p = parse_profile(&text, "t.toml").unwrap();
        assert_eq!((p.sites.min_spacing_km, p.sites.k), (20.0, 5));
        let bad = format!("{OK}\n[sites]\nmin_spacing_km = -3\n");
        let err = parse_profile(&bad, "t.toml").unwrap_err();
        assert_eq!(err.key, "sites.min_spacing_km");
        assert_eq!(err.line, bad.lines().count());
        let bad = format!("{OK}\n[sites]\nk = 0\n");
        assert_eq!(parse_profile(&bad, "t.toml").unwrap_err().key, "sites.k");
    }

    #[test]
    fn new_weights_must_still_sum_to_100_and_name_known_criteria() {
        let p = parse_profile(OK, "t.toml").unwrap();
        let w = BTreeMap::from([("road".to_string(), 10.0), ("rail".to_string(), 90.0)]);
        assert_eq!(with_weights(&p, &w).unwrap().criteria[1].weight, 90.0);
        let bad = BTreeMap::from([("road".to_string(), 10.0)]);
        assert!(with_weights(&p, &bad).unwrap_err().contains("sum to 50"));
        let unknown = BTreeMap::from([("roads".to_string(), 60.0)]);
        assert!(with_weights(&p, &unknown)
            .unwrap_err()
            .contains("unknown criterion 'roads'"));
    }
}
