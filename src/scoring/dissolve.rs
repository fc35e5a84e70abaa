//! Dissolving a site area's candidates into one outline.
//!
//! Grid cells are dissolved exactly along the cell edges by tracing their boundary on the
//! integer lattice: no floating-point overlay, so the same cells always give the same
//! polygon, and thousands of areas cost milliseconds. Parcels go through geo's union.

use std::collections::{HashMap, HashSet};

use geo::{Contains, Coord, Geometry, LineString, MultiPoint, MultiPolygon, Point, Polygon};

use crate::index::polygons::as_multipolygon;

type V = (i64, i64);

/// The square cells `(ix, iy)` of `size` metres (cell ix covers ix·size..(ix+1)·size)
/// dissolved into polygons: exterior rings counter-clockwise, holes clockwise.
pub fn cells(cells: &[(i64, i64)], size: f64) -> MultiPolygon<f64> {
    let set: HashSet<V> = cells.iter().copied().collect();
    // Boundary edges with the area on their left.
    let mut edges: Vec<(V, V)> = Vec::new();
    let mut seen: HashSet<V> = HashSet::new();
    for &(x, y) in cells {
        if !seen.insert((x, y)) {
            continue;
        }
        if !set.contains(&(x, y - 1)) {
            edges.push(((x, y), (x + 1, y)));
        }
        if !set.contains(&(x + 1, y)) {
            edges.push(((x + 1, y), (x + 1, y + 1)));
        }
        if !set.contains(&(x, y + 1)) {
            edges.push(((x + 1, y + 1), (x, y + 1)));
        }
        if !set.contains(&(x - 1, y)) {
            edges.push(((x, y + 1), (x, y)));
        }
    }
    let mut out_of: HashMap<V, Vec<usize>> = HashMap::new();
    for (i, e) in edges.iter().enumerate() {
        out_of.entry(e.0).or_default().push(i);
    }
    // Where two cells meet only at a corner, turn left: each ring stays simple.
    let next = |e: usize| -> usize {
        let (a, b) = edges[e];
        let d = (b.0 - a.0, b.1 - a.1);
        let options = out_of.get(&b).map(Vec::as_slice).unwrap_or(&[]);
        let turn = |o: &usize| {
            let (c, dd) = (edges[*o].0, edges[*o].1);
            let d2 = (dd.0 - c.0, dd.1 - c.1);
            let cross = d.0 * d2.1 - d.1 * d2.0;
            let dot = d.0 * d2.0 + d.1 * d2.1;
            // Left (cross > 0) first, then straight on, then right.
            if cross > 0 {
                0
            } else if dot > 0 {
                1
            } else {
                2
            }
        };
        options.iter().copied().min_by_key(|o| turn(o)).unwrap_or(e)
    };
    let mut used = vec![false; edges.len()];
    let mut exteriors: Vec<Vec<V>> = Vec::new();
    let mut holes: Vec<(Vec<V>, V)> = Vec::new();
    for start in 0..edges.len() {
        if used[start] {
            continue;
        }
        let mut ring = Vec::new();
        let mut e = start;
        loop {
            used[e] = true;
            ring.push(edges[e].0);
            e = next(e);
            if e == start || used[e] {
                break;
            }
        }
        let twice_area: i64 = ring
            .iter()
            .zip(ring.iter().cycle().skip(1))
            .map(|(a, b)| a.0 * b.1 - b.0 * a.1)
            .sum();
        if twice_area > 0 {
            exteriors.push(ring);
        } else if twice_area < 0 {
            // A cell of the area on the hole edge's left, to find the exterior it lies in.
            let (a, b) = (ring[0], ring[1 % ring.len()]);
            let probe = match (b.0 - a.0, b.1 - a.1) {
                (1, 0) => (a.0, a.1),
                (0, 1) => (a.0 - 1, a.1),
                (-1, 0) => (a.0 - 1, a.1 - 1),
                _ => (a.0, a.1 - 1),
            };
            holes.push((ring, probe));
        }
    }
    let to_ring = |ring: &[V]| -> LineString<f64> {
        let n = ring.len();
        let mut pts: Vec<Coord<f64>> = Vec::with_capacity(n + 1);
        for i in 0..n {
            let (p, c, q) = (ring[(i + n - 1) % n], ring[i], ring[(i + 1) % n]);
            let collinear = (c.0 - p.0) * (q.1 - c.1) - (c.1 - p.1) * (q.0 - c.0) == 0;
            if !collinear {
                pts.push(Coord {
                    x: c.0 as f64 * size,
                    y: c.1 as f64 * size,
                });
            }
        }
        if let Some(&first) = pts.first() {
            pts.push(first);
        }
        LineString::new(pts)
    };
    let mut polygons: Vec<Polygon<f64>> = exteriors
        .iter()
        .map(|r| Polygon::new(to_ring(r), Vec::new()))
        .collect();
    for (ring, probe) in holes {
        let centre = Point::new((probe.0 as f64 + 0.5) * size, (probe.1 as f64 + 0.5) * size);
        // Exterior rings only: a hole already added must not hide the probe.
        let owner = polygons
            .iter()
            .position(|p| Polygon::new(p.exterior().clone(), Vec::new()).contains(&centre));
        if let Some(i) = owner {
            polygons[i].interiors_push(to_ring(&ring));
        }
    }
    MultiPolygon(polygons)
}

/// Parcels (or other shapes) dissolved by union; points stay points.
pub fn shapes<'a>(geometries: impl Iterator<Item = &'a Geometry<f64>>) -> Geometry<f64> {
    let mut polygons: Vec<Polygon<f64>> = Vec::new();
    let mut points: Vec<Point<f64>> = Vec::new();
    for g in geometries {
        match g {
            Geometry::Point(p) => points.push(*p),
            other => {
                if let Some(mp) = as_multipolygon(other) {
                    polygons.extend(mp.0);
                }
            }
        }
    }
    if polygons.is_empty() {
        return Geometry::MultiPoint(MultiPoint(points));
    }
    Geometry::MultiPolygon(geo::unary_union(&polygons))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Area;

    #[test]
    fn an_l_of_three_cells_dissolves_into_one_hexagon() {
        let mp = cells(&[(0, 0), (1, 0), (0, 1)], 10.0);
        assert_eq!(mp.0.len(), 1);
        assert_eq!(mp.0[0].exterior().0.len(), 7);
        assert_eq!(mp.signed_area(), 300.0);
    }

    #[test]
    fn a_ring_of_eight_cells_keeps_its_hole() {
        let ring: Vec<(i64, i64)> = (0..3)
            .flat_map(|x| (0..3).map(move |y| (x, y)))
            .filter(|&c| c != (1, 1))
            .collect();
        let mp = cells(&ring, 1.0);
        assert_eq!(mp.0.len(), 1);
        assert_eq!(mp.0[0].interiors().len(), 1);
        assert_eq!(mp.unsigned_area(), 8.0);
    }

    #[test]
    fn cells_meeting_at_a_corner_stay_two_simple_polygons() {
        let mp = cells(&[(0, 0), (1, 1)], 1.0);
        assert_eq!(mp.0.len(), 2);
        assert!(mp.0.iter().all(|p| p.exterior().0.len() == 5));
        assert_eq!(mp.unsigned_area(), 2.0);
    }
}
