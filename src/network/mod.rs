//! The road network as a graph: road links become edges between their end points, end points
//! within a snapping tolerance become one node, and connected components are reported, since
//! a corridor split into pieces is a data problem to show. No IO: built from the region.

use std::collections::HashMap;

use geo::{Euclidean, Geometry, Length, LineString};
use petgraph::graph::{NodeIndex, UnGraph};
use petgraph::unionfind::UnionFind;

use crate::domain::Region;

/// One road link between two nodes.
#[derive(Debug, Clone)]
pub struct Edge {
    /// Index into `region.roads`.
    pub road: u32,
    pub length_m: f64,
    /// E or R road (TEN-T candidates).
    pub main: bool,
}

/// A connected part of the network.
#[derive(Debug, Clone, PartialEq)]
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

fn parts(g: &Geometry<f64>) -> Vec<&LineString<f64>> {
    match g {
        Geometry::LineString(l) => vec![l],
        Geometry::MultiLineString(m) => m.0.iter().collect(),
        _ => Vec::new(),
    }
}

impl RoadGraph {
    /// Builds the graph of every road link, ferries included (they join the network as the
    /// roads do); `snap_m` is the snapping tolerance.
    pub fn build(region: &Region, snap_m: f64) -> RoadGraph {
        let mut graph = UnGraph::new_undirected();
        let mut snap = Snapper {
            tol: snap_m.max(1e-6),
            cells: HashMap::new(),
        };
        for (i, road) in region.roads.iter().enumerate() {
            for line in parts(&road.geometry) {
                let (Some(a), Some(b)) = (line.0.first(), line.0.last()) else {
                    continue;
                };
                let length_m = Euclidean.length(line);
                if length_m <= 0.0 {
                    continue;
                }
                let na = snap.node(&mut graph, [a.x, a.y]);
                let nb = snap.node(&mut graph, [b.x, b.y]);
                graph.add_edge(
                    na,
                    nb,
                    Edge {
                        road: i as u32,
                        length_m,
                        main: road.attrs.category.is_main(),
                    },
                );
            }
        }
        let components = components(&graph);
        RoadGraph {
            graph,
            snap_m,
            components,
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
    let mut by_root: HashMap<usize, Component> = HashMap::new();
    for n in g.node_indices() {
        by_root
            .entry(uf.find(n.index()))
            .or_insert(Component {
                nodes: 0,
                edges: 0,
                length_km: 0.0,
                main_length_km: 0.0,
            })
            .nodes += 1;
    }
    for e in g.edge_indices() {
        let (Some((a, _)), Some(w)) = (g.edge_endpoints(e), g.edge_weight(e)) else {
            continue;
        };
        let c = by_root.entry(uf.find(a.index())).or_insert(Component {
            nodes: 0,
            edges: 0,
            length_km: 0.0,
            main_length_km: 0.0,
        });
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
