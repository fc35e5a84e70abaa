//! Corridors on the graph. A corridor is the shortest path from its `from` to its `to` over
//! the links of its road references, so a branching road (E6 north and south of Oslo, dual
//! carriageways) still gives one line with one chainage. Points meet a corridor by network
//! distance: a station counts where a truck leaving the corridor reaches it.

use std::collections::HashMap;

use geo::{Contains, Coord, LineString, Point};

use super::route::{SnapIndex, Tree, NONE};
use super::RoadGraph;
use crate::domain::afir::Tent;
use crate::domain::corridor::{CorridorSpec, CorridorsFile, NetworkSettings, RoadRef};
use crate::domain::Region;

/// How far a corridor's `from` or `to` may lie from a link of its roads.
pub const END_SNAP_M: f64 = 5000.0;

#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum NetworkError {
    #[error("corridor '{corridor}': the roads layer has no link of {reference}. Hint: check refs in the corridors file; the data has {known}")]
    UnknownRef {
        corridor: String,
        reference: String,
        known: String,
    },
    #[error("corridor '{corridor}': its {end} point lies {distance_m:.0} m from the nearest link of {refs} (at most {limit_m:.0} m). Hint: move `{end}` onto the road")]
    EndTooFar {
        corridor: String,
        end: &'static str,
        refs: String,
        distance_m: f64,
        limit_m: f64,
    },
    #[error("corridor '{corridor}': the links of {refs} do not connect from start to end. They break after {reached_km:.1} km, near {near} ({gap_m:.0} m in a straight line from the rest). Hint: check the road data there, or raise [network] snap_m (now {snap_m} m)")]
    Disconnected {
        corridor: String,
        refs: String,
        reached_km: f64,
        near: String,
        gap_m: f64,
        snap_m: f64,
    },
    #[error("{what} lies {distance_m:.0} m from the nearest road; points more than {limit_m:.0} m away are not on the network. Hint: check its coordinates, or raise [network] point_snap_m")]
    OffNetwork {
        what: String,
        distance_m: f64,
        limit_m: f64,
    },
    #[error("no corridor called '{0}'. Hint: the corridors file names them")]
    UnknownCorridor(String),
}

/// A corridor as a path through the graph, with chainage in metres from `from`.
#[derive(Debug, Clone)]
pub struct Corridor {
    pub name: String,
    pub tent: Tent,
    pub refs: Vec<RoadRef>,
    pub line: LineString<f64>,
    pub length_m: f64,
    /// Nodes on the corridor and their chainage.
    pub nodes: Vec<(u32, f64)>,
    /// Corridor links: chainage at the link's digitised start, and +1 or -1 as chainage grows
    /// with or against the digitising.
    pub edges: HashMap<u32, (f64, f64)>,
}

/// Where a point meets a corridor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Position {
    pub chainage_m: f64,
    /// Driving metres from the corridor (plus the straight walk from the road to the point).
    pub access_m: f64,
}

/// The graph, the corridors on it and what could not be resolved.
pub struct Network {
    pub graph: RoadGraph,
    pub settings: NetworkSettings,
    pub corridors: Vec<Corridor>,
    /// Corridors that could not be resolved, and why. Shown, never hidden.
    pub problems: Vec<NetworkError>,
    pub urban_nodes: Vec<crate::domain::corridor::UrbanNode>,
    snaps: SnapIndex,
    /// From every corridor at once: cost to each node.
    any: Tree,
    /// Per corridor, bounded at `TREE_LIMIT_M`: cost and nearest corridor node.
    trees: Vec<Tree>,
}

impl std::fmt::Debug for Network {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Network")
            .field("nodes", &self.graph.node_count())
            .field("edges", &self.graph.edge_count())
            .field("corridors", &self.corridors.len())
            .field("problems", &self.problems)
            .finish()
    }
}

/// How many nearby links a point may connect to.
const NEAR_LINKS: usize = 8;

/// Corridor trees reach this far; no rule allows more access distance than this.
const TREE_LIMIT_M: f64 = 25_000.0;

fn refs_text(refs: &[RoadRef]) -> String {
    refs.iter()
        .map(|r| r.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Text for a place: the municipality and coordinates.
pub fn place(region: &Region, p: [f64; 2]) -> String {
    let pt = Point::new(p[0], p[1]);
    let kommune = region
        .boundary
        .iter()
        .find(|m| m.geometry.contains(&pt))
        .map(|m| format!("{} ", m.attrs.name));
    format!(
        "{}(E {:.0}, N {:.0}, EPSG:25833)",
        kommune.unwrap_or_default(),
        p[0],
        p[1]
    )
}

impl Network {
    /// The graph and corridors of a region with a corridors file; `None` without one.
    pub fn build(region: &Region) -> Option<Network> {
        let rc = region.corridors.as_ref()?;
        Some(Network::with(region, &rc.file, &rc.ends))
    }

    pub fn with(region: &Region, file: &CorridorsFile, ends: &[([f64; 2], [f64; 2])]) -> Network {
        let s = &file.network;
        let graph = RoadGraph::build_with(region, s.snap_m, s.ferry_penalty_km * 1000.0);
        let snaps = SnapIndex::new(&graph, region);
        let mut corridors = Vec::new();
        let mut problems = Vec::new();
        for (spec, (from, to)) in file.corridors.iter().zip(ends) {
            match resolve(region, &graph, &snaps, s, spec, *from, *to) {
                Ok(c) => corridors.push(c),
                Err(e) => problems.push(e),
            }
        }
        let everything = |_: u32| true;
        let mut seeds = Vec::new();
        for (ci, c) in corridors.iter().enumerate() {
            seeds.extend(c.nodes.iter().map(|&(n, _)| (n, 0.0, ci as u32)));
        }
        let any = graph.search(&seeds, f64::INFINITY, &everything);
        let trees = corridors
            .iter()
            .map(|c| {
                let seeds: Vec<(u32, f64, u32)> = c
                    .nodes
                    .iter()
                    .enumerate()
                    .map(|(i, &(n, _))| (n, 0.0, i as u32))
                    .collect();
                graph.search(&seeds, TREE_LIMIT_M, &everything)
            })
            .collect();
        Network {
            graph,
            settings: s.clone(),
            corridors,
            problems,
            urban_nodes: file.urban_nodes.clone(),
            snaps,
            any,
            trees,
        }
    }

    /// Every link's segments, for snapping points to the graph.
    pub fn snaps(&self) -> &SnapIndex {
        &self.snaps
    }

    /// Snap a point to the nearest road that is not a ferry, within `point_snap_m`.
    pub fn snap(&self, p: [f64; 2], what: &str) -> Result<super::Snap, NetworkError> {
        let limit = self.settings.point_snap_m;
        let not_ferry = |e: u32| !self.graph.edge(e).ferry;
        self.snaps.snap(p, limit, &not_ferry).ok_or_else(|| {
            let distance_m = self
                .snaps
                .snap(p, f64::INFINITY, &not_ferry)
                .map_or(f64::INFINITY, |s| s.offroad_m);
            NetworkError::OffNetwork {
                what: what.to_string(),
                distance_m,
                limit_m: limit,
            }
        })
    }

    /// The links a point may be reached from: its nearest few within `point_snap_m`. On
    /// coarse data the nearest link is often a parallel minor road, so the point connects to
    /// whichever of them gives the shortest drive; the walk from the road counts as driving.
    pub fn locate(&self, p: [f64; 2], what: &str) -> Result<Vec<super::Snap>, NetworkError> {
        let not_ferry = |e: u32| !self.graph.edge(e).ferry;
        let near = self
            .snaps
            .snap_near(p, self.settings.point_snap_m, NEAR_LINKS, &not_ferry);
        if near.is_empty() {
            // Say how far the nearest road is.
            self.snap(p, what)?;
        }
        Ok(near)
    }

    /// Driving metres from the nearest corridor to `p`, and which corridor. `None` when no
    /// corridor reaches it.
    pub fn corridor_access(
        &self,
        p: [f64; 2],
        what: &str,
    ) -> Result<Option<(f64, usize)>, NetworkError> {
        let near = self.locate(p, what)?;
        Ok(near
            .iter()
            .filter_map(|s| self.best_access(s))
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(d, c)| (d, c as usize)))
    }

    fn best_access(&self, s: &super::Snap) -> Option<(f64, u32)> {
        // On a corridor link itself the access is only the walk from the road.
        for (ci, c) in self.corridors.iter().enumerate() {
            if c.edges.contains_key(&s.edge) {
                return Some((s.offroad_m, ci as u32));
            }
        }
        self.graph.reach(&self.any, s)
    }

    /// Where `p` meets corridor `ci`, if within `max_access_m` of driving.
    pub fn position(
        &self,
        ci: usize,
        p: [f64; 2],
        max_access_m: f64,
        what: &str,
    ) -> Result<Option<Position>, NetworkError> {
        let near = self.locate(p, what)?;
        Ok(self.position_of(ci, &near, max_access_m))
    }

    /// The best position over the links a point may be reached from.
    pub fn position_of(
        &self,
        ci: usize,
        near: &[super::Snap],
        max_access_m: f64,
    ) -> Option<Position> {
        let c = self.corridors.get(ci)?;
        near.iter()
            .filter_map(|s| {
                if let Some(&(start, sign)) = c.edges.get(&s.edge) {
                    Some(Position {
                        chainage_m: (start + sign * s.along_m).clamp(0.0, c.length_m),
                        access_m: s.offroad_m,
                    })
                } else {
                    self.graph
                        .reach(&self.trees[ci], s)
                        .map(|(d, label)| Position {
                            chainage_m: c.nodes[label as usize].1,
                            access_m: d,
                        })
                }
            })
            .filter(|p| p.access_m <= max_access_m)
            .min_by(|a, b| a.access_m.total_cmp(&b.access_m))
    }

    /// Shortest driving distance in metres from `from` to `to` over every link (ferries with
    /// their penalty); `None` when `to` cannot be reached.
    pub fn distance(&self, from: [f64; 2], to: [f64; 2]) -> Result<Option<f64>, NetworkError> {
        let s = self.snap(from, "from")?;
        let t = self.snap(to, "to")?;
        let g = &self.graph;
        let (sa, sb) = g.ends(s.edge);
        let se = g.edge(s.edge);
        let mut seeds = Vec::new();
        if se.backward() {
            seeds.push((sa, s.along_m + s.offroad_m, 0));
        }
        if se.forward() {
            seeds.push((sb, se.length_m - s.along_m + s.offroad_m, 0));
        }
        let tree = g.search(&seeds, f64::INFINITY, &|_| true);
        let mut best = g.reach(&tree, &t).map(|(d, _)| d);
        if s.edge == t.edge {
            let forward = t.along_m >= s.along_m;
            if (forward && se.forward()) || (!forward && se.backward()) {
                let direct = (t.along_m - s.along_m).abs() + s.offroad_m + t.offroad_m;
                best = Some(best.map_or(direct, |b| b.min(direct)));
            }
        }
        Ok(best)
    }

    pub fn corridor_index(&self, name: &str) -> Result<usize, NetworkError> {
        self.corridors
            .iter()
            .position(|c| c.name == name)
            .ok_or_else(|| NetworkError::UnknownCorridor(name.to_string()))
    }
}

/// The piece of `line` between chainages `from_m` and `to_m`.
pub fn substring(line: &LineString<f64>, from_m: f64, to_m: f64) -> LineString<f64> {
    let mut out: Vec<Coord<f64>> = Vec::new();
    let mut at = 0.0;
    for w in line.0.windows(2) {
        let len = (w[1].x - w[0].x).hypot(w[1].y - w[0].y);
        let (s, e) = (at, at + len);
        if e >= from_m && s <= to_m && len > 0.0 {
            let lerp = |m: f64| {
                let t = ((m - s) / len).clamp(0.0, 1.0);
                Coord {
                    x: w[0].x + t * (w[1].x - w[0].x),
                    y: w[0].y + t * (w[1].y - w[0].y),
                }
            };
            let a = lerp(from_m.max(s));
            if out.last() != Some(&a) {
                out.push(a);
            }
            out.push(lerp(to_m.min(e)));
        }
        at = e;
    }
    if out.len() == 1 {
        out.push(out[0]);
    }
    LineString::new(out)
}

/// A link's line oriented in travel direction, cut to `[from_m, to_m]` of its own length
/// (measured from the digitised start).
fn piece(coords: &[Coord<f64>], from_m: f64, to_m: f64, forward: bool) -> Vec<Coord<f64>> {
    let line = LineString::new(coords.to_vec());
    let mut part = substring(&line, from_m.min(to_m), from_m.max(to_m)).0;
    if !forward {
        part.reverse();
    }
    part
}

fn resolve(
    region: &Region,
    g: &RoadGraph,
    snaps: &SnapIndex,
    settings: &NetworkSettings,
    spec: &CorridorSpec,
    from: [f64; 2],
    to: [f64; 2],
) -> Result<Corridor, NetworkError> {
    let refs = CorridorsFile::refs(spec);
    for r in &refs {
        if !region.roads.iter().any(|road| r.matches(&road.attrs)) {
            let mut known: Vec<String> = region
                .roads
                .iter()
                .filter(|road| road.attrs.category.is_main())
                .filter_map(|road| road.attrs.reference())
                .collect();
            known.sort_by_key(|k| {
                (
                    k.chars().next().unwrap_or(' '),
                    k.trim_start_matches(char::is_alphabetic)
                        .parse::<u32>()
                        .unwrap_or(0),
                )
            });
            known.dedup();
            return Err(NetworkError::UnknownRef {
                corridor: spec.name.clone(),
                reference: r.to_string(),
                known: if known.is_empty() {
                    "no E or R roads".into()
                } else {
                    known.join(", ")
                },
            });
        }
    }
    let allowed = |e: u32| {
        let edge = g.edge(e);
        !edge.ferry
            && region
                .roads
                .get(edge.road as usize)
                .is_some_and(|road| refs.iter().any(|r| r.matches(&road.attrs)))
    };
    let snap_end = |p: [f64; 2], end: &'static str| {
        snaps.snap(p, END_SNAP_M, &allowed).ok_or_else(|| {
            let distance_m = snaps
                .snap(p, f64::INFINITY, &allowed)
                .map_or(f64::INFINITY, |s| s.offroad_m);
            NetworkError::EndTooFar {
                corridor: spec.name.clone(),
                end,
                refs: refs_text(&refs),
                distance_m,
                limit_m: END_SNAP_M,
            }
        })
    };
    let start = snap_end(from, "from")?;
    let end = snap_end(to, "to")?;
    let (sa, sb) = g.ends(start.edge);
    let se = g.edge(start.edge);
    // Leaving the start link towards a is travelling against its digitising.
    let mut seeds = Vec::new();
    if se.backward() {
        seeds.push((sa, start.along_m, 0));
    }
    if se.forward() {
        seeds.push((sb, se.length_m - start.along_m, 1));
    }
    let tree = g.search(&seeds, f64::INFINITY, &allowed);
    let (ea, eb) = g.ends(end.edge);
    let ee = g.edge(end.edge);
    // Entering the end link at a and travelling forward, or at b and travelling back.
    let mut options: Vec<(f64, u32, bool)> = Vec::new();
    if ee.forward() && tree.reached(ea) {
        options.push((tree.dist[ea as usize] + end.along_m, ea, true));
    }
    if ee.backward() && tree.reached(eb) {
        options.push((
            tree.dist[eb as usize] + ee.length_m - end.along_m,
            eb,
            false,
        ));
    }
    let direct = (start.edge == end.edge)
        .then(|| {
            let forward = end.along_m >= start.along_m;
            let ok = if forward { se.forward() } else { se.backward() };
            ok.then_some((end.along_m - start.along_m).abs())
        })
        .flatten();
    let best = options.iter().copied().min_by(|a, b| a.0.total_cmp(&b.0));
    let mut coords: Vec<Coord<f64>> = Vec::new();
    let mut nodes = Vec::new();
    let mut edges = HashMap::new();
    let start_coords = g.coords(region, start.edge);
    match (direct, best) {
        (Some(d), b) if b.is_none_or(|b| d <= b.0) => {
            let forward = end.along_m >= start.along_m;
            coords = piece(start_coords, start.along_m, end.along_m, forward);
            let sign = if forward { 1.0 } else { -1.0 };
            edges.insert(start.edge, (-sign * start.along_m, sign));
        }
        (_, Some((_, entry, end_forward))) => {
            let path = g.path_to(&tree, entry);
            // The seed the path grew from says which way it left the start link.
            let leave_forward = tree.label[entry as usize] == 1;
            let first = if leave_forward { sb } else { sa };
            let mut at_m;
            if leave_forward {
                coords.extend(piece(start_coords, start.along_m, se.length_m, true));
                edges.insert(start.edge, (-start.along_m, 1.0));
                at_m = se.length_m - start.along_m;
            } else {
                coords.extend(piece(start_coords, 0.0, start.along_m, false));
                edges.insert(start.edge, (start.along_m, -1.0));
                at_m = start.along_m;
            }
            let mut node = first;
            nodes.push((node, at_m));
            for &e in &path {
                let (a, b) = g.ends(e);
                let forward = a == node;
                let len = g.edge(e).length_m;
                let c = g.coords(region, e);
                let mut p = piece(c, 0.0, len, forward);
                if !p.is_empty() {
                    p.remove(0);
                }
                coords.extend(p);
                edges.insert(
                    e,
                    if forward {
                        (at_m, 1.0)
                    } else {
                        (at_m + len, -1.0)
                    },
                );
                at_m += len;
                node = if forward { b } else { a };
                nodes.push((node, at_m));
            }
            let end_coords = g.coords(region, end.edge);
            let mut p = if end_forward {
                edges.insert(end.edge, (at_m, 1.0));
                piece(end_coords, 0.0, end.along_m, true)
            } else {
                edges.insert(end.edge, (at_m + ee.length_m, -1.0));
                piece(end_coords, end.along_m, ee.length_m, false)
            };
            if !p.is_empty() {
                p.remove(0);
            }
            coords.extend(p);
            // Where `from` or `to` sits on a node, that node is part of the corridor too.
            const ON_NODE_M: f64 = 1e-6;
            let (behind, behind_m) = if leave_forward {
                (sa, start.along_m)
            } else {
                (sb, se.length_m - start.along_m)
            };
            if behind_m <= ON_NODE_M {
                nodes.insert(0, (behind, 0.0));
            }
            let (ahead, ahead_m) = if end_forward {
                (eb, ee.length_m - end.along_m)
            } else {
                (ea, end.along_m)
            };
            if ahead_m <= ON_NODE_M {
                let total = at_m + ee.length_m;
                nodes.push((ahead, total));
            }
        }
        _ => {
            // Report where the reachable part ends: its node nearest to `to`.
            let mut near = (f64::INFINITY, NONE);
            for n in 0..g.node_count() as u32 {
                if tree.reached(n) {
                    let q = g.node_xy(n);
                    let d = (q[0] - to[0]).hypot(q[1] - to[1]);
                    if d < near.0 {
                        near = (d, n);
                    }
                }
            }
            let reached_km = if near.1 == NONE {
                0.0
            } else {
                tree.dist[near.1 as usize] / 1000.0
            };
            // The straight gap from the reachable part to the nearest unreachable link.
            let gap_m = if near.1 == NONE {
                0.0
            } else {
                let q = g.node_xy(near.1);
                let unreached = |e: u32| {
                    let (a, b) = g.ends(e);
                    allowed(e) && !tree.reached(a) && !tree.reached(b)
                };
                snaps
                    .snap(q, f64::INFINITY, &unreached)
                    .map_or(0.0, |s| s.offroad_m)
            };
            let at = if near.1 == NONE {
                start.foot
            } else {
                g.node_xy(near.1)
            };
            return Err(NetworkError::Disconnected {
                corridor: spec.name.clone(),
                refs: refs_text(&refs),
                reached_km,
                near: place(region, at),
                gap_m,
                snap_m: settings.snap_m,
            });
        }
    }
    coords.dedup();
    let line = LineString::new(coords);
    let length_m = geo::Length::length(&geo::Euclidean, &line);
    Ok(Corridor {
        name: spec.name.clone(),
        tent: spec.tent,
        refs,
        line,
        length_m,
        nodes,
        edges,
    })
}
