//! Nearest-feature queries over points and line segments, on one bulk-loaded R-tree.
//!
//! Every geometry is broken into parts: a point is a segment of length zero, a line
//! string its segments, a polygon its ring segments. The distance to a feature is
//! the distance to its nearest part; `polygons.rs` adds "inside means zero".

use geo::{CoordsIter, Geometry, Line, LinesIter};
use rstar::{PointDistance, RTree};

use std::sync::OnceLock;

use super::packed::PackedTree;
pub use super::segment::{segment_distance_2, Part};

/// The parts of one geometry: its segments, or its points for point geometries.
pub fn parts_of(g: &Geometry<f64>, feature: u32, out: &mut Vec<Part>) {
    match g {
        Geometry::Point(_) | Geometry::MultiPoint(_) => {
            for c in g.coords_iter() {
                out.push(Part {
                    a: [c.x, c.y],
                    b: [c.x, c.y],
                    feature,
                });
            }
        }
        Geometry::GeometryCollection(gc) => {
            for part in gc {
                parts_of(part, feature, out);
            }
        }
        Geometry::Line(l) => push_lines(std::iter::once(*l), feature, out),
        Geometry::LineString(ls) => push_lines(ls.lines_iter(), feature, out),
        Geometry::MultiLineString(mls) => push_lines(mls.lines_iter(), feature, out),
        Geometry::Polygon(p) => push_lines(p.lines_iter(), feature, out),
        Geometry::MultiPolygon(mp) => push_lines(mp.lines_iter(), feature, out),
        Geometry::Rect(r) => push_lines(r.to_polygon().lines_iter(), feature, out),
        Geometry::Triangle(t) => push_lines(t.to_polygon().lines_iter(), feature, out),
    }
}

fn push_lines(lines: impl Iterator<Item = Line<f64>>, feature: u32, out: &mut Vec<Part>) {
    for Line { start, end } in lines {
        out.push(Part {
            a: [start.x, start.y],
            b: [end.x, end.y],
            feature,
        });
    }
}

/// An R-tree of parts, answering "nearest feature" and "features within a distance".
#[derive(Debug, Clone)]
pub struct PartIndex {
    /// Built on first use: grid walks only need the packed tree.
    tree: OnceLock<RTree<Part>>,
    packed: PackedTree,
    parts: Vec<Part>,
}

impl PartIndex {
    /// Bulk-load the parts of `geometries`; feature ids are their positions.
    pub fn new<'a>(geometries: impl IntoIterator<Item = &'a Geometry<f64>>) -> Self {
        let mut parts = Vec::new();
        for (i, g) in geometries.into_iter().enumerate() {
            parts_of(g, i as u32, &mut parts);
        }
        Self::from_parts(parts)
    }

    pub fn from_parts(parts: Vec<Part>) -> Self {
        PartIndex {
            packed: PackedTree::new(parts.clone()),
            tree: OnceLock::new(),
            parts,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    pub fn len(&self) -> usize {
        self.parts.len()
    }

    fn tree(&self) -> &RTree<Part> {
        self.tree
            .get_or_init(|| RTree::bulk_load(self.parts.clone()))
    }

    /// The nearest feature and its distance in metres.
    ///
    /// ```
    /// use energistasjon::index::PartIndex;
    /// use geo::{line_string, Geometry};
    /// let road = Geometry::LineString(line_string![(x: 0.0, y: 0.0), (x: 100.0, y: 0.0)]);
    /// let index = PartIndex::new([&road]);
    /// assert_eq!(index.nearest([50.0, 30.0]), Some((0, 30.0)));
    /// ```
    pub fn nearest(&self, p: [f64; 2]) -> Option<(u32, f64)> {
        // rstar's single-nearest search prunes harder than its iterator, and allocates less.
        self.tree()
            .nearest_neighbor(&p)
            .map(|part| (part.feature, part.distance_2(&p).sqrt()))
    }

    /// The nearest feature and its distance, searched from a hint: the slot the previous,
    /// nearby query found (updated here). Grid walks use it; the answer never depends on it.
    pub fn nearest_hinted(&self, p: [f64; 2], hint: &mut Option<u32>) -> Option<(u32, f64)> {
        let (slot, d2) = self.packed.nearest(p, *hint)?;
        *hint = Some(slot);
        Some((self.packed.part(slot).feature, d2.sqrt()))
    }

    /// The nearest part whose feature passes `keep`, and its distance.
    pub fn nearest_where(
        &self,
        p: [f64; 2],
        mut keep: impl FnMut(u32) -> bool,
    ) -> Option<(u32, f64)> {
        self.tree()
            .nearest_neighbor_iter_with_distance_2(&p)
            .find(|(part, _)| keep(part.feature))
            .map(|(part, d2)| (part.feature, d2.sqrt()))
    }

    /// Every feature with a part within `radius` of `p`, with its distance, nearest first
    /// (ties by feature id, so the order never depends on the tree's layout).
    pub fn within(&self, p: [f64; 2], radius: f64) -> Vec<(u32, f64)> {
        let mut best: Vec<(u32, f64)> = Vec::new();
        for part in self.tree().locate_within_distance(p, radius * radius) {
            let d = part.distance_2(&p).sqrt();
            match best.iter_mut().find(|(f, _)| *f == part.feature) {
                Some(entry) => entry.1 = entry.1.min(d),
                None => best.push((part.feature, d)),
            }
        }
        best.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{line_string, point};

    #[test]
    fn distance_to_a_segment_is_perpendicular_inside_and_to_the_end_outside() {
        assert_eq!(segment_distance_2([0.0, 0.0], [10.0, 0.0], [5.0, 3.0]), 9.0);
        assert_eq!(
            segment_distance_2([0.0, 0.0], [10.0, 0.0], [13.0, 4.0]),
            25.0
        );
        assert_eq!(segment_distance_2([1.0, 1.0], [1.0, 1.0], [4.0, 5.0]), 25.0);
    }

    #[test]
    fn nearest_finds_the_closer_of_a_line_and_a_point() {
        let geoms = vec![
            Geometry::LineString(line_string![(x: 0.0, y: 0.0), (x: 100.0, y: 0.0)]),
            Geometry::Point(point!(x: 50.0, y: 20.0)),
        ];
        let idx = PartIndex::new(&geoms);
        assert_eq!(idx.nearest([50.0, 30.0]), Some((1, 10.0)));
        assert_eq!(idx.nearest([50.0, 5.0]), Some((0, 5.0)));
        assert_eq!(idx.nearest_where([50.0, 30.0], |f| f == 0), Some((0, 30.0)));
        assert_eq!(idx.within([50.0, 5.0], 16.0), vec![(0, 5.0), (1, 15.0)]);
    }
}
