//! Shortest paths and snapping. Dijkstra runs over a forward-star array (offsets, targets,
//! costs), which is several times faster than walking petgraph's adjacency lists; a search
//! may start from many sources at once, each carrying a label, so one run answers "how far
//! to the nearest corridor, and which point of it" for every node.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use geo::{Closest, ClosestPoint, Coord, Line, Point};
use petgraph::graph::UnGraph;
use rstar::primitives::GeomWithData;
use rstar::RTree;

use super::{Edge, RoadGraph};

pub const NONE: u32 = u32::MAX;

/// Forward-star arcs: node `n`'s arcs are `first[n]..first[n + 1]`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Arcs {
    first: Vec<u32>,
    target: Vec<u32>,
    edge: Vec<u32>,
    cost: Vec<f64>,
}

impl Arcs {
    /// Costs are metres; a ferry crossing adds `ferry_penalty_m`.
    pub(crate) fn new(g: &UnGraph<[f64; 2], Edge>, ferry_penalty_m: f64) -> Arcs {
        Self::costed(g, |w| {
            w.length_m + if w.ferry { ferry_penalty_m } else { 0.0 }
        })
    }

    /// Costs are seconds of driving. A ferry costs its own sailing time and no penalty: the
    /// penalty stands in for time on the metre arcs, which these arcs measure directly.
    pub(crate) fn timed(g: &UnGraph<[f64; 2], Edge>) -> Arcs {
        Self::costed(g, |w| w.time_s)
    }

    /// Arcs in each direction the edge's oneway rule allows, costed by `cost`.
    fn costed(g: &UnGraph<[f64; 2], Edge>, cost: impl Fn(&Edge) -> f64) -> Arcs {
        let n = g.node_count();
        let mut out: Vec<Vec<(u32, u32, f64)>> = vec![Vec::new(); n];
        for e in g.edge_indices() {
            let (Some((a, b)), Some(w)) = (g.edge_endpoints(e), g.edge_weight(e)) else {
                continue;
            };
            let cost = cost(w);
            let ei = e.index() as u32;
            if w.forward() {
                out[a.index()].push((b.index() as u32, ei, cost));
            }
            if w.backward() {
                out[b.index()].push((a.index() as u32, ei, cost));
            }
        }
        let mut arcs = Arcs {
            first: Vec::with_capacity(n + 1),
            ..Arcs::default()
        };
        for list in out {
            arcs.first.push(arcs.target.len() as u32);
            for (t, e, c) in list {
                arcs.target.push(t);
                arcs.edge.push(e);
                arcs.cost.push(c);
            }
        }
        arcs.first.push(arcs.target.len() as u32);
        arcs
    }

    /// The same arcs turned around: an arc u → v becomes v → u at the same cost. A search
    /// over them from a point gives each node's cost TO that point.
    pub(crate) fn reversed(&self) -> Arcs {
        let n = self.first.len().saturating_sub(1);
        let mut first = vec![0u32; n + 1];
        for &v in &self.target {
            first[v as usize + 1] += 1;
        }
        for i in 0..n {
            first[i + 1] += first[i];
        }
        let mut next = first.clone();
        let m = self.target.len();
        let mut out = Arcs {
            first,
            target: vec![0; m],
            edge: vec![0; m],
            cost: vec![0.0; m],
        };
        for u in 0..n {
            for i in self.first[u] as usize..self.first[u + 1] as usize {
                let v = self.target[i] as usize;
                let at = next[v] as usize;
                next[v] += 1;
                out.target[at] = u as u32;
                out.edge[at] = self.edge[i];
                out.cost[at] = self.cost[i];
            }
        }
        out
    }
}

/// A shortest-path tree: cost from the nearest source, that source's label, and the edge
/// each node was reached by.
#[derive(Debug, Clone)]
pub struct Tree {
    pub dist: Vec<f64>,
    pub label: Vec<u32>,
    pub pred: Vec<u32>,
}

impl Tree {
    pub fn reached(&self, n: u32) -> bool {
        self.dist[n as usize].is_finite()
    }
}

#[derive(PartialEq)]
struct Item(f64, u32);
impl Eq for Item {}
impl Ord for Item {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: BinaryHeap is a max-heap.
        other.0.total_cmp(&self.0).then(other.1.cmp(&self.1))
    }
}
impl PartialOrd for Item {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Off-road metres (from a site to the foot point on its link) are driven at this speed in
/// drive times: the site lies off the link, on yards and access roads that the network lacks.
pub const OFFROAD_KMH: f64 = 30.0;

impl RoadGraph {
    /// Dijkstra from `sources` (node, starting cost, label) over the edges `allow` accepts,
    /// settling nodes up to `limit` metres of cost.
    pub fn search(
        &self,
        sources: &[(u32, f64, u32)],
        limit: f64,
        allow: &dyn Fn(u32) -> bool,
    ) -> Tree {
        self.dijkstra(&self.arcs, sources, limit, allow)
    }

    /// Dijkstra by drive time: like [`RoadGraph::search`], but costs are seconds (each link's
    /// `time_s`, ferries at their sailing time) and nodes are settled up to `limit_s`.
    pub fn search_time(&self, sources: &[(u32, f64, u32)], limit_s: f64) -> Tree {
        self.dijkstra(&self.time_arcs, sources, limit_s, &|_| true)
    }

    /// The drive-time arcs turned around, for [`RoadGraph::search_time_to`]. Built on
    /// request: few searches need them, and they cost as much memory as the arcs.
    pub(crate) fn reversed_time_arcs(&self) -> Arcs {
        self.time_arcs.reversed()
    }

    /// Dijkstra by drive time TO the sources: over `reversed` (from
    /// [`RoadGraph::reversed_time_arcs`]), each node's cost is the drive from it to the
    /// nearest source, oneway rules followed in the direction of travel.
    pub(crate) fn search_time_to(
        &self,
        reversed: &Arcs,
        sources: &[(u32, f64, u32)],
        limit_s: f64,
    ) -> Tree {
        self.dijkstra(reversed, sources, limit_s, &|_| true)
    }

    fn dijkstra(
        &self,
        a: &Arcs,
        sources: &[(u32, f64, u32)],
        limit: f64,
        allow: &dyn Fn(u32) -> bool,
    ) -> Tree {
        let n = self.graph.node_count();
        let mut t = Tree {
            dist: vec![f64::INFINITY; n],
            label: vec![NONE; n],
            pred: vec![NONE; n],
        };
        let mut heap = BinaryHeap::new();
        for &(s, c, l) in sources {
            if (s as usize) < n && c < t.dist[s as usize] && c <= limit {
                t.dist[s as usize] = c;
                t.label[s as usize] = l;
                heap.push(Item(c, s));
            }
        }
        while let Some(Item(d, u)) = heap.pop() {
            if d > t.dist[u as usize] {
                continue;
            }
            let (lo, hi) = (
                a.first[u as usize] as usize,
                a.first[u as usize + 1] as usize,
            );
            for i in lo..hi {
                let v = a.target[i] as usize;
                let nd = d + a.cost[i];
                if nd < t.dist[v] && nd <= limit && allow(a.edge[i]) {
                    t.dist[v] = nd;
                    t.label[v] = t.label[u as usize];
                    t.pred[v] = a.edge[i];
                    heap.push(Item(nd, v as u32));
                }
            }
        }
        t
    }

    /// The edges from a source to `n`, in travel order.
    pub fn path_to(&self, tree: &Tree, n: u32) -> Vec<u32> {
        let mut out = Vec::new();
        let mut at = n;
        while tree.pred[at as usize] != NONE && out.len() <= self.edge_count() {
            let e = tree.pred[at as usize];
            out.push(e);
            let (a, b) = self.ends(e);
            at = if a == at { b } else { a };
        }
        out.reverse();
        out
    }
}

/// Where a point meets the network: the nearest link, how far along it, and how far off it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snap {
    pub edge: u32,
    /// Metres from the link's digitised start to the foot point.
    pub along_m: f64,
    /// Straight metres from the point to the foot point.
    pub offroad_m: f64,
    pub foot: [f64; 2],
}

type Segment = GeomWithData<Line<f64>, (u32, f64)>;

/// Every segment of every link, for snapping points.
pub struct SnapIndex {
    tree: RTree<Segment>,
}

impl SnapIndex {
    pub fn new(g: &RoadGraph, region: &crate::domain::Region) -> SnapIndex {
        let mut segs = Vec::new();
        for e in 0..g.edge_count() as u32 {
            let mut offset = 0.0;
            for w in g.coords(region, e).windows(2) {
                let line = Line::new(w[0], w[1]);
                let len = (w[1].x - w[0].x).hypot(w[1].y - w[0].y);
                if len > 0.0 {
                    segs.push(Segment::new(line, (e, offset)));
                }
                offset += len;
            }
        }
        SnapIndex {
            tree: RTree::bulk_load(segs),
        }
    }

    /// The nearest link `allow` accepts within `max_m` of `p`.
    pub fn snap(&self, p: [f64; 2], max_m: f64, allow: &dyn Fn(u32) -> bool) -> Option<Snap> {
        let q = Point::new(p[0], p[1]);
        for (seg, d2) in self.tree.nearest_neighbor_iter_with_distance_2(&q) {
            if d2 > max_m * max_m {
                return None;
            }
            let (edge, offset) = seg.data;
            if !allow(edge) {
                continue;
            }
            let line = seg.geom();
            let foot = match line.closest_point(&q) {
                Closest::Intersection(f) | Closest::SinglePoint(f) => f,
                Closest::Indeterminate => Point::from(line.start),
            };
            let start: Coord<f64> = line.start;
            return Some(Snap {
                edge,
                along_m: offset + (foot.x() - start.x).hypot(foot.y() - start.y),
                offroad_m: d2.sqrt(),
                foot: [foot.x(), foot.y()],
            });
        }
        None
    }
}

impl SnapIndex {
    /// Up to `n` nearest distinct links `allow` accepts within `max_m` of `p`, nearest first.
    pub fn snap_near(
        &self,
        p: [f64; 2],
        max_m: f64,
        n: usize,
        allow: &dyn Fn(u32) -> bool,
    ) -> Vec<Snap> {
        let q = Point::new(p[0], p[1]);
        let mut out: Vec<Snap> = Vec::new();
        for (seg, d2) in self.tree.nearest_neighbor_iter_with_distance_2(&q) {
            if d2 > max_m * max_m || out.len() >= n {
                break;
            }
            let (edge, offset) = seg.data;
            if !allow(edge) || out.iter().any(|s| s.edge == edge) {
                continue;
            }
            let line = seg.geom();
            let foot = match line.closest_point(&q) {
                Closest::Intersection(f) | Closest::SinglePoint(f) => f,
                Closest::Indeterminate => Point::from(line.start),
            };
            out.push(Snap {
                edge,
                along_m: offset + (foot.x() - line.start.x).hypot(foot.y() - line.start.y),
                offroad_m: d2.sqrt(),
                foot: [foot.x(), foot.y()],
            });
        }
        out
    }
}

impl RoadGraph {
    /// Cost from the tree's sources to a snapped point, and the label of the source: through
    /// whichever end of its link the direction of travel allows, plus the walk off the road.
    pub fn reach(&self, tree: &Tree, s: &Snap) -> Option<(f64, u32)> {
        self.reach_by(tree, s, &|_, m| m, s.offroad_m)
            .map(|e| (e.cost, e.label))
    }

    /// Drive time in seconds from a [`RoadGraph::search_time`] tree's sources to a snapped
    /// point, and the label of the source. Part of a link takes its share of the link's time;
    /// the off-road metres are driven at [`OFFROAD_KMH`].
    pub fn reach_time(&self, tree: &Tree, s: &Snap) -> Option<(f64, u32)> {
        self.reach_time_via(tree, s).map(|e| (e.cost, e.label))
    }

    /// [`RoadGraph::reach_time`], with where the path enters the point's link.
    pub(crate) fn reach_time_via(&self, tree: &Tree, s: &Snap) -> Option<Entry> {
        self.reach_by(tree, s, &partial_time, offroad_s(s.offroad_m))
    }

    /// `partial` costs metres of the link, `offroad` is the cost of the leg off the road.
    fn reach_by(
        &self,
        tree: &Tree,
        s: &Snap,
        partial: &dyn Fn(&Edge, f64) -> f64,
        offroad: f64,
    ) -> Option<Entry> {
        let edge = self.edge(s.edge);
        let (a, b) = self.ends(s.edge);
        let mut best: Option<Entry> = None;
        let mut consider = |node: u32, along: f64, allowed: bool| {
            let d = tree.dist[node as usize];
            if allowed && d.is_finite() {
                let cost = d + partial(edge, along) + offroad;
                if best.as_ref().is_none_or(|b| cost < b.cost) {
                    best = Some(Entry {
                        cost,
                        label: tree.label[node as usize],
                        node,
                        link_m: along,
                    });
                }
            }
        };
        consider(a, s.along_m, edge.forward());
        consider(b, (edge.length_m - s.along_m).max(0.0), edge.backward());
        best
    }
}

/// How a tree reaches a snapped point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Entry {
    pub cost: f64,
    /// The label of the source.
    pub label: u32,
    /// The end of the point's link the path enters by.
    pub node: u32,
    /// Metres of the link from that end to the foot point.
    pub link_m: f64,
}

/// Seconds to drive `m` metres of link `e`: its share of the link's time.
pub(crate) fn partial_time(e: &Edge, m: f64) -> f64 {
    if e.length_m > 0.0 {
        m / e.length_m * e.time_s
    } else {
        0.0
    }
}

/// Seconds for the leg between a point and its foot on the road, at [`OFFROAD_KMH`].
pub(crate) fn offroad_s(m: f64) -> f64 {
    m / (OFFROAD_KMH / 3.6)
}
