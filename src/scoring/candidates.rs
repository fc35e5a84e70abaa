//! Candidate sites: a grid for heat maps, land-use parcels, or user-given sites.

use std::collections::BTreeMap;

use geo::{Area, BooleanOps, BoundingRect, Geometry, InteriorPoint, MultiPolygon, Point, Rect};
use rayon::prelude::*;
use serde::Serialize;

use crate::domain::landuse::{LandUseClass, Suitability};
use crate::domain::layers::{Feature, Site};
use crate::domain::profile::Profile;
use crate::index::polygons::as_multipolygon;

use super::context::ScoringContext;

/// Where a candidate came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Origin {
    /// The centre of a grid cell of `size` metres.
    Grid { size: f64 },
    /// (A piece of) a land-use parcel: its index in the region's land-use layer.
    Parcel { landuse: u32 },
    /// Given by a user, with its own attributes.
    User {
        /// Boxed: a map inline would make every grid cell 16 bytes larger.
        properties: Box<BTreeMap<String, serde_json::Value>>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub id: String,
    pub name: Option<String>,
    /// The site in EPSG:25833: a point or a polygon.
    pub geometry: Geometry<f64>,
    /// Where distances are measured from: the point itself, or a point inside the polygon.
    pub point: [f64; 2],
    pub area_m2: Option<f64>,
    /// Index into the region's municipalities.
    pub municipality: Option<u32>,
    pub landuse: Option<LandUseClass>,
    pub origin: Origin,
}

pub fn measurement_point(g: &Geometry<f64>) -> Option<[f64; 2]> {
    g.interior_point().map(|p| [p.x(), p.y()])
}

/// Which municipalities a run covers: kommunenummer prefixes ("03", "3201"); empty means all.
#[derive(Debug, Clone, Default)]
pub struct AreaFilter {
    pub prefixes: Vec<String>,
}

impl AreaFilter {
    /// From the command line: kommunenummer prefixes, or `all` for every municipality.
    pub fn new(prefixes: &[String]) -> Self {
        if prefixes.iter().any(|m| m.eq_ignore_ascii_case("all")) {
            return AreaFilter::default();
        }
        AreaFilter {
            prefixes: prefixes.to_vec(),
        }
    }

    pub fn accepts(&self, kommunenummer: &str) -> bool {
        self.prefixes.is_empty()
            || self
                .prefixes
                .iter()
                .any(|p| kommunenummer.starts_with(p.as_str()))
    }
}

/// Centres of square cells of `size` metres, cell edges on multiples of `size`, kept
/// where they fall inside a selected municipality. Ordered by row (south to north),
/// then west to east.
pub fn grid(ctx: &ScoringContext, size: f64, filter: &AreaFilter) -> Vec<Candidate> {
    grid_cells(ctx.region, &ctx.municipalities, size, filter)
        .into_par_iter()
        .map(|([x, y], m)| grid_cell([x, y], m, ctx.landuse_at([x, y]).map(|(_, c)| c), size))
        .collect()
}

/// The grid cell centred on `xy`, in municipality `m`, on land use `landuse`.
pub fn grid_cell(xy: [f64; 2], m: u32, landuse: Option<LandUseClass>, size: f64) -> Candidate {
    let [x, y] = xy;
    Candidate {
        id: format!("g{}_{}", x as i64, y as i64),
        name: None,
        geometry: Geometry::Point(Point::new(x, y)),
        point: [x, y],
        area_m2: None,
        municipality: Some(m),
        landuse,
        origin: Origin::Grid { size },
    }
}

/// The grid centres and their municipality (index into `region.boundary`), in grid order.
pub fn grid_cells(
    region: &crate::domain::Region,
    municipalities: &crate::index::PolygonIndex,
    size: f64,
    filter: &AreaFilter,
) -> Vec<([f64; 2], u32)> {
    let selected: Vec<bool> = region
        .boundary
        .iter()
        .map(|m| filter.accepts(&m.attrs.number))
        .collect();
    let Some(bbox) = region
        .boundary
        .iter()
        .zip(&selected)
        .filter(|(_, s)| **s)
        .filter_map(|(m, _)| m.geometry.bounding_rect())
        .reduce(|a, b| {
            Rect::new(
                (a.min().x.min(b.min().x), a.min().y.min(b.min().y)),
                (a.max().x.max(b.max().x), a.max().y.max(b.max().y)),
            )
        })
    else {
        return Vec::new();
    };
    let x0 = (bbox.min().x / size).floor() as i64;
    let x1 = (bbox.max().x / size).ceil() as i64;
    let y0 = (bbox.min().y / size).floor() as i64;
    let y1 = (bbox.max().y / size).ceil() as i64;
    (y0..y1)
        .into_par_iter()
        .flat_map_iter(|iy| {
            let y = iy as f64 * size + size / 2.0;
            let selected = &selected;
            (x0..x1).filter_map(move |ix| {
                let x = ix as f64 * size + size / 2.0;
                let m = municipalities.first_containing([x, y])?;
                selected[m as usize].then_some(([x, y], m))
            })
        })
        .collect()
}

fn parcel_class_allowed(profile: &Profile, class: LandUseClass) -> bool {
    let c = &profile.constraints;
    if c.forbidden_landuse.contains(&class) {
        return false;
    }
    match &c.allowed_landuse {
        Some(allowed) => allowed.contains(&class),
        None => class.default_suitability() == Suitability::Suitable,
    }
}

/// Suitable land-use parcels near main roads, minus exclusion areas, split into pieces of
/// at most the profile's maximum size, and at least its minimum area.
pub fn parcels(ctx: &ScoringContext, profile: &Profile, filter: &AreaFilter) -> Vec<Candidate> {
    let region = ctx.region;
    let min_area = profile.constraints.min_area_m2.unwrap_or(0.0);
    // Look a little beyond the road limit: a parcel's far corner may be out of reach
    // while its measurement point is not; scoring applies the exact limit.
    let reach = profile
        .constraints
        .max_main_road_distance_m
        .map(|d| d + 1000.0);
    let mut out: Vec<Candidate> = region
        .landuse
        .par_iter()
        .enumerate()
        .filter(|(_, f)| parcel_class_allowed(profile, f.attrs.class))
        .flat_map_iter(|(i, f)| {
            let pieces = parcel_pieces(ctx, f, reach, min_area, profile.max_parcel_area_m2);
            let n = pieces.len();
            pieces
                .into_iter()
                .enumerate()
                .filter_map(move |(k, shape)| {
                    let geometry = if shape.0.len() == 1 {
                        Geometry::Polygon(shape.0[0].clone())
                    } else {
                        Geometry::MultiPolygon(shape.clone())
                    };
                    let point = measurement_point(&geometry)?;
                    let municipality = ctx.municipality_at(point);
                    let number =
                        municipality.map(|m| region.boundary[m as usize].attrs.number.as_str());
                    if !filter.prefixes.is_empty() && !number.is_some_and(|n| filter.accepts(n)) {
                        return None;
                    }
                    Some(Candidate {
                        id: if n == 1 {
                            format!("p{i}")
                        } else {
                            format!("p{i}_{k}")
                        },
                        name: f.attrs.name.clone(),
                        area_m2: Some(shape.unsigned_area()),
                        geometry,
                        point,
                        municipality,
                        landuse: Some(f.attrs.class),
                        origin: Origin::Parcel { landuse: i as u32 },
                    })
                })
        })
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

fn parcel_pieces(
    ctx: &ScoringContext,
    f: &Feature<crate::domain::layers::LandUse>,
    reach: Option<f64>,
    min_area: f64,
    max_area: f64,
) -> Vec<MultiPolygon<f64>> {
    let Some(mut shape) = as_multipolygon(&f.geometry) else {
        return Vec::new();
    };
    if let (Some(reach), Some(p)) = (reach, measurement_point(&f.geometry)) {
        match ctx.main_roads.index.nearest(p) {
            Some((_, d)) if d <= reach => {}
            _ => return Vec::new(),
        }
    }
    for (ex, _) in ctx.exclusion.overlap_areas(&shape) {
        let cut = as_multipolygon(&ctx.region.exclusion[ex as usize].geometry);
        if let Some(cut) = cut {
            shape = shape.difference(&cut);
        }
    }
    if shape.unsigned_area() < min_area {
        return Vec::new();
    }
    split(&shape, max_area)
        .into_iter()
        .filter(|p| p.unsigned_area() >= min_area && p.unsigned_area() > 0.0)
        .collect()
}

/// Cut a shape into square tiles of at most `max_area`, on a grid aligned to the tile size
/// so the same parcel always splits the same way.
fn split(shape: &MultiPolygon<f64>, max_area: f64) -> Vec<MultiPolygon<f64>> {
    if shape.unsigned_area() <= max_area || max_area <= 0.0 {
        return vec![shape.clone()];
    }
    let Some(b) = shape.bounding_rect() else {
        return Vec::new();
    };
    let side = max_area.sqrt();
    let mut out = Vec::new();
    let (x0, x1) = (
        (b.min().x / side).floor() as i64,
        (b.max().x / side).ceil() as i64,
    );
    let (y0, y1) = (
        (b.min().y / side).floor() as i64,
        (b.max().y / side).ceil() as i64,
    );
    for iy in y0..y1 {
        for ix in x0..x1 {
            let tile = Rect::new(
                (ix as f64 * side, iy as f64 * side),
                ((ix + 1) as f64 * side, (iy + 1) as f64 * side),
            );
            let piece = shape.intersection(&MultiPolygon(vec![tile.to_polygon()]));
            if piece.unsigned_area() > 0.0 {
                out.push(piece);
            }
        }
    }
    out
}

/// User-given sites as candidates; their own attributes are kept.
/// A site given only as a point (EPSG:25833): its municipality and land use looked up there.
pub fn at_point(ctx: &ScoringContext, id: &str, point: [f64; 2]) -> Candidate {
    Candidate {
        id: id.to_string(),
        name: None,
        geometry: Geometry::Point(geo::Point::new(point[0], point[1])),
        point,
        area_m2: None,
        municipality: ctx.municipality_at(point),
        landuse: ctx.landuse_at(point).map(|(_, c)| c),
        origin: Origin::User {
            properties: Default::default(),
        },
    }
}

pub fn from_sites(ctx: &ScoringContext, sites: &[Feature<Site>]) -> Vec<Candidate> {
    sites
        .iter()
        .filter_map(|s| {
            let point = measurement_point(&s.geometry)?;
            let area = match &s.geometry {
                Geometry::Polygon(_) | Geometry::MultiPolygon(_) => {
                    Some(s.geometry.unsigned_area())
                }
                _ => None,
            };
            Some(Candidate {
                id: s.id.clone(),
                name: s.attrs.name.clone(),
                geometry: s.geometry.clone(),
                point,
                area_m2: area,
                municipality: ctx.municipality_at(point),
                landuse: ctx.landuse_at(point).map(|(_, c)| c),
                origin: Origin::User {
                    properties: Box::new(s.attrs.properties.clone()),
                },
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, Polygon};

    #[test]
    fn a_large_parcel_splits_into_tiles_that_keep_its_area() {
        let p: Polygon<f64> = polygon![(x: 0.0, y: 0.0), (x: 300.0, y: 0.0), (x: 300.0, y: 200.0), (x: 0.0, y: 200.0)];
        let shape = MultiPolygon(vec![p]);
        let pieces = split(&shape, 10_000.0);
        assert_eq!(pieces.len(), 6);
        let total: f64 = pieces.iter().map(|p| p.unsigned_area()).sum();
        assert!((total - 60_000.0).abs() < 1e-6);
        assert!(pieces.iter().all(|p| p.unsigned_area() <= 10_000.0 + 1e-6));
    }

    #[test]
    fn an_area_filter_matches_county_prefixes() {
        let f = AreaFilter {
            prefixes: vec!["03".into(), "32".into()],
        };
        assert!(f.accepts("0301") && f.accepts("3201") && !f.accepts("3301"));
        assert!(AreaFilter::default().accepts("5001"));
    }
}
