//! Point-in-polygon and overlap queries over many polygons.
//!
//! An R-tree of bounding boxes finds the candidate polygons; each polygon keeps its
//! edges sorted into horizontal bands, so a containment test looks at the few edges
//! that cross the point's band instead of every vertex of a detailed municipality
//! border. The benches measured this against `geo::Contains` (see README).

use geo::{Area, BooleanOps, BoundingRect, Geometry, LinesIter, MultiPolygon, Polygon};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};
use std::sync::OnceLock;

use super::parts::PartIndex;

/// One polygon (or multipolygon) prepared for fast containment tests.
#[derive(Debug, Clone)]
pub struct PreparedPolygon {
    min_y: f64,
    band_height: f64,
    /// Band b holds `band_edges[band_start[b]..band_start[b + 1]]`.
    band_start: Vec<u32>,
    band_edges: Vec<u32>,
    edges: Vec<[f64; 4]>,
    shape: MultiPolygon<f64>,
}

impl PreparedPolygon {
    pub fn new(shape: MultiPolygon<f64>) -> Self {
        let edges: Vec<[f64; 4]> = shape
            .lines_iter()
            .map(|l| [l.start.x, l.start.y, l.end.x, l.end.y])
            .filter(|e| e[1] != e[3]) // horizontal edges never cross a horizontal ray
            .collect();
        let (min_y, max_y) = edges
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), e| {
                (lo.min(e[1]).min(e[3]), hi.max(e[1]).max(e[3]))
            });
        let n_bands = (edges.len() / 4).clamp(1, 1 << 16);
        let band_height = if max_y > min_y {
            (max_y - min_y) / n_bands as f64
        } else {
            1.0
        };
        let band_of = |y: f64| (((y - min_y) / band_height) as usize).min(n_bands - 1);
        let mut counts = vec![0u32; n_bands + 1];
        for e in &edges {
            let (lo, hi) = (band_of(e[1].min(e[3])), band_of(e[1].max(e[3])));
            for c in &mut counts[lo..=hi] {
                *c += 1;
            }
        }
        let mut band_start = vec![0u32; n_bands + 1];
        for b in 0..n_bands {
            band_start[b + 1] = band_start[b] + counts[b];
        }
        let mut fill = band_start.clone();
        let mut band_edges = vec![0u32; band_start[n_bands] as usize];
        for (i, e) in edges.iter().enumerate() {
            let (lo, hi) = (band_of(e[1].min(e[3])), band_of(e[1].max(e[3])));
            for b in lo..=hi {
                band_edges[fill[b] as usize] = i as u32;
                fill[b] += 1;
            }
        }
        PreparedPolygon {
            min_y,
            band_height,
            band_start,
            band_edges,
            edges,
            shape,
        }
    }

    /// Even-odd crossing test: a valid polygon's holes and parts come out right.
    pub fn contains(&self, p: [f64; 2]) -> bool {
        let n_bands = self.band_start.len() - 1;
        let rel = (p[1] - self.min_y) / self.band_height;
        if !(0.0..=n_bands as f64).contains(&rel) {
            return false;
        }
        let b = (rel as usize).min(n_bands - 1);
        let mut inside = false;
        for &i in &self.band_edges[self.band_start[b] as usize..self.band_start[b + 1] as usize] {
            let [x1, y1, x2, y2] = self.edges[i as usize];
            if (y1 > p[1]) != (y2 > p[1]) {
                let x = x1 + (p[1] - y1) * (x2 - x1) / (y2 - y1);
                if p[0] < x {
                    inside = !inside;
                }
            }
        }
        inside
    }

    pub fn shape(&self) -> &MultiPolygon<f64> {
        &self.shape
    }
}

/// The polygonal part of a geometry; None for points and lines.
pub fn as_multipolygon(g: &Geometry<f64>) -> Option<MultiPolygon<f64>> {
    match g {
        Geometry::Polygon(p) => Some(MultiPolygon(vec![p.clone()])),
        Geometry::MultiPolygon(mp) => Some(mp.clone()),
        Geometry::Rect(r) => Some(MultiPolygon(vec![r.to_polygon()])),
        Geometry::Triangle(t) => Some(MultiPolygon(vec![t.to_polygon()])),
        Geometry::GeometryCollection(gc) => {
            let polys: Vec<Polygon<f64>> = gc
                .iter()
                .filter_map(as_multipolygon)
                .flat_map(|mp| mp.0)
                .collect();
            (!polys.is_empty()).then_some(MultiPolygon(polys))
        }
        _ => None,
    }
}

type BoxEntry = GeomWithData<Rectangle<[f64; 2]>, u32>;

/// Many polygons: containment, distance (zero inside) and overlap area.
#[derive(Debug, Clone)]
pub struct PolygonIndex {
    boxes: RTree<BoxEntry>,
    polygons: Vec<Option<PreparedPolygon>>,
    /// Parts of every geometry, for distances; built on the first distance query, since
    /// many uses (municipality, land cover) only ever ask "which polygon am I in".
    edges: OnceLock<PartIndex>,
    /// Points and lines of a mixed layer (a grid layer of substations and areas).
    others: Vec<(u32, Geometry<f64>)>,
}

impl PolygonIndex {
    /// Feature ids are positions in `geometries`; non-polygons are ignored.
    pub fn new<'a>(geometries: impl IntoIterator<Item = &'a Geometry<f64>>) -> Self {
        let geometries: Vec<&Geometry<f64>> = geometries.into_iter().collect();
        let polygons: Vec<Option<PreparedPolygon>> = geometries
            .iter()
            .map(|g| as_multipolygon(g).map(PreparedPolygon::new))
            .collect();
        let boxes = polygons
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let r = p.as_ref()?.shape.bounding_rect()?;
                Some(GeomWithData::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    i as u32,
                ))
            })
            .collect();
        let others = geometries
            .iter()
            .enumerate()
            .filter(|(i, _)| polygons[*i].is_none())
            .map(|(i, g)| (i as u32, (*g).clone()))
            .collect();
        PolygonIndex {
            boxes: RTree::bulk_load(boxes),
            polygons,
            edges: OnceLock::new(),
            others,
        }
    }

    pub fn len(&self) -> usize {
        self.polygons.len()
    }

    fn edges(&self) -> &PartIndex {
        self.edges.get_or_init(|| {
            let mut parts = Vec::new();
            for (i, p) in self.polygons.iter().enumerate() {
                if let Some(p) = p {
                    super::parts::parts_of(
                        &Geometry::MultiPolygon(p.shape.clone()),
                        i as u32,
                        &mut parts,
                    );
                }
            }
            for (i, g) in &self.others {
                super::parts::parts_of(g, *i, &mut parts);
            }
            PartIndex::from_parts(parts)
        })
    }

    pub fn is_empty(&self) -> bool {
        self.polygons.is_empty()
    }

    /// Every polygon containing `p`, in ascending id order.
    pub fn containing(&self, p: [f64; 2]) -> Vec<u32> {
        let mut hits: Vec<u32> = self.hits(p).collect();
        hits.sort_unstable();
        hits
    }

    /// Polygons containing `p`, in the tree's order.
    fn hits(&self, p: [f64; 2]) -> impl Iterator<Item = u32> + '_ {
        self.boxes
            .locate_all_at_point(&p)
            .map(|e| e.data)
            .filter(move |&i| {
                self.polygons[i as usize]
                    .as_ref()
                    .is_some_and(|poly| poly.contains(p))
            })
    }

    /// The lowest-id polygon containing `p`.
    pub fn first_containing(&self, p: [f64; 2]) -> Option<u32> {
        self.hits(p).min()
    }

    /// Whether any polygon contains `p`. `hint` is the polygon that held the previous,
    /// nearby point; it is tried first and updated. The answer never depends on it.
    pub fn contains_any_hinted(&self, p: [f64; 2], hint: &mut Option<u32>) -> bool {
        if let Some(h) = *hint {
            if self.polygons[h as usize]
                .as_ref()
                .is_some_and(|poly| poly.contains(p))
            {
                return true;
            }
        }
        match self.first_containing(p) {
            Some(i) => {
                *hint = Some(i);
                true
            }
            None => false,
        }
    }

    /// The nearest polygon and the distance to it: zero inside, else to its boundary.
    pub fn nearest(&self, p: [f64; 2]) -> Option<(u32, f64)> {
        if let Some(i) = self.first_containing(p) {
            return Some((i, 0.0));
        }
        self.edges().nearest(p)
    }

    /// Every polygon within `radius` of `p` (zero inside), nearest first, ties by id.
    pub fn within(&self, p: [f64; 2], radius: f64) -> Vec<(u32, f64)> {
        let mut hits = self.edges().within(p, radius);
        for i in self.containing(p) {
            match hits.iter_mut().find(|(f, _)| *f == i) {
                Some(h) => h.1 = 0.0,
                None => hits.push((i, 0.0)),
            }
        }
        hits.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        hits
    }

    /// Area of overlap (m²) between `shape` and every polygon it overlaps, by id.
    pub fn overlap_areas(&self, shape: &MultiPolygon<f64>) -> Vec<(u32, f64)> {
        let Some(r) = shape.bounding_rect() else {
            return Vec::new();
        };
        let env = AABB::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]);
        let mut out: Vec<(u32, f64)> = self
            .boxes
            .locate_in_envelope_intersecting(&env)
            .filter_map(|e| {
                let poly = self.polygons[e.data as usize].as_ref()?;
                let area = poly.shape.intersection(shape).unsigned_area();
                (area > 0.0).then_some((e.data, area))
            })
            .collect();
        out.sort_by_key(|(i, _)| *i);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, Contains, Point};

    fn donut() -> Geometry<f64> {
        Geometry::Polygon(polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0), (x: 0.0, y: 10.0)],
            interiors: [[(x: 4.0, y: 4.0), (x: 6.0, y: 4.0), (x: 6.0, y: 6.0), (x: 4.0, y: 6.0)]],
        ))
    }

    #[test]
    fn a_hole_is_not_inside() {
        let idx = PolygonIndex::new([&donut()]);
        assert_eq!(idx.containing([2.0, 2.0]), vec![0]);
        assert!(idx.containing([5.0, 5.0]).is_empty());
        assert!(idx.containing([11.0, 5.0]).is_empty());
        assert_eq!(idx.nearest([5.0, 5.0]), Some((0, 1.0)));
        assert_eq!(idx.nearest([2.0, 2.0]), Some((0, 0.0)));
        assert_eq!(idx.nearest([13.0, 5.0]), Some((0, 3.0)));
    }

    #[test]
    fn banded_containment_agrees_with_geo_on_a_jagged_polygon() {
        // A comb with many teeth puts many edges in each band.
        let mut ring = vec![(0.0, 0.0)];
        for i in 0..50 {
            let x = i as f64 * 2.0;
            ring.extend([(x, 10.0), (x + 1.0, 10.0), (x + 1.0, 1.0), (x + 2.0, 1.0)]);
        }
        ring.push((100.0, 0.0));
        let poly = Polygon::new(ring.into(), vec![]);
        let prepared = PreparedPolygon::new(MultiPolygon(vec![poly.clone()]));
        for i in 0..400 {
            let p = [
                ((i * 37) % 1000) as f64 / 10.0 + 0.05,
                ((i * 91) % 120) as f64 / 10.0 - 0.47,
            ];
            assert_eq!(
                prepared.contains(p),
                poly.contains(&Point::new(p[0], p[1])),
                "{p:?}"
            );
        }
    }

    #[test]
    fn overlap_area_is_the_shared_part_only() {
        let idx = PolygonIndex::new([&donut()]);
        let square = MultiPolygon(vec![
            polygon![(x: 8.0, y: 8.0), (x: 12.0, y: 8.0), (x: 12.0, y: 12.0), (x: 8.0, y: 12.0)],
        ]);
        let hits = idx.overlap_areas(&square);
        assert_eq!(hits.len(), 1);
        assert!((hits[0].1 - 4.0).abs() < 1e-9);
    }
}
