//! Site areas: neighbouring candidates grouped into distinct areas a planner can name and
//! discuss, instead of hundreds of cells of one place.
//!
//! The method is region growing from local maxima of the score:
//!
//! 1. Candidates are taken best first. The best candidate not yet in an area seeds a new
//!    area: it is the highest point of what is left.
//! 2. The area grows over touching neighbours, always the best-scoring neighbour next,
//!    while the neighbour scores at most `max_score_drop` points below the seed and the
//!    area stays within `max_area_m2`. A neighbour that would make the area too large is
//!    left for a later area, so a long strip along a motorway becomes several areas.
//! 3. The next seed is the best candidate left, and so on.
//!
//! Grid cells touch when they share an edge (four neighbours, not diagonals, so an area is
//! one connected polygon). Parcels touch when their shapes touch, and the pieces of one
//! split land-use parcel always form one unit: an area takes all of them or none.
//!
//! Area `i` depends only on the areas before it, so the first `k` areas are the same
//! whether the rest are grown or not: the shortlist stops early. Everything here is pure
//! and deterministic: ties are broken by candidate order.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use geo::{BoundingRect, Distance, Euclidean, Geometry, Intersects};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};
use serde::Serialize;

use super::candidates::{Candidate, Origin};

/// How the candidates of one scored set touch each other. It depends only on the
/// candidates, never on the weights, so it is built once per set.
#[derive(Debug, Clone)]
pub struct Adjacency {
    /// The unit of each candidate: the pieces of a split parcel share one.
    unit_of: Vec<u32>,
    unit_start: Vec<u32>,
    unit_members: Vec<u32>,
    nb_start: Vec<u32>,
    nb: Vec<u32>,
    /// Each candidate's area in m²: a grid cell's square, a parcel's shape, 0 for a point.
    pub area_m2: Vec<f64>,
    /// The cell size when every candidate is a cell of one grid.
    pub cell: Option<f64>,
}

/// The integer grid position of a cell centre.
fn cell_index(p: [f64; 2], size: f64) -> (i64, i64) {
    ((p[0] / size).floor() as i64, (p[1] / size).floor() as i64)
}

fn csr(lists: Vec<Vec<u32>>) -> (Vec<u32>, Vec<u32>) {
    let mut start = Vec::with_capacity(lists.len() + 1);
    let mut flat = Vec::new();
    start.push(0);
    for l in lists {
        flat.extend(l);
        start.push(flat.len() as u32);
    }
    (start, flat)
}

impl Adjacency {
    pub fn new(cands: &[Candidate]) -> Self {
        let grid_size = match cands.first().map(|c| &c.origin) {
            Some(Origin::Grid { size }) => Some(*size),
            _ => None,
        }
        .filter(|&s| {
            s > 0.0
                && cands
                    .iter()
                    .all(|c| matches!(c.origin, Origin::Grid { size } if size == s))
        });
        match grid_size {
            Some(size) => Self::grid(cands, size),
            None => Self::shapes(cands),
        }
    }

    fn grid(cands: &[Candidate], size: f64) -> Self {
        let at: HashMap<(i64, i64), u32> = cands
            .iter()
            .enumerate()
            .map(|(i, c)| (cell_index(c.point, size), i as u32))
            .collect();
        let mut nb_start = Vec::with_capacity(cands.len() + 1);
        let mut nb = Vec::with_capacity(cands.len() * 4);
        nb_start.push(0);
        for c in cands {
            let (x, y) = cell_index(c.point, size);
            for d in [(0, -1), (-1, 0), (1, 0), (0, 1)] {
                if let Some(&j) = at.get(&(x + d.0, y + d.1)) {
                    nb.push(j);
                }
            }
            nb_start.push(nb.len() as u32);
        }
        let n = cands.len() as u32;
        Adjacency {
            unit_of: (0..n).collect(),
            unit_start: (0..=n).collect(),
            unit_members: (0..n).collect(),
            nb_start,
            nb,
            area_m2: vec![size * size; cands.len()],
            cell: Some(size),
        }
    }

    fn shapes(cands: &[Candidate]) -> Self {
        // Units: the pieces of one land-use parcel together, every other candidate alone.
        let mut unit_of = Vec::with_capacity(cands.len());
        let mut members: Vec<Vec<u32>> = Vec::new();
        let mut parcel_unit: HashMap<u32, u32> = HashMap::new();
        for (i, c) in cands.iter().enumerate() {
            let u = match c.origin {
                Origin::Parcel { landuse } => *parcel_unit.entry(landuse).or_insert_with(|| {
                    members.push(Vec::new());
                    (members.len() - 1) as u32
                }),
                _ => {
                    members.push(Vec::new());
                    (members.len() - 1) as u32
                }
            };
            members[u as usize].push(i as u32);
            unit_of.push(u);
        }
        // Units touch when any of their shapes touch.
        let boxes: Vec<GeomWithData<Rectangle<[f64; 2]>, u32>> = cands
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let r = c.geometry.bounding_rect()?;
                Some(GeomWithData::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    i as u32,
                ))
            })
            .collect();
        let tree = RTree::bulk_load(boxes);
        let mut neighbours: Vec<Vec<u32>> = vec![Vec::new(); members.len()];
        for (i, c) in cands.iter().enumerate() {
            let Some(r) = c.geometry.bounding_rect() else {
                continue;
            };
            let env = AABB::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]);
            for hit in tree.locate_in_envelope_intersecting(&env) {
                let j = hit.data as usize;
                let (ui, uj) = (unit_of[i], unit_of[j]);
                if ui == uj || !c.geometry.intersects(&cands[j].geometry) {
                    continue;
                }
                neighbours[ui as usize].push(uj);
            }
        }
        for n in &mut neighbours {
            n.sort_unstable();
            n.dedup();
        }
        let (unit_start, unit_members) = csr(members);
        let (nb_start, nb) = csr(neighbours);
        Adjacency {
            unit_of,
            unit_start,
            unit_members,
            nb_start,
            nb,
            area_m2: cands.iter().map(|c| c.area_m2.unwrap_or(0.0)).collect(),
            cell: None,
        }
    }

    fn members(&self, unit: u32) -> &[u32] {
        let u = unit as usize;
        &self.unit_members[self.unit_start[u] as usize..self.unit_start[u + 1] as usize]
    }

    fn neighbours(&self, unit: u32) -> &[u32] {
        let u = unit as usize;
        &self.nb[self.nb_start[u] as usize..self.nb_start[u + 1] as usize]
    }

    fn units(&self) -> usize {
        self.unit_start.len() - 1
    }
}

/// How areas grow.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GrowthRules {
    /// A neighbour joins while it scores at most this many points below the seed.
    pub max_score_drop: f64,
    /// An area never grows beyond this many m² (a single parcel larger than this is still
    /// one area).
    pub max_area_m2: f64,
}

/// One site area: its candidates (indices into the scored set) and summary figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteArea {
    /// Candidate indices, in the order they joined: the best first.
    pub members: Vec<u32>,
    /// The best candidate: the seed.
    pub best: u32,
    pub best_score: f64,
    /// Mean score, weighted by area where the candidates have one.
    pub mean_score: f64,
    pub area_m2: f64,
}

/// Grows areas one at a time, best first. `scores` is NaN for candidates that may not join
/// any area (excluded, or outside a filter); `order` lists the others best first, and is
/// read only as far as the areas asked for need.
pub struct Grower<'a> {
    adj: &'a Adjacency,
    scores: &'a [f64],
    order: Box<dyn Iterator<Item = u32> + 'a>,
    rules: GrowthRules,
    taken: Vec<bool>,
    unit_best: Vec<f64>,
}

/// Scores order like their bits when ≥ 0; used as heap keys so ties stay deterministic.
fn key(score: f64) -> u64 {
    score.max(0.0).to_bits()
}

impl<'a> Grower<'a> {
    pub fn new(
        adj: &'a Adjacency,
        scores: &'a [f64],
        order: impl Iterator<Item = u32> + 'a,
        rules: GrowthRules,
    ) -> Self {
        let mut unit_best = vec![f64::NAN; adj.units()];
        for (i, &s) in scores.iter().enumerate() {
            let u = adj.unit_of[i] as usize;
            if !s.is_nan() && (unit_best[u].is_nan() || s > unit_best[u]) {
                unit_best[u] = s;
            }
        }
        Grower {
            adj,
            scores,
            order: Box::new(order),
            rules,
            taken: vec![false; adj.units()],
            unit_best,
        }
    }

    /// The unit's candidates that may join, and their area.
    fn take(&mut self, unit: u32, members: &mut Vec<u32>) -> f64 {
        self.taken[unit as usize] = true;
        let mut area = 0.0;
        for &m in self.adj.members(unit) {
            if !self.scores[m as usize].is_nan() {
                members.push(m);
                area += self.adj.area_m2[m as usize];
            }
        }
        area
    }

    fn unit_area(&self, unit: u32) -> f64 {
        self.adj
            .members(unit)
            .iter()
            .filter(|&&m| !self.scores[m as usize].is_nan())
            .map(|&m| self.adj.area_m2[m as usize])
            .sum()
    }

    fn push_neighbours(&self, unit: u32, heap: &mut BinaryHeap<(u64, Reverse<u32>)>) {
        for &n in self.adj.neighbours(unit) {
            let s = self.unit_best[n as usize];
            if !self.taken[n as usize] && !s.is_nan() {
                heap.push((key(s), Reverse(n)));
            }
        }
    }
}

impl Iterator for Grower<'_> {
    type Item = SiteArea;

    fn next(&mut self) -> Option<SiteArea> {
        let seed = loop {
            let c = self.order.next()?;
            if !self.taken[self.adj.unit_of[c as usize] as usize] {
                break c;
            }
        };
        let seed_unit = self.adj.unit_of[seed as usize];
        let best_score = self.scores[seed as usize];
        let floor = best_score - self.rules.max_score_drop;
        let mut members = Vec::new();
        let mut area = self.take(seed_unit, &mut members);
        let mut heap = BinaryHeap::new();
        self.push_neighbours(seed_unit, &mut heap);
        while let Some((k, Reverse(unit))) = heap.pop() {
            if self.taken[unit as usize] {
                continue;
            }
            // The heap gives the best neighbour first: once it is too low, all are.
            if f64::from_bits(k) < floor {
                break;
            }
            let a = self.unit_area(unit);
            if area + a > self.rules.max_area_m2 {
                continue;
            }
            area += self.take(unit, &mut members);
            self.push_neighbours(unit, &mut heap);
        }
        let (mut wsum, mut w) = (0.0, 0.0);
        for &m in &members {
            let a = self.adj.area_m2[m as usize];
            wsum += self.scores[m as usize] * a;
            w += a;
        }
        let mean_score = if w > 0.0 {
            wsum / w
        } else {
            members
                .iter()
                .map(|&m| self.scores[m as usize])
                .sum::<f64>()
                / members.len().max(1) as f64
        };
        Some(SiteArea {
            best: seed,
            best_score,
            mean_score,
            area_m2: area,
            members,
        })
    }
}

/// What the shortlist asks of the areas it picks: the Locate step.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ShortlistRules {
    pub k: usize,
    /// Areas smaller than this are passed over.
    pub min_area_m2: f64,
    /// Picked areas lie at least this far apart: straight line, edge to edge.
    pub min_spacing_m: f64,
    /// At most this many picks per municipality (of the area's best candidate).
    pub max_per_municipality: Option<usize>,
}

/// Why an area ranked above the last pick was passed over.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Rejection {
    /// Smaller than the minimum area.
    TooSmall { area_m2: f64, min_area_m2: f64 },
    /// Closer than the minimum spacing to an area already picked (index into the picks).
    TooClose { pick: usize, distance_m: f64 },
    /// Its municipality already has the most picks allowed.
    MunicipalityFull { max: usize },
}

/// The shortlist: the areas picked, best first, and those passed over on the way.
#[derive(Debug, Clone, Serialize)]
pub struct Shortlist {
    /// Every area grown, in order (the picks and rejections index into it).
    pub areas: Vec<SiteArea>,
    /// Indices into `areas`, best first.
    pub picks: Vec<usize>,
    /// (index into `areas`, why), in area order.
    pub rejected: Vec<(usize, Rejection)>,
}

/// Edge-to-edge distance between two areas' candidates, stopping early once below `limit`.
pub fn area_distance(
    adj: &Adjacency,
    cands: &[Candidate],
    a: &SiteArea,
    b: &SiteArea,
    limit: f64,
) -> f64 {
    let mut best = f64::INFINITY;
    for &i in &a.members {
        for &j in &b.members {
            let d = match adj.cell {
                Some(size) => {
                    let (p, q) = (cands[i as usize].point, cands[j as usize].point);
                    let dx = ((p[0] - q[0]).abs() - size).max(0.0);
                    let dy = ((p[1] - q[1]).abs() - size).max(0.0);
                    dx.hypot(dy)
                }
                None => {
                    Euclidean.distance(&cands[i as usize].geometry, &cands[j as usize].geometry)
                }
            };
            best = best.min(d);
            if best < limit {
                return best;
            }
        }
    }
    best
}

/// The area's bounding box in EPSG:25833: [min x, min y, max x, max y].
pub fn area_bounds(adj: &Adjacency, cands: &[Candidate], a: &SiteArea) -> [f64; 4] {
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for &m in &a.members {
        let c = &cands[m as usize];
        let r = match adj.cell {
            Some(size) => [
                c.point[0] - size / 2.0,
                c.point[1] - size / 2.0,
                c.point[0] + size / 2.0,
                c.point[1] + size / 2.0,
            ],
            None => match c.geometry.bounding_rect() {
                Some(r) => [r.min().x, r.min().y, r.max().x, r.max().y],
                None => continue,
            },
        };
        b = [
            b[0].min(r[0]),
            b[1].min(r[1]),
            b[2].max(r[2]),
            b[3].max(r[3]),
        ];
    }
    b
}

fn box_distance(a: &[f64; 4], b: &[f64; 4]) -> f64 {
    let dx = (a[0] - b[2]).max(b[0] - a[2]).max(0.0);
    let dy = (a[1] - b[3]).max(b[1] - a[3]).max(0.0);
    dx.hypot(dy)
}

/// Pick up to `rules.k` areas from `areas` (best first) that meet the rules: the ArcGIS
/// "Locate" step. Areas are pulled only until the k-th pick.
pub fn shortlist(
    areas: impl Iterator<Item = SiteArea>,
    adj: &Adjacency,
    cands: &[Candidate],
    rules: &ShortlistRules,
) -> Shortlist {
    let mut out = Shortlist {
        areas: Vec::new(),
        picks: Vec::new(),
        rejected: Vec::new(),
    };
    let mut boxes: Vec<[f64; 4]> = Vec::new();
    let mut per_municipality: HashMap<Option<u32>, usize> = HashMap::new();
    if rules.k == 0 {
        return out;
    }
    for area in areas {
        let idx = out.areas.len();
        let municipality = cands[area.best as usize].municipality;
        let bounds = area_bounds(adj, cands, &area);
        let rejection = if area.area_m2 < rules.min_area_m2 {
            Some(Rejection::TooSmall {
                area_m2: area.area_m2,
                min_area_m2: rules.min_area_m2,
            })
        } else if let Some((pick, distance_m)) = out.picks.iter().enumerate().find_map(|(n, &p)| {
            if box_distance(&boxes[n], &bounds) >= rules.min_spacing_m {
                return None;
            }
            let d = area_distance(adj, cands, &out.areas[p], &area, rules.min_spacing_m);
            (d < rules.min_spacing_m).then_some((n, d))
        }) {
            Some(Rejection::TooClose { pick, distance_m })
        } else {
            match rules.max_per_municipality {
                Some(max) if per_municipality.get(&municipality).copied().unwrap_or(0) >= max => {
                    Some(Rejection::MunicipalityFull { max })
                }
                _ => None,
            }
        };
        out.areas.push(area);
        match rejection {
            Some(r) => out.rejected.push((idx, r)),
            None => {
                *per_municipality.entry(municipality).or_default() += 1;
                out.picks.push(idx);
                boxes.push(bounds);
                if out.picks.len() == rules.k {
                    break;
                }
            }
        }
    }
    out
}

/// Scores with every candidate outside `keep` set to NaN, and the kept ones best first.
pub fn filtered(
    scores: &[f64],
    order: &[u32],
    keep: impl Fn(usize) -> bool,
) -> (Vec<f64>, Vec<u32>) {
    let s: Vec<f64> = scores
        .iter()
        .enumerate()
        .map(|(i, &v)| if keep(i) { v } else { f64::NAN })
        .collect();
    let o = order
        .iter()
        .copied()
        .filter(|&i| !s[i as usize].is_nan())
        .collect();
    (s, o)
}

/// The area's outline in EPSG:25833: grid cells dissolved into polygons (exactly, along
/// the cell edges), or the union of the parcels; a point site stays a point.
pub fn outline(adj: &Adjacency, cands: &[Candidate], a: &SiteArea) -> Geometry<f64> {
    match adj.cell {
        Some(size) => {
            let cells: Vec<(i64, i64)> = a
                .members
                .iter()
                .map(|&m| cell_index(cands[m as usize].point, size))
                .collect();
            Geometry::MultiPolygon(super::dissolve::cells(&cells, size))
        }
        None => super::dissolve::shapes(a.members.iter().map(|&m| &cands[m as usize].geometry)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Geometry, Point};

    fn cell(x: i64, y: i64) -> Candidate {
        let p = [x as f64 * 100.0 + 50.0, y as f64 * 100.0 + 50.0];
        Candidate {
            id: format!("c{x}_{y}"),
            name: None,
            geometry: Geometry::Point(Point::new(p[0], p[1])),
            point: p,
            area_m2: None,
            municipality: Some(0),
            landuse: None,
            origin: Origin::Grid { size: 100.0 },
        }
    }

    #[test]
    fn grid_cells_touch_their_four_edge_neighbours_only() {
        let cands = vec![cell(0, 0), cell(1, 0), cell(1, 1), cell(3, 0)];
        let adj = Adjacency::new(&cands);
        assert_eq!(adj.neighbours(0), &[1]);
        assert_eq!(adj.neighbours(1), &[0, 2]);
        assert_eq!(adj.neighbours(3), &[] as &[u32]);
        assert_eq!(adj.cell, Some(100.0));
    }

    #[test]
    fn a_strip_longer_than_the_maximum_area_becomes_several_areas() {
        let cands: Vec<Candidate> = (0..10).map(|x| cell(x, 0)).collect();
        let adj = Adjacency::new(&cands);
        let scores = vec![50.0; 10];
        let order: Vec<u32> = (0..10).collect();
        let rules = GrowthRules {
            max_score_drop: 10.0,
            max_area_m2: 40_000.0,
        };
        let areas: Vec<SiteArea> =
            Grower::new(&adj, &scores, order.iter().copied(), rules).collect();
        assert_eq!(areas.len(), 3);
        assert_eq!(areas[0].members, vec![0, 1, 2, 3]);
        assert_eq!(areas[1].members, vec![4, 5, 6, 7]);
        assert_eq!(areas[2].members, vec![8, 9]);
    }
}
