//! The catalog: the collections the OGC API serves and the export writes: every input role with features, and the scored
//! candidates of every profile. Input layers are built once at start-up, in CRS84, ready to
//! page through. Candidates are kept as their measurements and explained on request, so a
//! grid of hundreds of thousands of cells costs columns, not JSON.

pub mod cache;
pub mod places;
pub mod planned;
pub mod query;
pub mod review;
pub mod sites;

use std::sync::Arc;

use geo::{BoundingRect, Geometry};
use rayon::prelude::*;
use serde_json::{Map, Value};

use crate::config::{load_profile, profile_names};
use crate::domain::Region;
use crate::ingest::crs::{CrsError, ToCrs84};
use crate::scoring::report::breakdown;
use crate::scoring::{
    candidates, measure_shared, rank, AreaFilter, Candidate, Normalized, Ranking, ScoringContext,
};

/// One feature, already in CRS84 GeoJSON form.
#[derive(Debug, Clone)]
pub struct Item {
    pub id: String,
    /// [min lon, min lat, max lon, max lat].
    pub bbox: [f64; 4],
    /// The geometry in CRS84; written as GeoJSON on request (kept as JSON values, a
    /// coordinate pair would cost about 110 bytes instead of 16).
    pub lonlat: Geometry<f64>,
    /// The geometry in EPSG:25833, for `crs` and `bbox-crs` requests in the storage CRS.
    pub native: Geometry<f64>,
    /// [min x, min y, max x, max y] in EPSG:25833.
    pub native_bbox: [f64; 4],
    pub properties: Map<String, Value>,
}

pub struct Collection {
    pub id: String,
    pub title: String,
    pub description: String,
    pub source: Source,
    pub extent: Option<[f64; 4]>,
}

/// Where a collection's features come from.
pub enum Source {
    /// An input layer, fully built.
    Layer(Vec<Item>),
    /// A profile's scored candidates, explained on request.
    Candidates(Arc<Scored>),
}

/// The properties of a candidate that come straight from columns, without explaining it.
/// A test checks them against the full explanation.
const CANDIDATE_COLUMNS: [&str; 6] = [
    "id",
    "kommunenummer",
    "score",
    "rank",
    "municipality_rank",
    "excluded",
];

impl Collection {
    pub fn len(&self) -> usize {
        match &self.source {
            Source::Layer(items) => items.len(),
            Source::Candidates(s) => s.raw.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn id_of(&self, i: usize) -> &str {
        match &self.source {
            Source::Layer(items) => &items[i].id,
            Source::Candidates(s) => &s.raw.candidates[i].id,
        }
    }

    /// Index of the feature with this id.
    pub fn find(&self, id: &str) -> Option<usize> {
        (0..self.len()).find(|&i| self.id_of(i) == id)
    }

    /// In CRS84, or EPSG:25833 when `native`.
    pub fn bbox(&self, i: usize, native: bool) -> [f64; 4] {
        match (&self.source, native) {
            (Source::Layer(items), false) => items[i].bbox,
            (Source::Layer(items), true) => items[i].native_bbox,
            (Source::Candidates(s), false) => s.lonlat.bbox(i),
            (Source::Candidates(s), true) => bounds(&s.raw.candidates[i].geometry),
        }
    }

    /// GeoJSON geometry in CRS84, or EPSG:25833 (millimetres) when `native`.
    pub fn geometry(&self, i: usize, native: bool) -> Value {
        let g = match (&self.source, native) {
            (Source::Layer(items), false) => return geojson(&items[i].lonlat),
            (Source::Layer(items), true) => &items[i].native,
            (Source::Candidates(s), false) => return geojson(&s.lonlat.geometry(i)),
            (Source::Candidates(s), true) => &s.raw.candidates[i].geometry,
        };
        use geo::MapCoords;
        let round = |v: f64| (v * 1e3).round() / 1e3;
        geojson(&g.map_coords(|c| geo::coord! { x: round(c.x), y: round(c.y) }))
    }

    /// Every property of feature `i`; for a candidate, its full explanation.
    pub fn properties(&self, i: usize, ctx: &ScoringContext) -> Map<String, Value> {
        match &self.source {
            Source::Layer(items) => items[i].properties.clone(),
            Source::Candidates(s) => {
                let report = breakdown(ctx, &s.raw, &s.norm, &s.ranking, &s.weights, i);
                let mut p = props(&report.id, &report);
                p.insert(
                    "municipality_rank".into(),
                    report
                        .municipality_rank
                        .map(Value::from)
                        .unwrap_or(Value::Null),
                );
                p
            }
        }
    }

    /// A candidate's full explanation; None for an input layer.
    pub fn report(
        &self,
        i: usize,
        ctx: &ScoringContext,
    ) -> Option<crate::scoring::report::CandidateReport> {
        match &self.source {
            Source::Layer(_) => None,
            Source::Candidates(s) => {
                Some(breakdown(ctx, &s.raw, &s.norm, &s.ranking, &s.weights, i))
            }
        }
    }

    /// The geometry in EPSG:25833.
    pub fn native(&self, i: usize) -> &Geometry<f64> {
        match &self.source {
            Source::Layer(items) => &items[i].native,
            Source::Candidates(s) => &s.raw.candidates[i].geometry,
        }
    }

    /// One property of feature `i`, from a column where there is one.
    pub fn property(&self, i: usize, name: &str, ctx: &ScoringContext) -> Option<Value> {
        match &self.source {
            Source::Layer(items) => items[i].properties.get(name).cloned(),
            Source::Candidates(s) => {
                let excluded = s.raw.excluded(i);
                let rank = |r: u32| {
                    if excluded {
                        Value::Null
                    } else {
                        Value::from(r)
                    }
                };
                Some(match name {
                    "id" => Value::from(s.raw.candidates[i].id.as_str()),
                    "kommunenummer" => s.kommunenummer[i]
                        .as_deref()
                        .map(Value::from)
                        .unwrap_or(Value::Null),
                    "score" if excluded => Value::Null,
                    "score" => Value::from(s.ranking.scores[i]),
                    "rank" => rank(s.ranking.region_rank[i]),
                    "municipality_rank" => rank(s.ranking.municipality_rank[i]),
                    "excluded" => Value::from(excluded),
                    other => return self.properties(i, ctx).remove(other),
                })
            }
        }
    }

    /// Names a filter or sort may use.
    pub fn property_names(&self) -> Vec<String> {
        let mut names: Vec<String> = match &self.source {
            Source::Layer(items) => items
                .first()
                .map(|i| i.properties.keys().cloned().collect())
                .unwrap_or_default(),
            Source::Candidates(_) => candidate_property_names(),
        };
        names.sort_unstable();
        names
    }

    pub fn has_property(&self, name: &str) -> bool {
        match &self.source {
            Source::Layer(items) => items.iter().any(|i| i.properties.contains_key(name)),
            Source::Candidates(_) => candidate_property_names().iter().any(|n| n == name),
        }
    }

    /// Whether a property is a column, cheap to filter and sort on.
    pub fn is_column(&self, name: &str) -> bool {
        match &self.source {
            Source::Layer(_) => true,
            Source::Candidates(_) => CANDIDATE_COLUMNS.contains(&name),
        }
    }

    pub fn scored_arc(&self) -> Option<Arc<Scored>> {
        match &self.source {
            Source::Layer(_) => None,
            Source::Candidates(s) => Some(s.clone()),
        }
    }

    pub fn scored(&self) -> Option<&Scored> {
        match &self.source {
            Source::Layer(_) => None,
            Source::Candidates(s) => Some(s),
        }
    }
}

/// The top-level properties of an explained candidate.
fn candidate_property_names() -> Vec<String> {
    [
        "id",
        "name",
        "profile",
        "kommunenummer",
        "kommunenavn",
        "area_m2",
        "landuse",
        "score",
        "rank",
        "municipality_rank",
        "excluded",
        "exclusions",
        "criteria",
    ]
    .into_iter()
    .chain(review::FIELDS)
    .map(String::from)
    .collect()
}

/// Polygons with the winding GeoJSON (RFC 7946) asks for: exteriors counter-clockwise.
pub fn oriented(g: &Geometry<f64>) -> Geometry<f64> {
    use geo::orient::{Direction, Orient};
    match g {
        Geometry::Polygon(p) => Geometry::Polygon(p.orient(Direction::Default)),
        Geometry::MultiPolygon(mp) => Geometry::MultiPolygon(mp.orient(Direction::Default)),
        other => other.clone(),
    }
}

/// GeoJSON for a geometry, with counter-clockwise exterior rings (RFC 7946).
pub fn geojson(g: &Geometry<f64>) -> Value {
    let oriented = oriented(g);
    let geometry = geojson::Geometry::new(geojson::GeometryValue::from(&oriented));
    serde_json::to_value(&geometry).unwrap_or(Value::Null)
}

fn item(
    t: &ToCrs84,
    id: String,
    g: &Geometry<f64>,
    properties: Map<String, Value>,
) -> Result<Item, CrsError> {
    let lonlat = t.apply(g)?;
    Ok(Item {
        id,
        bbox: bounds(&lonlat),
        lonlat,
        native_bbox: bounds(g),
        native: g.clone(),
        properties,
    })
}

fn bounds(g: &Geometry<f64>) -> [f64; 4] {
    g.bounding_rect()
        .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y])
        .unwrap_or([0.0; 4])
}

fn props<T: serde::Serialize>(id: &str, attrs: &T) -> Map<String, Value> {
    let mut m = match serde_json::to_value(attrs) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    m.insert("id".into(), Value::String(id.to_string()));
    m
}

fn extent(boxes: impl Iterator<Item = [f64; 4]>) -> Option<[f64; 4]> {
    boxes.reduce(|a, b| {
        [
            a[0].min(b[0]),
            a[1].min(b[1]),
            a[2].max(b[2]),
            a[3].max(b[3]),
        ]
    })
}

fn layer<T: serde::Serialize>(
    t: &ToCrs84,
    id: &str,
    title: &str,
    features: &[crate::domain::Feature<T>],
) -> Result<Option<Collection>, CrsError> {
    if features.is_empty() {
        return Ok(None);
    }
    let items = features
        .iter()
        .map(|f| item(t, f.id.clone(), &f.geometry, props(&f.id, &f.attrs)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(Collection {
        id: id.to_string(),
        title: title.to_string(),
        description: format!("Input layer '{id}', EPSG:25833 internally, served in CRS84"),
        extent: extent(items.iter().map(|i| i.bbox)),
        source: Source::Layer(items),
    }))
}

/// Which candidates a scored set holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CandidateSet {
    /// Suitable land-use parcels; also served as `candidates-{profile}` collections.
    Parcels,
    /// Grid cells (`serve --grid`), for re-weighting only: hundreds of thousands of cells.
    Grid,
}

impl CandidateSet {
    pub fn name(self) -> &'static str {
        match self {
            CandidateSet::Parcels => "parcels",
            CandidateSet::Grid => "grid",
        }
    }
}

/// The id of a profile's candidate collection: `candidates-{profile}`, `…-grid` for the grid.
pub fn candidates_id(profile: &str, set: CandidateSet) -> String {
    match set {
        CandidateSet::Grid => format!("candidates-{profile}-grid"),
        CandidateSet::Parcels => format!("candidates-{profile}"),
    }
}

/// Grid candidates to measure at start-up besides the parcels.
#[derive(Debug, Clone)]
pub struct GridSpec {
    /// Cell size in metres.
    pub size: f64,
    pub filter: AreaFilter,
}

/// A profile's measured candidates, kept so that new weights only re-weigh and re-rank.
pub struct Scored {
    pub set: CandidateSet,
    pub profile: crate::domain::profile::Profile,
    pub raw: crate::scoring::RawTable,
    pub norm: Normalized,
    /// Kommunenummer of each candidate, for filters and the response; one string per
    /// municipality, not per cell.
    pub kommunenummer: Arc<Vec<Option<Arc<str>>>>,
    /// The profile's own weights, and the ranking they give.
    pub weights: Vec<f64>,
    pub ranking: Ranking,
    /// Each candidate's geometry in CRS84; shared, like the kommunenummer, by every
    /// profile's grid.
    pub lonlat: Arc<places::LonLat>,
    /// Which candidates touch, for growing site areas; shared by every profile's grid, whose
    /// cells are the same.
    pub adjacency: Arc<crate::scoring::areas::Adjacency>,
}

/// Where a set's candidates lie, in CRS84, and their kommunenummer: the same for every
/// profile scored on the same candidates.
#[derive(Clone)]
pub struct Places {
    pub lonlat: Arc<places::LonLat>,
    pub kommunenummer: Arc<Vec<Option<Arc<str>>>>,
}

impl Places {
    fn new(region: &Region, candidates: &[Candidate]) -> Result<Self, CrsError> {
        Ok(Places {
            lonlat: Arc::new(places::LonLat::new(candidates)?),
            kommunenummer: Arc::new(kommunenummer(region, candidates)),
        })
    }
}

/// What every profile's grid shares: the cells, where they lie, the columns measured so far
/// and which cells touch. Built by the first profile, reused by the others.
#[derive(Default)]
struct GridShare {
    candidates: Option<Arc<Vec<Candidate>>>,
    places: Option<Places>,
    columns: crate::scoring::Columns,
    adjacency: Option<Arc<crate::scoring::areas::Adjacency>>,
    /// Each profile's failed constraints, from the start-up cache.
    cached_failures: std::collections::BTreeMap<String, crate::scoring::Failures>,
    /// Whether a profile had to be measured although the cache was read.
    measured_any: bool,
}

impl Scored {
    fn new(
        region: &Region,
        set: CandidateSet,
        profile: crate::domain::profile::Profile,
        raw: crate::scoring::RawTable,
        adjacency: Option<Arc<crate::scoring::areas::Adjacency>>,
        places: Option<Places>,
    ) -> Result<Self, CrsError> {
        // A server keeps raw columns only; see `Normalized::lazy`.
        let norm = Normalized::lazy(&raw, &profile);
        let weights: Vec<f64> = profile.criteria.iter().map(|c| c.weight).collect();
        // The first profile on a set of candidates also places them and finds which touch;
        // the three are independent.
        let ((ranking, adjacency), places) = rayon::join(
            || {
                rayon::join(
                    || rank(&raw, &norm, &weights),
                    || {
                        adjacency.unwrap_or_else(|| {
                            Arc::new(crate::scoring::areas::Adjacency::new(&raw.candidates))
                        })
                    },
                )
            },
            || match places {
                Some(p) => Ok(p),
                None => Places::new(region, &raw.candidates),
            },
        );
        let places = places?;
        Ok(Scored {
            adjacency,
            set,
            kommunenummer: places.kommunenummer,
            lonlat: places.lonlat,
            weights,
            ranking,
            profile,
            raw,
            norm,
        })
    }

    /// Where the candidates lie, to share with another profile's set of the same candidates.
    pub fn places(&self) -> Places {
        Places {
            lonlat: self.lonlat.clone(),
            kommunenummer: self.kommunenummer.clone(),
        }
    }
}

fn kommunenummer(region: &Region, candidates: &[Candidate]) -> Vec<Option<Arc<str>>> {
    let numbers: Vec<Arc<str>> = region
        .boundary
        .iter()
        .map(|b| Arc::from(b.attrs.number.as_str()))
        .collect();
    candidates
        .iter()
        .map(|c| {
            c.municipality
                .and_then(|m| numbers.get(m as usize).cloned())
        })
        .collect()
}

/// Every collection of a region: the input layers, then `candidates-{profile}` for each
/// shipped profile, scored on suitable parcels, and `candidates-{profile}-grid` when `grid`
/// is given. Also returns each profile's measurements.
pub fn build(
    ctx: &ScoringContext,
    grid: Option<&GridSpec>,
) -> Result<(Vec<Collection>, Vec<Arc<Scored>>), CrsError> {
    build_cached(ctx, grid, None)
}

/// As `build`, reading the grid's measurements from the start-up cache in `cache` when it
/// holds them for this data, and writing them there when it does not.
pub fn build_cached(
    ctx: &ScoringContext,
    grid: Option<&GridSpec>,
    cache: Option<&cache::CacheSpec>,
) -> Result<(Vec<Collection>, Vec<Arc<Scored>>), CrsError> {
    let mut scored = Vec::new();
    // Where each scored set's collection sits in `out`, for its site areas.
    let mut at = Vec::new();
    let profiles: Vec<crate::domain::profile::Profile> = profile_names()
        .into_iter()
        .filter_map(|name| match load_profile(&name) {
            Ok(p) => Some(p),
            Err(_) => {
                tracing::warn!(profile = %name, "profile could not be loaded; its candidates are not served");
                None
            }
        })
        .collect();
    // The grid's cells do not depend on the profile: they, where they lie, which touch and
    // the columns measured on them are built once and shared.
    let mut grid_share = GridShare::default();
    let cache_file = match (grid, cache) {
        (Some(g), Some(c)) => Some(cache::path(c, g, &profiles)),
        _ => None,
    };
    // The input layers and the cache file are independent: read both at once.
    let (layers, cached) = rayon::join(
        || layers(ctx),
        || {
            let (Some(path), Some(g)) = (&cache_file, grid) else {
                return None;
            };
            let started = std::time::Instant::now();
            Some((
                cache::read(path, g.size, ctx.region.boundary.len()),
                started.elapsed().as_secs_f64(),
            ))
        },
    );
    let mut out = layers?;
    if let (Some(path), Some((read, seconds))) = (&cache_file, cached) {
        match read {
            Ok(Some(c)) => {
                tracing::info!(path = %path.display(), cells = c.cells.len(), seconds, "grid measurements read from the start-up cache");
                grid_share.candidates = Some(Arc::new(c.cells));
                grid_share.columns = c.columns;
                grid_share.cached_failures = c.failures;
            }
            Ok(None) => {
                tracing::info!(path = %path.display(), "no start-up cache for this data and grid yet; measuring")
            }
            Err(e) => tracing::warn!("{e}"),
        }
    }
    let from_cache = grid_share.candidates.is_some();
    for profile in &profiles {
        let mut sets = vec![CandidateSet::Parcels];
        sets.extend(grid.map(|_| CandidateSet::Grid));
        for set in sets {
            let share = match set {
                CandidateSet::Grid => Some(&mut grid_share),
                CandidateSet::Parcels => None,
            };
            let c = measured_collection(ctx, profile, set, grid, share)?;
            if let Some(s) = c.scored_arc() {
                scored.push(s);
                at.push(out.len());
            }
            out.push(c);
        }
    }
    // Site areas depend on one profile's candidates each: grow them side by side, then
    // place each after its candidates.
    let areas = scored
        .par_iter()
        .map(|s| sites_collection(ctx, s))
        .collect::<Result<Vec<_>, _>>()?;
    let mut areas = at
        .into_iter()
        .zip(areas)
        .filter_map(|(k, a)| Some((k, a?)))
        .peekable();
    let mut ordered = Vec::with_capacity(out.len() + scored.len());
    for (k, c) in out.into_iter().enumerate() {
        ordered.push(c);
        if let Some((_, a)) = areas.next_if(|(at, _)| *at == k) {
            ordered.push(a);
        }
    }
    let out = ordered;
    if let (Some(path), Some(cells)) = (&cache_file, &grid_share.candidates) {
        if !from_cache || grid_share.measured_any {
            let failures: std::collections::BTreeMap<String, &crate::scoring::Failures> = scored
                .iter()
                .filter(|s| s.set == CandidateSet::Grid)
                .map(|s| (s.profile.id.clone(), &s.raw.failures))
                .collect();
            match cache::write(path, cells, &grid_share.columns, &failures) {
                Ok(bytes) => {
                    tracing::info!(path = %path.display(), bytes, "grid measurements written to the start-up cache")
                }
                Err(e) => tracing::warn!("{e}; the next start measures again"),
            }
        }
    }
    Ok((out, scored))
}

/// The input layers with features, in CRS84, and the hub clusters of the terminals.
pub fn layers(ctx: &ScoringContext) -> Result<Vec<Collection>, CrsError> {
    let started = std::time::Instant::now();
    let region = ctx.region;
    let t = ToCrs84::new()?;
    let layers = [
        layer(&t, "municipalities", "Kommuner", &region.boundary)?,
        layer(&t, "landuse", "Arealbruk", &region.landuse)?,
        layer(&t, "roads", "Veger", &region.roads)?,
        layer(&t, "rail", "Jernbane", &region.rail)?,
        layer(&t, "terminals", "Terminaler og havner", &region.terminals)?,
        hub_layer(ctx, &t)?,
        layer(&t, "grid", "Nettkapasitet", &region.grid)?,
        layer(&t, "stations", "Energistasjoner", &region.stations)?,
        layer(&t, "exclusion", "Utelukkede områder", &region.exclusion)?,
    ];
    let mut out: Vec<Collection> = layers.into_iter().flatten().collect();
    let layers_s = started.elapsed().as_secs_f64();
    out.extend(corridor_layers(ctx, &t)?);
    tracing::info!(
        layers_s,
        corridors_s = started.elapsed().as_secs_f64() - layers_s,
        "input layers"
    );
    Ok(out)
}

/// `hub-clusters`: places where at least three terminals lie within 15 minutes' drive of
/// one of them, the centre (`network::synergy::hub_clusters`), ids `hub-1`, `hub-2`, … in the
/// order found, the largest first. Served whenever the region has terminals, so that an
/// empty collection says there is no cluster rather than that nobody looked.
///
/// Each is drawn as the MultiPoint of its members, the centre first: a click on any member
/// finds the cluster and a bbox query finds it when any member is in view, which a point at
/// the centre would not; and a convex hull of three terminals along one road is a sliver or
/// a line, and would paint the land between them as if it were part of the hub.
fn hub_layer(ctx: &ScoringContext, t: &ToCrs84) -> Result<Option<Collection>, CrsError> {
    use crate::network::synergy::{self, FacilityKind, HUB_MINUTES, MIN_HUB_MEMBERS};
    if ctx.region.terminals.is_empty() {
        return Ok(None);
    }
    let facilities = synergy::facilities_of(ctx.region);
    let (graph, snaps, max_snap_m) = ctx.roads();
    let clusters = synergy::hub_clusters(
        graph,
        snaps,
        &facilities,
        HUB_MINUTES,
        MIN_HUB_MEMBERS,
        max_snap_m,
    );
    let mut items = Vec::new();
    for (n, c) in clusters.iter().enumerate() {
        let members: Vec<&synergy::Facility> = c
            .members
            .iter()
            .filter_map(|&(i, _)| facilities.get(i))
            .collect();
        let mut kinds: Vec<FacilityKind> = members.iter().map(|f| f.kind).collect();
        kinds.sort_unstable();
        kinds.dedup();
        let kinds: Vec<String> = kinds
            .iter()
            .filter_map(|k| serde_json::to_value(k).ok())
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        let id = format!("hub-{}", n + 1);
        let mut p = Map::new();
        p.insert("id".into(), Value::from(id.clone()));
        p.insert("name".into(), Value::from(c.name.clone()));
        p.insert("members".into(), Value::from(members.len()));
        p.insert(
            "member_names".into(),
            Value::from(
                members
                    .iter()
                    .map(|f| f.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        );
        // Names may repeat (two ports called Moss); ids join the `terminals` collection.
        p.insert(
            "member_ids".into(),
            Value::from(
                members
                    .iter()
                    .map(|f| f.id.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
            ),
        );
        // Members come nearest first: the last is the farthest.
        p.insert(
            "max_minutes".into(),
            Value::from(c.members.last().map_or(0.0, |m| m.1)),
        );
        p.insert("kinds".into(), Value::from(kinds.join(",")));
        let points = geo::MultiPoint::from(
            members
                .iter()
                .map(|f| geo::Point::new(f.xy[0], f.xy[1]))
                .collect::<Vec<_>>(),
        );
        items.push(item(t, id, &Geometry::MultiPoint(points), p)?);
    }
    Ok(Some(Collection {
        id: "hub-clusters".into(),
        title: "Logistikknutepunkter".into(),
        description: format!(
            "Hub clusters: at least {MIN_HUB_MEMBERS} freight terminals, ports, logistics hubs or \
             air cargo terminals within {HUB_MINUTES} minutes' drive of one of them (the centre, \
             which names the cluster), drawn as the members' points, the centre first. \
             max_minutes is the drive from the centre to the farthest member; member_names \
             and member_ids (the terminals' ids) run nearest first."
        ),
        extent: extent(items.iter().map(|i| i.bbox)),
        source: Source::Layer(items),
    }))
}

/// `corridors` (each resolved corridor's line) and `corridor-gaps` (every gap of every AFIR
/// rule year against the stations layer), when the region has corridors.
fn corridor_layers(ctx: &ScoringContext, t: &ToCrs84) -> Result<Vec<Collection>, CrsError> {
    use crate::network::coverage::{analyse, Options};
    let (Some(n), Ok(rules)) = (&ctx.network, crate::domain::afir::Rules::builtin()) else {
        return Ok(Vec::new());
    };
    let mut lines = Vec::new();
    for c in &n.corridors {
        let mut p = Map::new();
        p.insert("name".into(), Value::from(c.name.clone()));
        p.insert("tent".into(), Value::from(c.tent.to_string()));
        p.insert(
            "refs".into(),
            Value::from(c.refs.iter().map(|r| r.to_string()).collect::<Vec<_>>()),
        );
        p.insert("length_km".into(), Value::from(round3(c.length_m / 1000.0)));
        lines.push(item(
            t,
            slug(&c.name),
            &Geometry::LineString(c.line.clone()),
            p,
        )?);
    }
    let mut gaps = Vec::new();
    for year in rules.years() {
        let report = analyse(n, ctx.region, &rules, year, &[], Options::default());
        let mut counter: std::collections::HashMap<String, usize> = Default::default();
        for (c, k, g) in report.gaps() {
            let key = format!("{}-{}-{}", slug(&c.name), k.rule, k.fuel);
            let nth = counter.entry(key.clone()).or_default();
            *nth += 1;
            let mut p = Map::new();
            p.insert("corridor".into(), Value::from(c.name.clone()));
            p.insert("tent".into(), Value::from(c.tent.to_string()));
            p.insert("year".into(), Value::from(year));
            p.insert("rule".into(), Value::from(k.rule.clone()));
            p.insert("fuel".into(), Value::from(k.fuel.to_string()));
            p.insert("max_spacing_km".into(), Value::from(k.max_spacing_km));
            p.insert("from_km".into(), Value::from(round3(g.from_km)));
            p.insert("to_km".into(), Value::from(round3(g.to_km)));
            p.insert("length_km".into(), Value::from(round3(g.length_km)));
            p.insert("excess_km".into(), Value::from(round3(g.excess_km)));
            p.insert("open_end".into(), Value::from(g.open_end));
            p.insert("source".into(), Value::from(k.source.clone()));
            gaps.push(item(
                t,
                format!("{key}-{nth}"),
                &Geometry::LineString(g.geometry.clone()),
                p,
            )?);
        }
    }
    let mut out = Vec::new();
    if !lines.is_empty() {
        out.push(Collection {
            id: "corridors".into(),
            title: "TEN-T-korridorer".into(),
            description: "The region's corridors as resolved on the road graph, with TEN-T category and length".into(),
            extent: extent(lines.iter().map(|i| i.bbox)),
            source: Source::Layer(lines),
        });
        out.push(Collection {
            id: "corridor-gaps".into(),
            title: "AFIR-gap langs korridorene".into(),
            description: "Stretches longer than the AFIR spacing (Regulation (EU) 2023/1804 art. 4 and 6), per corridor and rule year (filter with ?year=2030), against the stations layer. GET /api/corridors adds approved and built candidates.".into(),
            extent: extent(gaps.iter().map(|i| i.bbox)),
            source: Source::Layer(gaps),
        });
    }
    Ok(out)
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// "E6 Svinesund–Oslo" → "e6-svinesund-oslo", for ids.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for ch in name.to_lowercase().chars() {
        let ch = match ch {
            'æ' => 'e',
            'ø' => 'o',
            'å' => 'a',
            c => c,
        };
        if ch.is_ascii_alphanumeric() {
            out.push(ch);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// One profile's candidates, measured and ranked with its own weights: the parcels
/// (`candidates-{profile}`) or the grid of `grid` (`candidates-{profile}-grid`).
pub fn candidates_collection(
    ctx: &ScoringContext,
    profile: &crate::domain::profile::Profile,
    set: CandidateSet,
    grid: Option<&GridSpec>,
) -> Result<Collection, CrsError> {
    measured_collection(ctx, profile, set, grid, None)
}

/// As `candidates_collection`; a grid reuses what `share` holds from another profile's grid.
fn measured_collection(
    ctx: &ScoringContext,
    profile: &crate::domain::profile::Profile,
    set: CandidateSet,
    grid: Option<&GridSpec>,
    share: Option<&mut GridShare>,
) -> Result<Collection, CrsError> {
    let started = std::time::Instant::now();
    let mut fresh = GridShare::default();
    let share = share.unwrap_or(&mut fresh);
    let (cands, id, title, description) = match (set, grid) {
        (CandidateSet::Grid, Some(spec)) => (
            match &share.candidates {
                Some(c) => c.clone(),
                None => Arc::new(candidates::grid(ctx, spec.size, &spec.filter)),
            },
            candidates_id(&profile.id, CandidateSet::Grid),
            format!("{} ({} m rutenett)", profile.name, spec.size),
            format!("{} Grid cells of {} m.", profile.description, spec.size),
        ),
        _ => (
            Arc::new(candidates::parcels(ctx, profile, &AreaFilter::default())),
            candidates_id(&profile.id, CandidateSet::Parcels),
            profile.name.clone(),
            profile.description.clone(),
        ),
    };
    let cells_s = started.elapsed().as_secs_f64();
    let cached = share
        .cached_failures
        .remove(&profile.id)
        .and_then(|f| crate::scoring::assemble(profile, cands.clone(), &share.columns, f));
    let raw = match cached {
        Some(raw) => raw,
        None => {
            share.measured_any = true;
            measure_shared(ctx, profile, cands.clone(), &mut share.columns, &|_| {})
        }
    };
    let measured_s = started.elapsed().as_secs_f64();
    let s = Arc::new(Scored::new(
        ctx.region,
        set,
        profile.clone(),
        raw,
        share.adjacency.clone(),
        share.places.clone(),
    )?);
    tracing::info!(profile = %profile.id, set = set.name(), candidates = cands.len(), cells_s, measured_s, ranked_s = started.elapsed().as_secs_f64(), "measured");
    share.candidates = Some(cands);
    share.places = Some(s.places());
    share.adjacency = Some(s.adjacency.clone());
    Ok(candidate_collection(id, title, description, s))
}

/// `sites-{profile}` (or `…-grid`): the candidates grouped into named site areas, as
/// polygons, under the profile's own weights. None when the set has no scored candidate.
pub fn sites_collection(ctx: &ScoringContext, s: &Scored) -> Result<Option<Collection>, CrsError> {
    let t = ToCrs84::new()?;
    let started = std::time::Instant::now();
    let items = sites::items(ctx, s, &t)?;
    tracing::info!(profile = %s.profile.id, set = s.set.name(), areas = items.len(), seconds = started.elapsed().as_secs_f64(), "site areas");
    if items.is_empty() {
        return Ok(None);
    }
    let suffix = if s.set == CandidateSet::Grid {
        "-grid"
    } else {
        ""
    };
    let r = &s.profile.sites;
    Ok(Some(Collection {
        id: format!("sites-{}{suffix}", s.profile.id),
        title: format!("{}: stedsområder", s.profile.name),
        description: format!(
            "Neighbouring {} candidates grouped into named site areas (grown from the best \
             candidate while neighbours score at most {} points lower, up to {} ha), the best \
             {} first; shortlist_rank marks the default shortlist ({} areas, at least {} ha, at \
             least {} km apart). Re-weight with POST /api/shortlist.",
            s.set.name(),
            r.max_score_drop,
            r.max_area_ha,
            sites::COLLECTION_MAX,
            r.k,
            r.min_area_ha,
            r.min_spacing_km
        ),
        extent: extent(items.iter().map(|i| i.bbox)),
        source: Source::Layer(items),
    }))
}

fn candidate_collection(
    id: String,
    title: String,
    description: String,
    s: Arc<Scored>,
) -> Collection {
    Collection {
        id,
        title,
        description,
        extent: extent((0..s.lonlat.len()).map(|i| s.lonlat.bbox(i))),
        source: Source::Candidates(s),
    }
}
