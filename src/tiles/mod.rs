//! Vector tiles (MVT) of any collection, so the map stays smooth with half a million grid
//! candidates: features are found with an R-tree over their CRS84 boxes, projected to Web
//! Mercator tile coordinates, simplified to a pixel, and at low zoom points are thinned to
//! the best-scoring one per few pixels.

pub mod mvt;
pub mod rendered;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use geo::{BoundingRect, Geometry, Simplify};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};
use serde_json::Value as Json;

use crate::catalog::places::LonLat;
use crate::catalog::review::ReviewOverlay;
use crate::catalog::{Collection, Source};
use mvt::{LayerWriter, Shape, Value};

/// Units per tile side.
pub const EXTENT: u32 = 4096;
/// Units of geometry kept around each tile, so lines and fills meet at tile borders.
const BUFFER: f64 = 64.0;
/// Zoom levels served.
pub const MAX_ZOOM: u8 = 20;
/// Points below zoom 12 are thinned to one per 2^THIN_SHIFT tile units.
const THIN_SHIFT: u32 = 6;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TileError {
    #[error("zoom {0} is outside 0..={MAX_ZOOM}")]
    Zoom(u8),
    #[error("tile {x}/{y} does not exist at zoom {z}: x and y run from 0 to {max}")]
    OutOfRange { z: u8, x: u32, y: u32, max: u32 },
}

type Boxed = GeomWithData<Rectangle<[f64; 2]>, u32>;

/// A collection's geometries in CRS84 and a tree of their boxes.
pub struct TileIndex {
    shapes: Shapes,
    tree: Tree,
}

enum Tree {
    Boxes(RTree<Boxed>),
    /// Points need no boxes: a packed tree over the shared points is a tenth of the size.
    Points(crate::index::points::PointTree),
}

enum Shapes {
    Owned(Vec<Geometry<f64>>),
    /// Grid cells: the candidates' own CRS84 points, shared, not copied.
    Points(Arc<LonLat>),
}

impl TileIndex {
    pub fn new(c: &Collection) -> TileIndex {
        let shapes = match &c.source {
            Source::Layer(items) => Shapes::Owned(
                items
                    .iter()
                    .map(|i| crate::catalog::oriented(&i.lonlat))
                    .collect(),
            ),
            Source::Candidates(s) => match s.lonlat.as_ref() {
                LonLat::Points(_) => Shapes::Points(s.lonlat.clone()),
                // Candidates are drawn as points, whatever their shape: a ranking map of
                // parcels and grid cells alike, light enough for half a million of them.
                LonLat::Shapes { geoms, .. } => Shapes::Owned(
                    geoms
                        .iter()
                        .map(|g| {
                            use geo::InteriorPoint;
                            g.interior_point()
                                .map(Geometry::Point)
                                .unwrap_or_else(|| g.clone())
                        })
                        .collect(),
                ),
            },
        };
        let tree = match &shapes {
            Shapes::Owned(geoms) => Tree::Boxes(RTree::bulk_load(
                geoms
                    .iter()
                    .enumerate()
                    .filter_map(|(i, g)| {
                        let r = g.bounding_rect()?;
                        Some(Boxed::new(
                            Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                            i as u32,
                        ))
                    })
                    .collect(),
            )),
            Shapes::Points(p) => match p.as_ref() {
                LonLat::Points(points) => {
                    Tree::Points(crate::index::points::PointTree::new(points))
                }
                LonLat::Shapes { bbox, .. } => Tree::Boxes(RTree::bulk_load(
                    bbox.iter()
                        .enumerate()
                        .map(|(i, b)| {
                            Boxed::new(
                                Rectangle::from_corners([b[0], b[1]], [b[2], b[3]]),
                                i as u32,
                            )
                        })
                        .collect(),
                )),
            },
        };
        TileIndex { shapes, tree }
    }

    /// Indices of the geometries whose boxes meet `b`, in no particular order.
    fn hits(&self, b: &AABB<[f64; 2]>) -> Vec<u32> {
        match (&self.tree, &self.shapes) {
            (Tree::Boxes(t), _) => t
                .locate_in_envelope_intersecting(b)
                .map(|x| x.data)
                .collect(),
            (Tree::Points(t), Shapes::Points(p)) => {
                let mut out = Vec::new();
                if let LonLat::Points(points) = p.as_ref() {
                    let (lo, hi) = (b.lower(), b.upper());
                    t.within(points, [lo[0], lo[1], hi[0], hi[1]], &mut out);
                }
                out
            }
            (Tree::Points(_), Shapes::Owned(_)) => Vec::new(),
        }
    }

    fn geometry(&self, i: usize) -> std::borrow::Cow<'_, Geometry<f64>> {
        match &self.shapes {
            Shapes::Owned(g) => std::borrow::Cow::Borrowed(&g[i]),
            Shapes::Points(p) => p.geometry(i),
        }
    }

    /// Which collections may share one index: those over the same shared points.
    fn key(c: &Collection) -> String {
        match &c.source {
            Source::Candidates(s) if matches!(s.lonlat.as_ref(), LonLat::Points(_)) => {
                format!("points@{:p}", Arc::as_ptr(&s.lonlat))
            }
            _ => c.id.clone(),
        }
    }
}

/// Tile indexes built on first use.
#[derive(Default)]
pub struct Cache {
    indexes: Mutex<HashMap<String, Arc<TileIndex>>>,
}

impl Cache {
    /// `c`'s index if it is built already; None while any index is being built.
    pub fn ready(&self, c: &Collection) -> Option<Arc<TileIndex>> {
        self.indexes
            .try_lock()
            .ok()?
            .get(&TileIndex::key(c))
            .cloned()
    }

    pub fn index(&self, c: &Collection) -> Arc<TileIndex> {
        let mut m = self.indexes.lock().unwrap_or_else(|e| e.into_inner());
        m.entry(TileIndex::key(c))
            .or_insert_with(|| Arc::new(TileIndex::new(c)))
            .clone()
    }
}

/// Longitude/latitude → world coordinates in tiles at zoom `z` (Web Mercator, y down).
fn world(lon: f64, lat: f64, n: f64) -> [f64; 2] {
    let lat = lat.clamp(-85.051_128, 85.051_128).to_radians();
    [
        (lon + 180.0) / 360.0 * n,
        (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n,
    ]
}

/// The CRS84 box of a tile, widened by the buffer.
fn tile_box(z: u8, x: u32, y: u32) -> AABB<[f64; 2]> {
    let n = 2f64.powi(z as i32);
    let pad = BUFFER / EXTENT as f64;
    let lon = |t: f64| t / n * 360.0 - 180.0;
    let lat = |t: f64| {
        let m = std::f64::consts::PI * (1.0 - 2.0 * t / n);
        m.sinh().atan().to_degrees()
    };
    AABB::from_corners(
        [lon(x as f64 - pad), lat(y as f64 + 1.0 + pad)],
        [lon(x as f64 + 1.0 + pad), lat(y as f64 - pad)],
    )
}

/// The best point per cell of 2^shift tile units. The cells a tile and its buffer hold sit
/// in a dense array; a point beyond them (none should be) goes to a map.
struct Thinning {
    shift: u32,
    dense: Vec<Option<(u32, f64)>>,
    beyond: HashMap<(i32, i32), (u32, f64)>,
}

/// Cells per side of the dense array, and the cell at its first slot: the buffer and a
/// margin on either side of the tile.
const THIN_SIDE: i32 = ((EXTENT as i32) >> THIN_SHIFT) + 8;
const THIN_FIRST: i32 = -4;

impl Thinning {
    fn new(shift: u32) -> Self {
        let side = if shift == THIN_SHIFT {
            THIN_SIDE as usize
        } else {
            0
        };
        Thinning {
            shift,
            dense: vec![None; side * side],
            beyond: HashMap::new(),
        }
    }

    fn offer(&mut self, p: [i32; 2], i: u32, s: f64) {
        let cell = (p[0] >> self.shift, p[1] >> self.shift);
        let better = |old: &Option<(u32, f64)>| match old {
            None => true,
            // Equal scores keep the candidate offered first (hits come in index order).
            Some((_, old)) => s > *old || (old.is_nan() && !s.is_nan()),
        };
        let (x, y) = (cell.0 - THIN_FIRST, cell.1 - THIN_FIRST);
        let slot = if self.dense.is_empty()
            || !(0..THIN_SIDE).contains(&x)
            || !(0..THIN_SIDE).contains(&y)
        {
            None
        } else {
            Some((y * THIN_SIDE + x) as usize)
        };
        match slot {
            Some(k) => {
                if better(&self.dense[k]) {
                    self.dense[k] = Some((i, s));
                }
            }
            None => {
                let old = self.beyond.get(&cell).copied();
                if better(&old) {
                    self.beyond.insert(cell, (i, s));
                }
            }
        }
    }

    /// The kept points, in candidate order.
    fn kept(self) -> Vec<(u32, f64)> {
        let mut out: Vec<(u32, f64)> = self
            .dense
            .into_iter()
            .flatten()
            .chain(self.beyond.into_values())
            .collect();
        out.sort_unstable_by_key(|&(i, _)| i);
        out
    }
}

/// Projects and rounds CRS84 coordinates into this tile.
struct Projector {
    n: f64,
    x: f64,
    y: f64,
}

impl Projector {
    fn px(&self, c: geo::Coord<f64>) -> [i32; 2] {
        let w = world(c.x, c.y, self.n);
        [
            ((w[0] - self.x) * EXTENT as f64).round() as i32,
            ((w[1] - self.y) * EXTENT as f64).round() as i32,
        ]
    }

    fn line(&self, l: &geo::LineString<f64>) -> Vec<[i32; 2]> {
        l.0.iter().map(|c| self.px(*c)).collect()
    }

    fn shape(&self, g: &Geometry<f64>, simplify_deg: f64) -> Option<Shape> {
        match g {
            Geometry::Point(p) => Some(Shape::Points(vec![self.px(p.0)])),
            Geometry::MultiPoint(m) => {
                Some(Shape::Points(m.0.iter().map(|p| self.px(p.0)).collect()))
            }
            Geometry::LineString(l) => {
                Some(Shape::Lines(vec![self.line(&l.simplify(simplify_deg))]))
            }
            Geometry::MultiLineString(m) => Some(Shape::Lines(
                m.simplify(simplify_deg)
                    .0
                    .iter()
                    .map(|l| self.line(l))
                    .collect(),
            )),
            Geometry::Polygon(p) => {
                Some(Shape::Polygons(vec![self.rings(&p.simplify(simplify_deg))]))
            }
            Geometry::MultiPolygon(m) => Some(Shape::Polygons(
                m.simplify(simplify_deg)
                    .0
                    .iter()
                    .map(|p| self.rings(p))
                    .collect(),
            )),
            _ => None,
        }
    }

    fn rings(&self, p: &geo::Polygon<f64>) -> Vec<Vec<[i32; 2]>> {
        std::iter::once(p.exterior())
            .chain(p.interiors())
            .map(|r| self.line(r))
            .collect()
    }
}

/// Scalar properties of a layer item, for the tile.
fn scalars(props: &serde_json::Map<String, Json>) -> Vec<(&str, Value<'_>)> {
    props
        .iter()
        .filter(|(k, _)| k.as_str() != "id")
        .filter_map(|(k, v)| {
            let v = match v {
                Json::String(s) => Value::String(s),
                Json::Bool(b) => Value::Bool(*b),
                Json::Number(n) => match n.as_i64() {
                    Some(i) => Value::Int(i),
                    None => Value::Double(n.as_f64()?),
                },
                _ => return None,
            };
            Some((k.as_str(), v))
        })
        .collect()
}

/// What a candidate tile shows: the scores to draw (a re-weighting, or the collection's
/// own), the review state behind each site's `status`, and the planner's filters. Filters
/// apply before thinning, so a low-zoom tile shows the best site that passes them.
#[derive(Debug, Default, Clone, Copy)]
pub struct View<'a> {
    /// New weights, one per criterion: each candidate in the tile is scored under them (a
    /// tile holds a few thousand; the whole grid holds millions).
    pub weights: Option<&'a [f64]>,
    pub review: Option<&'a ReviewOverlay>,
    pub kommunenummer: Option<&'a str>,
    pub status: Option<&'a str>,
    pub min_score: Option<f64>,
}

impl View<'_> {
    fn status_of(&self, id: &str) -> &'static str {
        self.review
            .map(|r| r.status(id))
            .unwrap_or(crate::domain::review::Status::Proposed)
            .name()
    }
}

/// One tile of collection `c`: a single layer named after the collection, candidates as
/// `view` says.
pub fn tile(
    c: &Collection,
    index: &TileIndex,
    z: u8,
    x: u32,
    y: u32,
    view: &View,
) -> Result<Vec<u8>, TileError> {
    if z > MAX_ZOOM {
        return Err(TileError::Zoom(z));
    }
    let max = (1u64 << z) as u32 - 1;
    if x > max || y > max {
        return Err(TileError::OutOfRange { z, x, y, max });
    }
    let n = 2f64.powi(z as i32);
    let proj = Projector {
        n,
        x: x as f64,
        y: y as f64,
    };
    // One pixel of this zoom, in degrees of longitude.
    let simplify_deg = 360.0 / (n * 256.0);
    let mut hits: Vec<u32> = index.hits(&tile_box(z, x, y));
    hits.sort_unstable();
    let scored = match &c.source {
        Source::Candidates(s) => Some(s),
        Source::Layer(_) => None,
    };
    let score_of = |i: usize| -> f64 {
        match (view.weights, scored) {
            (Some(w), Some(s)) => crate::scoring::score_of(&s.raw, &s.norm, w, i),
            (None, Some(s)) => s.ranking.scores[i],
            _ => f64::NAN,
        }
    };
    // Points below zoom 12: the best one per cell of 64 units (4 of a tile's 256 pixels,
    // about a circle's size there), so a tile holds at most 4,096 points. Cells that scale
    // with the zoom kept every candidate of the 250 m grid at zoom 9: 1.2 MB tiles.
    let shift = if z < 12 { THIN_SHIFT } else { 0 };
    let mut best = Thinning::new(shift);
    let mut out = LayerWriter::new(&c.id, EXTENT);
    let passes = |i: usize, score: f64| -> bool {
        let Some(s) = scored else { return true };
        view.min_score.is_none_or(|m| score >= m)
            && view
                .kommunenummer
                .is_none_or(|k| s.kommunenummer[i].as_deref() == Some(k))
            && view
                .status
                .is_none_or(|st| view.status_of(c.id_of(i)) == st)
    };
    for i in hits {
        // Under new weights each candidate is scored here, once.
        let s = score_of(i as usize);
        if !passes(i as usize, s) {
            continue;
        }
        let g = index.geometry(i as usize);
        // Points, most of what tiles hold, go straight to the writer or the thinning.
        if let Geometry::Point(p) = g.as_ref() {
            let px = proj.px(p.0);
            if shift > 0 {
                best.offer(px, i, s);
            } else {
                add(&mut out, c, i as usize, Drawn::Point(px), s, view);
            }
            continue;
        }
        let Some(shape) = proj.shape(&g, simplify_deg) else {
            continue;
        };
        add(&mut out, c, i as usize, Drawn::Shape(&shape), s, view);
    }
    for (i, s) in best.kept() {
        if let Geometry::Point(p) = index.geometry(i as usize).as_ref() {
            add(&mut out, c, i as usize, Drawn::Point(proj.px(p.0)), s, view);
        }
    }
    Ok(out.finish())
}

enum Drawn<'a> {
    Point([i32; 2]),
    Shape(&'a Shape),
}

/// Writes feature `i` of `c` with the properties a map shows for it.
fn add(out: &mut LayerWriter, c: &Collection, i: usize, drawn: Drawn, score: f64, view: &View) {
    let id = c.id_of(i);
    let mut candidate: [(&str, Value); 5] = [("", Value::Bool(false)); 5];
    let mut layer_props = Vec::new();
    let props: &[(&str, Value)] = match &c.source {
        Source::Candidates(s) => {
            let mut n = 0;
            let mut push = |k, v| {
                candidate[n] = (k, v);
                n += 1;
            };
            push("id", Value::Unique(id));
            if score.is_finite() {
                push("score", Value::Double((score * 10.0).round() / 10.0));
            }
            push("excluded", Value::Bool(!score.is_finite()));
            if let Some(k) = &s.kommunenummer[i] {
                push("kommunenummer", Value::String(k));
            }
            push("status", Value::String(view.status_of(id)));
            &candidate[..n]
        }
        Source::Layer(items) => {
            layer_props.push(("id", Value::String(id)));
            layer_props.extend(scalars(&items[i].properties));
            &layer_props
        }
    };
    match drawn {
        Drawn::Point(p) => out.add_point(i as u64, p, props),
        Drawn::Shape(shape) => out.add(i as u64, shape, props),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thinning_keeps_the_best_point_of_each_cell_inside_and_beyond_the_buffer() {
        let mut t = Thinning::new(THIN_SHIFT);
        let mut reference: HashMap<(i32, i32), (u32, f64)> = HashMap::new();
        for i in 0..20_000u32 {
            // Points over the tile, its buffer and beyond; a few NaN scores; many ties.
            let x = (i.wrapping_mul(2_654_435_761) % 6000) as i32 - 1000;
            let y = (i.wrapping_mul(40_503) % 6000) as i32 - 1000;
            let s = if i % 97 == 0 {
                f64::NAN
            } else {
                f64::from(i % 50)
            };
            t.offer([x, y], i, s);
            let cell = (x >> THIN_SHIFT, y >> THIN_SHIFT);
            let better = |old: f64| s > old || (old.is_nan() && !s.is_nan());
            match reference.get(&cell) {
                Some(&(_, old)) if !better(old) => {}
                _ => {
                    reference.insert(cell, (i, s));
                }
            }
        }
        let mut want: Vec<(u32, f64)> = reference.into_values().collect();
        want.sort_unstable_by_key(|&(i, _)| i);
        let got = t.kept();
        assert_eq!(got.len(), want.len());
        assert!(got
            .iter()
            .zip(&want)
            .all(|(a, b)| a.0 == b.0 && a.1.to_bits() == b.1.to_bits()));
    }

    #[test]
    fn oslo_lies_in_the_tile_web_maps_put_it_in() {
        use rstar::Envelope;
        // Oslo S at zoom 10 is tile 542/297 (OpenStreetMap's tile numbering).
        let w = world(10.7522, 59.9111, 1024.0);
        assert_eq!((w[0] as u32, w[1] as u32), (542, 297));
        let b = tile_box(10, 542, 297);
        assert!(b.contains_point(&[10.7522, 59.9111]));
    }
}
