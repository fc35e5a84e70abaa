//! The road network as a graph: road links become edges between their end points, end points
//! within a snapping tolerance become one node, and connected components are reported, since
//! a corridor split into pieces is a data problem to show. No IO: built from the region.
//!
//! - [`route`]: shortest paths (Dijkstra over a compact arc array) and snapping points to links;
//! - [`corridor`]: corridors resolved to paths with chainage, and where points meet them;
//! - [`coverage`]: station spacing along each corridor against the AFIR rules;
//! - [`select`]: choosing the candidates that close the gaps or cover the most traffic;
//! - [`synergy`]: terminals, ports and approved sites within 15 and 30 minutes' drive.

pub mod corridor;
pub mod coverage;
pub mod route;
pub mod select;
pub mod synergy;

use std::collections::HashMap;

use geo::{Coord, Euclidean, Geometry, Length, LineString};
use petgraph::graph::{NodeIndex, UnGraph};
use petgraph::unionfind::UnionFind;

use crate::domain::layers::{Oneway, RoadCategory};
use crate::domain::Region;

pub use corridor::{Corridor, Network, NetworkError, Position};
pub use route::{Snap, SnapIndex, Tree};

/// One road link between two nodes, in the direction it was digitised.
#[derive(Debug, Clone)]
pub struct Edge {
    /// Index into `region.roads`.
    pub road: u32,
    /// Which line of a multi-line road.
    pub part: u32,
    pub length_m: f64,
    /// Travel time in seconds, from the link's speed or, when unknown, its class.
    pub time_s: f64,
    /// The speed was estimated from the road class.
    pub speed_estimated: bool,
    /// E or R road (TEN-T candidates).
    pub main: bool,
    pub ferry: bool,
    pub oneway: Oneway,
}

impl Edge {
    /// Travel from the digitised start to the end is allowed.
    pub fn forward(&self) -> bool {
        matches!(self.oneway, Oneway::Both | Oneway::Forward)
    }

    pub fn backward(&self) -> bool {
        matches!(self.oneway, Oneway::Both | Oneway::Backward)
    }
}

/// A connected part of the network.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Component {
    pub nodes: usize,
    pub edges: usize,
    pub length_km: f64,
    pub main_length_km: f64,
}

pub struct RoadGraph {
    pub graph: UnGraph<[f64; 2], Edge>,
    /// End points closer than this (metres) became one node.
    pub snap_m: f64,
    /// Biggest first.
    pub components: Vec<Component>,
    /// Forward-star arcs for routing, costed in metres.
    pub(crate) arcs: route::Arcs,
    /// The same arcs costed in seconds, for drive times.
    pub(crate) time_arcs: route::Arcs,
}

/// Nodes keyed by their snapping cell; a point also looks in the neighbouring cells, so two
/// end points within the tolerance meet even across a cell border.
struct Snapper {
    tol: f64,
    cells: HashMap<(i64, i64), Vec<NodeIndex>>,
}

impl Snapper {
    fn node(&mut self, g: &mut UnGraph<[f64; 2], Edge>, p: [f64; 2]) -> NodeIndex {
        let key = (
            (p[0] / self.tol).floor() as i64,
            (p[1] / self.tol).floor() as i64,
        );
        for dx in -1..=1 {
            for dy in -1..=1 {
                if let Some(ns) = self.cells.get(&(key.0 + dx, key.1 + dy)) {
                    for &n in ns {
                        let q = g[n];
                        if (q[0] - p[0]).hypot(q[1] - p[1]) <= self.tol {
                            return n;
                        }
                    }
                }
            }
        }
        let n = g.add_node(p);
        self.cells.entry(key).or_default().push(n);
        n
    }
}

pub(crate) fn parts(g: &Geometry<f64>) -> Vec<&LineString<f64>> {
    match g {
        Geometry::LineString(l) => vec![l],
        Geometry::MultiLineString(m) => m.0.iter().collect(),
        _ => Vec::new(),
    }
}

/// km/h assumed where a link has no speed: a coarse order of magnitude per class, good for
/// comparing routes, not for timetables.
fn class_speed_kmh(category: RoadCategory, motorway: bool, ferry: bool) -> f64 {
    if ferry {
        return 20.0;
    }
    match category {
        RoadCategory::European if motorway => 100.0,
        RoadCategory::European | RoadCategory::National => 80.0,
        RoadCategory::County => 60.0,
        RoadCategory::Municipal => 40.0,
        RoadCategory::Private | RoadCategory::Other => 30.0,
    }
}

impl RoadGraph {
    /// Builds the graph of every road link, ferries included (they join the network as the
    /// roads do, and routing charges `ferry_penalty_m` per crossing); `snap_m` is the
    /// snapping tolerance.
    pub fn build(region: &Region, snap_m: f64) -> RoadGraph {
        Self::build_with(region, snap_m, 0.0)
    }

    pub fn build_with(region: &Region, snap_m: f64, ferry_penalty_m: f64) -> RoadGraph {
        let mut graph = UnGraph::new_undirected();
        let mut snap = Snapper {
            tol: snap_m.max(1e-6),
            cells: HashMap::new(),
        };
        for (i, road) in region.roads.iter().enumerate() {
            let a = &road.attrs;
            if a.oneway == Oneway::Closed {
                continue;
            }
            for (j, line) in parts(&road.geometry).into_iter().enumerate() {
                let (Some(first), Some(last)) = (line.0.first(), line.0.last()) else {
                    continue;
                };
                let length_m = Euclidean.length(line);
                if length_m <= 0.0 {
                    continue;
                }
                let (speed, speed_estimated) = match a.speed_kmh {
                    Some(s) if s > 0.0 => (s, false),
                    _ => (class_speed_kmh(a.category, a.motorway, a.ferry), true),
                };
                let na = snap.node(&mut graph, [first.x, first.y]);
                let nb = snap.node(&mut graph, [last.x, last.y]);
                graph.add_edge(
                    na,
                    nb,
                    Edge {
                        road: i as u32,
                        part: j as u32,
                        length_m,
                        time_s: length_m / (speed / 3.6),
                        speed_estimated,
                        main: a.category.is_main(),
                        ferry: a.ferry,
                        oneway: a.oneway,
                    },
                );
            }
        }
        let components = components(&graph);
        let arcs = route::Arcs::new(&graph, ferry_penalty_m);
        let time_arcs = route::Arcs::timed(&graph);
        RoadGraph {
            graph,
            snap_m,
            components,
            arcs,
            time_arcs,
        }
    }

    pub fn edge(&self, e: u32) -> &Edge {
        &self.graph[petgraph::graph::EdgeIndex::new(e as usize)]
    }

    /// The edge's end nodes in digitised order.
    pub fn ends(&self, e: u32) -> (u32, u32) {
        self.graph
            .edge_endpoints(petgraph::graph::EdgeIndex::new(e as usize))
            .map(|(a, b)| (a.index() as u32, b.index() as u32))
            .unwrap_or((0, 0))
    }

    pub fn node_xy(&self, n: u32) -> [f64; 2] {
        self.graph[NodeIndex::new(n as usize)]
    }

    /// The line an edge was made from, in digitised order.
    pub fn coords<'r>(&self, region: &'r Region, e: u32) -> &'r [Coord<f64>] {
        let edge = self.edge(e);
        region
            .roads
            .get(edge.road as usize)
            .and_then(|r| parts(&r.geometry).get(edge.part as usize).copied())
            .map(|l| l.0.as_slice())
            .unwrap_or(&[])
    }

    pub fn edge_count(&self) -> usize {
        self.graph.edge_count()
    }

    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }
}

/// What `check-data` shows about the network.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Summary {
    pub snap_m: f64,
    pub nodes: usize,
    pub edges: usize,
    pub components: usize,
    /// The biggest components, biggest first.
    pub largest: Vec<Component>,
    /// Share of E and R road length in the biggest component.
    pub main_share_largest: f64,
    pub corridors: Vec<CorridorSummary>,
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct CorridorSummary {
    pub name: String,
    pub tent: crate::domain::afir::Tent,
    pub refs: Vec<String>,
    pub length_km: f64,
}

impl Summary {
    pub fn of(graph: &RoadGraph, network: Option<&Network>) -> Summary {
        let main: f64 = graph.components.iter().map(|c| c.main_length_km).sum();
        Summary {
            snap_m: graph.snap_m,
            nodes: graph.node_count(),
            edges: graph.edge_count(),
            components: graph.components.len(),
            largest: graph.components.iter().take(5).cloned().collect(),
            main_share_largest: match graph.components.first() {
                Some(c) if main > 0.0 => c.main_length_km / main,
                _ => 0.0,
            },
            corridors: network
                .map(|n| {
                    n.corridors
                        .iter()
                        .map(|c| CorridorSummary {
                            name: c.name.clone(),
                            tent: c.tent,
                            refs: c.refs.iter().map(|r| r.to_string()).collect(),
                            length_km: c.length_m / 1000.0,
                        })
                        .collect()
                })
                .unwrap_or_default(),
            problems: network
                .map(|n| n.problems.iter().map(|p| p.to_string()).collect())
                .unwrap_or_default(),
        }
    }
}

fn components(g: &UnGraph<[f64; 2], Edge>) -> Vec<Component> {
    let mut uf = UnionFind::new(g.node_count());
    for e in g.edge_indices() {
        if let Some((a, b)) = g.edge_endpoints(e) {
            uf.union(a.index(), b.index());
        }
    }
    let empty = Component {
        nodes: 0,
        edges: 0,
        length_km: 0.0,
        main_length_km: 0.0,
    };
    let mut by_root: HashMap<usize, Component> = HashMap::new();
    for n in g.node_indices() {
        by_root
            .entry(uf.find(n.index()))
            .or_insert(empty.clone())
            .nodes += 1;
    }
    for e in g.edge_indices() {
        let (Some((a, _)), Some(w)) = (g.edge_endpoints(e), g.edge_weight(e)) else {
            continue;
        };
        let c = by_root.entry(uf.find(a.index())).or_insert(empty.clone());
        c.edges += 1;
        c.length_km += w.length_m / 1000.0;
        if w.main {
            c.main_length_km += w.length_m / 1000.0;
        }
    }
    let mut out: Vec<Component> = by_root.into_values().collect();
    out.sort_by(|a, b| b.length_km.total_cmp(&a.length_km));
    out
}
