//! Logistics synergies by drive time: the freight terminals, ports, logistics hubs and other
//! approved sites a site reaches within 15 and 30 minutes, a figure that weighs them, and
//! clusters of terminals close to one another. No IO: the caller gives the graph, the
//! facilities ([`facilities_of`] for the region's terminals) and, from the review store, the
//! approved sites ([`Facility::approved_site`]).
//!
//! Drive times run over the links' travel times ([`RoadGraph::search_time`]): ferries at their
//! sailing time, oneway links only their way. They run FROM the site TO each facility, the
//! way a truck leaving the station drives; on oneway roads the way back may take longer.
//! Points reach the road at the foot point on their nearest link that is not a ferry, and the
//! metres off the road are driven at [`OFFROAD_KMH`](super::route::OFFROAD_KMH).

use std::collections::HashMap;

use geo::InteriorPoint;
use serde::{Deserialize, Serialize};

use super::route::{offroad_s, partial_time, SnapIndex, Tree};
use super::{RoadGraph, Snap};
use crate::domain::corridor::NetworkSettings;
use crate::domain::layers::TerminalKind;
use crate::domain::Region;

/// The near band: up to 15 minutes' drive.
pub const NEAR_S: f64 = 15.0 * 60.0;
/// The far band, and how far the search runs: up to 30 minutes' drive.
pub const FAR_S: f64 = 30.0 * 60.0;
/// Terminals within this many minutes of a centre form a hub cluster.
pub const HUB_MINUTES: f64 = 15.0;
/// The fewest terminals, centre included, that make a hub cluster.
pub const MIN_HUB_MEMBERS: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FacilityKind {
    RailFreight,
    Port,
    Logistics,
    AirCargo,
    /// Another site the coordination group approved (or marked built).
    ApprovedSite,
}

impl FacilityKind {
    pub fn label_nb(self) -> &'static str {
        match self {
            FacilityKind::RailFreight => "godsterminal (jernbane)",
            FacilityKind::Port => "havn",
            FacilityKind::Logistics => "logistikkområde",
            FacilityKind::AirCargo => "flyfrakt",
            FacilityKind::ApprovedSite => "godkjent stasjonsområde",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            FacilityKind::RailFreight => "rail freight terminal",
            FacilityKind::Port => "port",
            FacilityKind::Logistics => "logistics hub",
            FacilityKind::AirCargo => "air cargo",
            FacilityKind::ApprovedSite => "approved site",
        }
    }

    /// Its weight in the synergy figure ([`figure`]): how much freight a place of this kind
    /// brings to a station. Rail and sea move the most goods onto trucks; another station
    /// site brings trucks, not freight.
    pub fn weight(self) -> f64 {
        match self {
            FacilityKind::RailFreight | FacilityKind::Port => 3.0,
            FacilityKind::Logistics | FacilityKind::AirCargo => 2.0,
            FacilityKind::ApprovedSite => 1.0,
        }
    }

    /// A freight terminal of any kind, as opposed to a station site.
    pub fn is_terminal(self) -> bool {
        self != FacilityKind::ApprovedSite
    }
}

impl From<TerminalKind> for FacilityKind {
    fn from(k: TerminalKind) -> Self {
        match k {
            TerminalKind::RailFreight => FacilityKind::RailFreight,
            TerminalKind::Port => FacilityKind::Port,
            TerminalKind::Logistics => FacilityKind::Logistics,
            TerminalKind::AirCargo => FacilityKind::AirCargo,
        }
    }
}

/// A place a site may have synergies with, at a representative point (EPSG:25833).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Facility {
    pub kind: FacilityKind,
    pub name: String,
    pub id: String,
    pub xy: [f64; 2],
}

impl Facility {
    /// An approved site from the review store; the name is its id when it has none.
    pub fn approved_site(id: &str, name: Option<&str>, xy: [f64; 2]) -> Facility {
        Facility {
            kind: FacilityKind::ApprovedSite,
            name: name.unwrap_or(id).to_string(),
            id: id.to_string(),
            xy,
        }
    }
}

/// The region's terminals as facilities, in layer order. A terminal drawn as a polygon is
/// represented by its interior point (the centroid when that lies inside, as it does for
/// most yards): a point inside the site, which a truck reaches from the nearest road. A
/// terminal without a name is named by its id.
pub fn facilities_of(region: &Region) -> Vec<Facility> {
    region
        .terminals
        .iter()
        .filter_map(|t| {
            let p = t.geometry.interior_point()?;
            Some(Facility {
                kind: t.attrs.kind.into(),
                name: t.attrs.name.clone().unwrap_or_else(|| t.id.clone()),
                id: t.id.clone(),
                xy: [p.x(), p.y()],
            })
        })
        .collect()
}

/// A road graph and its snapping index for a region without a corridors file (with one,
/// take them from [`Network`](super::Network)), at the default snapping tolerance.
pub fn graph_for(region: &Region) -> (RoadGraph, SnapIndex) {
    let graph = RoadGraph::build(region, NetworkSettings::default().snap_m);
    let snaps = SnapIndex::new(&graph, region);
    (graph, snaps)
}

/// One drive from an origin to a point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Drive {
    /// Drive time, off-road legs included.
    pub seconds: f64,
    /// Metres of road along the fastest route, off-road legs left out.
    pub road_m: f64,
}

/// A facility reached from the site.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reached {
    /// Position in the facilities given.
    pub index: usize,
    pub id: String,
    pub kind: FacilityKind,
    pub name: String,
    /// Drive time from the site, rounded to 0.1 minute.
    pub minutes: f64,
    /// Road kilometres along the fastest route, rounded to 0.1 km.
    pub km: f64,
}

/// What a site reaches, nearest first (by minutes, then name).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Synergies {
    /// At most 15 minutes away.
    pub within_15: Vec<Reached>,
    /// More than 15 and at most 30 minutes away; the nearer ones are in `within_15` only.
    pub within_30: Vec<Reached>,
    /// See [`figure`].
    pub figure: f64,
    /// False when the site lies farther than the snapping distance from every road: then
    /// nothing is reached.
    pub snapped: bool,
}

/// Terminals within a few minutes' drive of one of them, the centre.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HubCluster {
    /// The centre's position.
    pub centre: [f64; 2],
    /// Index into the facilities and minutes from the centre (0.1 min), nearest first; the
    /// centre comes first, at 0.
    pub members: Vec<(usize, f64)>,
    /// The centre's name.
    pub name: String,
}

/// The nearest link that is not a ferry: trucks leave and reach sites by road.
fn snap(graph: &RoadGraph, snaps: &SnapIndex, p: [f64; 2], max_snap_m: f64) -> Option<Snap> {
    snaps.snap(p, max_snap_m, &|e| !graph.edge(e).ferry)
}

/// A drive-time tree from a snapped origin. Seeds leave along the origin's link in each
/// direction its oneway rule allows: label 0 towards the link's start, 1 towards its end.
struct Origin<'g> {
    graph: &'g RoadGraph,
    at: Snap,
    tree: Tree,
    limit_s: f64,
}

impl<'g> Origin<'g> {
    fn new(graph: &'g RoadGraph, at: Snap, limit_s: f64) -> Self {
        let e = graph.edge(at.edge);
        let (a, b) = graph.ends(at.edge);
        let off = offroad_s(at.offroad_m);
        let mut seeds = Vec::new();
        if e.backward() {
            seeds.push((a, off + partial_time(e, at.along_m), 0));
        }
        if e.forward() {
            let rest = (e.length_m - at.along_m).max(0.0);
            seeds.push((b, off + partial_time(e, rest), 1));
        }
        Origin {
            graph,
            at,
            tree: graph.search_time(&seeds, limit_s),
            limit_s,
        }
    }

    /// The drive to a snapped point, if within the limit.
    fn to(&self, t: &Snap) -> Option<Drive> {
        let g = self.graph;
        let se = g.edge(self.at.edge);
        let mut best = g.reach_time_via(&self.tree, t).map(|entry| {
            let leave_m = if entry.label == 0 {
                self.at.along_m
            } else {
                (se.length_m - self.at.along_m).max(0.0)
            };
            let path_m: f64 = g
                .path_to(&self.tree, entry.node)
                .iter()
                .map(|&e| g.edge(e).length_m)
                .sum();
            Drive {
                seconds: entry.cost,
                road_m: leave_m + path_m + entry.link_m,
            }
        });
        // On the same link, straight along it when its oneway rule allows that direction.
        if t.edge == self.at.edge {
            let forward = t.along_m >= self.at.along_m;
            if (forward && se.forward()) || (!forward && se.backward()) {
                let m = (t.along_m - self.at.along_m).abs();
                let seconds =
                    offroad_s(self.at.offroad_m) + partial_time(se, m) + offroad_s(t.offroad_m);
                if best.is_none_or(|b| seconds < b.seconds) {
                    best = Some(Drive { seconds, road_m: m });
                }
            }
        }
        best.filter(|d| d.seconds <= self.limit_s)
    }
}

fn snap_all(
    graph: &RoadGraph,
    snaps: &SnapIndex,
    facilities: &[Facility],
    max_snap_m: f64,
) -> Vec<Option<Snap>> {
    facilities
        .iter()
        .map(|f| snap(graph, snaps, f.xy, max_snap_m))
        .collect()
}

/// The drive from `from` to every facility within `limit_s`, in facility order: `None` for
/// one that is farther, unreachable or off the road. `None` altogether when `from` lies more
/// than `max_snap_m` from every road. One search answers every facility.
pub fn drive_times(
    graph: &RoadGraph,
    snaps: &SnapIndex,
    from: [f64; 2],
    facilities: &[Facility],
    max_snap_m: f64,
    limit_s: f64,
) -> Option<Vec<Option<Drive>>> {
    let origin = Origin::new(graph, snap(graph, snaps, from, max_snap_m)?, limit_s);
    Some(
        snap_all(graph, snaps, facilities, max_snap_m)
            .iter()
            .map(|t| t.as_ref().and_then(|t| origin.to(t)))
            .collect(),
    )
}

fn tenths(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The facilities a site reaches within 15 and within 30 minutes' drive, and the synergy
/// figure. `max_snap_m` is how far off the road the site and a facility may lie (the
/// network's `point_snap_m`); a facility farther off is not listed.
pub fn synergies(
    graph: &RoadGraph,
    snaps: &SnapIndex,
    site_xy: [f64; 2],
    facilities: &[Facility],
    max_snap_m: f64,
) -> Synergies {
    let Some(drives) = drive_times(graph, snaps, site_xy, facilities, max_snap_m, FAR_S) else {
        return Synergies {
            within_15: Vec::new(),
            within_30: Vec::new(),
            figure: 0.0,
            snapped: false,
        };
    };
    let mut within_15 = Vec::new();
    let mut within_30 = Vec::new();
    for (index, (f, d)) in facilities.iter().zip(drives).enumerate() {
        let Some(d) = d else { continue };
        let r = Reached {
            index,
            id: f.id.clone(),
            kind: f.kind,
            name: f.name.clone(),
            minutes: tenths(d.seconds / 60.0),
            km: tenths(d.road_m / 1000.0),
        };
        // The band follows the unrounded time.
        if d.seconds <= NEAR_S {
            within_15.push(r);
        } else {
            within_30.push(r);
        }
    }
    for list in [&mut within_15, &mut within_30] {
        list.sort_by(|a, b| {
            a.minutes
                .total_cmp(&b.minutes)
                .then_with(|| a.name.cmp(&b.name))
                .then(a.index.cmp(&b.index))
        });
    }
    Synergies {
        figure: figure(&within_15, &within_30),
        within_15,
        within_30,
        snapped: true,
    }
}

/// The synergy figure: a count of what is near, weighted by how much freight it brings.
///
/// ```text
/// figure = Σ over facilities within 30 minutes of  weight(kind) × nearness
///   weight:   rail freight 3, port 3, logistics 2, air cargo 2, approved site 1
///   nearness: 1 within 15 minutes, 0.5 from 15 to 30 minutes
/// ```
///
/// So a rail freight terminal 10 minutes away and an approved site 20 minutes away give
/// 3 × 1 + 1 × 0.5 = 3.5. Deterministic: only kinds and bands count, not exact minutes.
pub fn figure(within_15: &[Reached], within_30: &[Reached]) -> f64 {
    // Folded from +0.0: an empty `sum` of floats is -0.0, which JSON prints as "-0.0".
    let near = within_15.iter().fold(0.0, |a, r| a + r.kind.weight());
    let far = within_30.iter().fold(0.0, |a, r| a + r.kind.weight());
    near + 0.5 * far
}

/// Hub clusters: places where at least `min_members` terminals (of any kind; approved sites
/// do not count) lie within `minutes` of one of them, the centre. Greedy: the terminal that
/// reaches the most others within `minutes` is a centre, with the terminals it reaches; they
/// are removed and the next centre is chosen from the rest, until no terminal reaches
/// `min_members - 1` others. Ties go to the lowest index. Times run from the centre to each
/// member. Terminals more than `max_snap_m` from a road take no part.
pub fn hub_clusters(
    graph: &RoadGraph,
    snaps: &SnapIndex,
    facilities: &[Facility],
    minutes: f64,
    min_members: usize,
    max_snap_m: f64,
) -> Vec<HubCluster> {
    let limit_s = minutes * 60.0;
    let targets = snap_all(graph, snaps, facilities, max_snap_m);
    let terminal = |i: usize| facilities[i].kind.is_terminal() && targets[i].is_some();
    // From each terminal: the other terminals it reaches and their seconds. Times do not
    // change as members are removed, so one search per terminal serves every round.
    let reaches: Vec<Vec<(usize, f64)>> = (0..facilities.len())
        .map(|i| {
            let Some(at) = targets[i].filter(|_| terminal(i)) else {
                return Vec::new();
            };
            let origin = Origin::new(graph, at, limit_s);
            targets
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i && terminal(j))
                .filter_map(|(j, t)| Some((j, origin.to(t.as_ref()?)?.seconds)))
                .collect()
        })
        .collect();
    let mut alive: Vec<bool> = (0..facilities.len()).map(terminal).collect();
    let mut out = Vec::new();
    loop {
        let mut best: Option<(usize, usize)> = None;
        for i in (0..facilities.len()).filter(|&i| alive[i]) {
            let n = reaches[i].iter().filter(|(j, _)| alive[*j]).count();
            if best.is_none_or(|(_, m)| n > m) {
                best = Some((i, n));
            }
        }
        let Some((centre, n)) = best else { break };
        if n + 1 < min_members.max(1) {
            break;
        }
        let mut others: Vec<(usize, f64)> = reaches[centre]
            .iter()
            .filter(|(j, _)| alive[*j])
            .copied()
            .collect();
        others.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        let mut members = vec![(centre, 0.0)];
        members.extend(others.iter().map(|&(j, s)| (j, tenths(s / 60.0))));
        for &(j, _) in &members {
            alive[j] = false;
        }
        out.push(HubCluster {
            centre: facilities[centre].xy,
            members,
            name: facilities[centre].name.clone(),
        });
    }
    out
}

/// The synergy figure from drive times in seconds, as [`Reach::drive_times`] gives them:
/// [`figure`]'s weights and bands, the band by the unrounded time as in [`synergies`]. The
/// weights are small whole numbers and halves, so the sum is exact in any order.
pub fn figure_of(facilities: &[Facility], drives: &[(usize, f64)]) -> f64 {
    let (mut near, mut far) = (0.0, 0.0);
    for &(i, seconds) in drives {
        let w = facilities.get(i).map_or(0.0, |f| f.kind.weight());
        if seconds <= NEAR_S {
            near += w;
        } else {
            far += w;
        }
    }
    near + 0.5 * far
}

/// Drive times from anywhere to a fixed list of facilities, for scoring many sites: one
/// search per facility over the reversed arcs, bounded at [`FAR_S`], keeps each node's drive
/// time TO every facility it reaches; a site's times are then its snap and a lookup at the
/// ends of its link, not a search.
///
/// The times run in the same direction as [`drive_times`] (from the site to the facility,
/// oneway links only their way) and are the same minima over the same routes; only the
/// sums run in another order, so they may differ in the last bits of a second.
pub struct Reach {
    facilities: Vec<Facility>,
    targets: Vec<Option<Snap>>,
    /// Node `n`'s entries are `to[first[n]..first[n + 1]]`: (facility, seconds from the
    /// node to it), in facility order.
    first: Vec<usize>,
    to: Vec<(u32, f64)>,
    /// The facilities on each link, for a site on the same link: it may drive straight there.
    on_link: HashMap<u32, Vec<u32>>,
    max_snap_m: f64,
}

impl std::fmt::Debug for Reach {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reach")
            .field("facilities", &self.facilities.len())
            .field("entries", &self.to.len())
            .field("max_snap_m", &self.max_snap_m)
            .finish()
    }
}

impl Reach {
    /// One bounded search per facility that lies within `max_snap_m` of a road.
    pub fn new(
        graph: &RoadGraph,
        snaps: &SnapIndex,
        facilities: Vec<Facility>,
        max_snap_m: f64,
    ) -> Reach {
        let targets = snap_all(graph, snaps, &facilities, max_snap_m);
        let reversed = graph.reversed_time_arcs();
        let mut found: Vec<(u32, u32, f64)> = Vec::new();
        let mut on_link: HashMap<u32, Vec<u32>> = HashMap::new();
        for (fi, t) in targets.iter().enumerate() {
            let Some(t) = t else { continue };
            on_link.entry(t.edge).or_default().push(fi as u32);
            let e = graph.edge(t.edge);
            let (a, b) = graph.ends(t.edge);
            let off = offroad_s(t.offroad_m);
            // The two ways onto the facility's link that `reach_time` considers: in at its
            // start when it may be driven forwards, in at its end when backwards.
            let mut seeds = Vec::new();
            if e.forward() {
                seeds.push((a, partial_time(e, t.along_m) + off, 0));
            }
            if e.backward() {
                let rest = (e.length_m - t.along_m).max(0.0);
                seeds.push((b, partial_time(e, rest) + off, 0));
            }
            let tree = graph.search_time_to(&reversed, &seeds, FAR_S);
            for (n, &d) in tree.dist.iter().enumerate() {
                if d.is_finite() {
                    found.push((n as u32, fi as u32, d));
                }
            }
        }
        // A counting sort by node; facilities stay in their order within a node.
        let mut first = vec![0usize; graph.node_count() + 1];
        for &(n, _, _) in &found {
            first[n as usize + 1] += 1;
        }
        for i in 0..graph.node_count() {
            first[i + 1] += first[i];
        }
        let mut next = first.clone();
        let mut to = vec![(0u32, 0.0); found.len()];
        for (n, f, d) in found {
            to[next[n as usize]] = (f, d);
            next[n as usize] += 1;
        }
        Reach {
            facilities,
            targets,
            first,
            to,
            on_link,
            max_snap_m,
        }
    }

    pub fn facilities(&self) -> &[Facility] {
        &self.facilities
    }

    pub fn max_snap_m(&self) -> f64 {
        self.max_snap_m
    }

    fn entries(&self, n: u32) -> &[(u32, f64)] {
        let n = n as usize;
        match (self.first.get(n), self.first.get(n + 1)) {
            (Some(&lo), Some(&hi)) => &self.to[lo..hi],
            _ => &[],
        }
    }

    /// The facilities `site` reaches within [`FAR_S`]: (position in the facilities, seconds),
    /// in facility order. `None` when the site lies more than `max_snap_m` from every road.
    /// `graph` and `snaps` must be those the reach was built on.
    pub fn drive_times(
        &self,
        graph: &RoadGraph,
        snaps: &SnapIndex,
        site: [f64; 2],
    ) -> Option<Vec<(usize, f64)>> {
        let at = snap(graph, snaps, site, self.max_snap_m)?;
        let e = graph.edge(at.edge);
        let (a, b) = graph.ends(at.edge);
        let off = offroad_s(at.offroad_m);
        let mut best = vec![f64::INFINITY; self.facilities.len()];
        // Leaving along the site's link as `Origin` seeds it: to its start when it may be
        // driven backwards, to its end when forwards.
        let mut leave = |node: u32, cost: f64| {
            for &(f, d) in self.entries(node) {
                let s = cost + d;
                if s < best[f as usize] {
                    best[f as usize] = s;
                }
            }
        };
        if e.backward() {
            leave(a, off + partial_time(e, at.along_m));
        }
        if e.forward() {
            leave(b, off + partial_time(e, (e.length_m - at.along_m).max(0.0)));
        }
        for &f in self.on_link.get(&at.edge).map_or(&[][..], Vec::as_slice) {
            let Some(t) = &self.targets[f as usize] else {
                continue;
            };
            let forward = t.along_m >= at.along_m;
            if (forward && e.forward()) || (!forward && e.backward()) {
                let m = (t.along_m - at.along_m).abs();
                let s = off + partial_time(e, m) + offroad_s(t.offroad_m);
                if s < best[f as usize] {
                    best[f as usize] = s;
                }
            }
        }
        Some(
            best.into_iter()
                .enumerate()
                .filter(|&(_, s)| s <= FAR_S)
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::layers::{Oneway, Road, RoadCategory};
    use crate::domain::Feature;
    use geo::{Geometry, LineString};

    fn road(id: &str, pts: &[(f64, f64)], kmh: f64, oneway: Oneway, ferry: bool) -> Feature<Road> {
        Feature {
            id: id.into(),
            geometry: Geometry::LineString(LineString::from(pts.to_vec())),
            attrs: Road {
                category: RoadCategory::County,
                number: None,
                motorway: false,
                heavy_aadt: None,
                speed_kmh: Some(kmh),
                oneway,
                ferry,
                name: None,
            },
        }
    }

    /// Six nodes and a ferry:
    ///
    /// ```text
    ///  n5 (0,10k) ── r3 (bent, 50) ── n3 (10k,10k)
    ///   |                              |
    ///  r4 (100)                       r2 (40, oneway n3 → n1 only)
    ///   |                              |
    ///  n0 (0,0) ──── r0 (60) ──────── n1 (10k,0) ── r1 (80) ── n2 (20k,0) ~~ferry (20)~~ n4 (25k,0)
    ///                                                                                     |
    ///                                                                      r6 (60, oneway up only)
    ///                                                                                     |
    ///                                                                                n6 (25k,5k)
    /// ```
    fn fixture() -> Region {
        let mut r = Region::new("synergy fixture");
        r.roads = vec![
            road(
                "r0",
                &[(0.0, 0.0), (10_000.0, 0.0)],
                60.0,
                Oneway::Both,
                false,
            ),
            road(
                "r1",
                &[(10_000.0, 0.0), (20_000.0, 0.0)],
                80.0,
                Oneway::Both,
                false,
            ),
            road(
                "r2",
                &[(10_000.0, 0.0), (10_000.0, 10_000.0)],
                40.0,
                Oneway::Backward,
                false,
            ),
            road(
                "r3",
                &[(10_000.0, 10_000.0), (5000.0, 12_000.0), (0.0, 10_000.0)],
                50.0,
                Oneway::Both,
                false,
            ),
            road(
                "r4",
                &[(0.0, 10_000.0), (0.0, 0.0)],
                100.0,
                Oneway::Both,
                false,
            ),
            road(
                "ferry",
                &[(20_000.0, 0.0), (25_000.0, 0.0)],
                20.0,
                Oneway::Both,
                true,
            ),
            road(
                "r6",
                &[(25_000.0, 0.0), (25_000.0, 5000.0)],
                60.0,
                Oneway::Forward,
                false,
            ),
        ];
        r
    }

    fn facility(kind: FacilityKind, name: &str, x: f64, y: f64) -> Facility {
        Facility {
            kind,
            name: name.into(),
            id: name.to_lowercase(),
            xy: [x, y],
        }
    }

    const SITE: [f64; 2] = [3000.0, 200.0];

    fn facilities() -> Vec<Facility> {
        vec![
            // Across the road from the site, on the same link.
            facility(FacilityKind::RailFreight, "Rail", 3000.0, -100.0),
            // 11.75 minutes east.
            facility(FacilityKind::Port, "Port", 15_000.0, 300.0),
            // On the oneway link, which must be entered from its northern end: 25.9 minutes.
            facility(FacilityKind::Logistics, "Yard", 10_300.0, 8000.0),
            // Beyond the ferry: 34.1 minutes.
            facility(FacilityKind::AirCargo, "Cargo", 25_100.0, 4000.0),
            // At the end of r1, the ferry quay: 15.3 minutes.
            facility(FacilityKind::ApprovedSite, "Approved", 20_000.0, 200.0),
            // Far from every road.
            facility(FacilityKind::Logistics, "Nowhere", 50_000.0, 50_000.0),
            // 836 m off the bent r3, which is reached from n5: 16.6 minutes.
            facility(FacilityKind::Port, "Bend", 4000.0, 12_500.0),
        ]
    }

    /// The brute force: the roads as an explicit adjacency list, each road cut at the foot
    /// points of the given points, each point joined to its foot by an off-road leg, and an
    /// O(n²) Dijkstra. Nodes 0..points.len() are the points; road ends follow.
    struct Naive {
        adj: Vec<Vec<(usize, f64)>>,
        ends: Vec<([f64; 2], usize)>,
    }

    impl Naive {
        fn new(region: &Region, points: &[[f64; 2]], max_snap_m: f64) -> Naive {
            let mut naive = Naive {
                adj: vec![Vec::new(); points.len()],
                ends: Vec::new(),
            };
            let lines: Vec<Vec<[f64; 2]>> = region
                .roads
                .iter()
                .map(|r| match &r.geometry {
                    Geometry::LineString(l) => l.0.iter().map(|c| [c.x, c.y]).collect(),
                    _ => Vec::new(),
                })
                .collect();
            // Each point's road, metres along it and metres off it: the nearest non-ferry.
            let mut cuts: Vec<Vec<(f64, usize)>> = vec![Vec::new(); lines.len()];
            for (pi, p) in points.iter().enumerate() {
                let mut best: Option<(f64, usize, f64)> = None;
                for (ri, line) in lines.iter().enumerate() {
                    if region.roads[ri].attrs.ferry {
                        continue;
                    }
                    let mut offset = 0.0;
                    for w in line.windows(2) {
                        let (dx, dy) = (w[1][0] - w[0][0], w[1][1] - w[0][1]);
                        let len = dx.hypot(dy);
                        let t = (((p[0] - w[0][0]) * dx + (p[1] - w[0][1]) * dy) / (len * len))
                            .clamp(0.0, 1.0);
                        let foot = [w[0][0] + t * dx, w[0][1] + t * dy];
                        let off = (p[0] - foot[0]).hypot(p[1] - foot[1]);
                        if best.is_none_or(|b| off < b.0) {
                            best = Some((off, ri, offset + t * len));
                        }
                        offset += len;
                    }
                }
                if let Some((off, ri, along)) = best.filter(|b| b.0 <= max_snap_m) {
                    // The point joins its road through a node of its own at the foot.
                    let foot = naive.add();
                    naive.both(pi, foot, off / (30.0 / 3.6));
                    cuts[ri].push((along, foot));
                }
            }
            for (ri, line) in lines.iter().enumerate() {
                let a = &region.roads[ri].attrs;
                let length: f64 = line
                    .windows(2)
                    .map(|w| (w[1][0] - w[0][0]).hypot(w[1][1] - w[0][1]))
                    .sum();
                let mps = a.speed_kmh.unwrap() / 3.6;
                let start = naive.end(line[0]);
                let end = naive.end(line[line.len() - 1]);
                let mut chain = vec![(0.0, start)];
                cuts[ri].sort_by(|x, y| x.0.total_cmp(&y.0));
                chain.extend(cuts[ri].iter().copied());
                chain.push((length, end));
                for w in chain.windows(2) {
                    let t = (w[1].0 - w[0].0) / mps;
                    if matches!(a.oneway, Oneway::Both | Oneway::Forward) {
                        naive.adj[w[0].1].push((w[1].1, t));
                    }
                    if matches!(a.oneway, Oneway::Both | Oneway::Backward) {
                        naive.adj[w[1].1].push((w[0].1, t));
                    }
                }
            }
            naive
        }

        fn add(&mut self) -> usize {
            self.adj.push(Vec::new());
            self.adj.len() - 1
        }

        fn both(&mut self, a: usize, b: usize, t: f64) {
            self.adj[a].push((b, t));
            self.adj[b].push((a, t));
        }

        fn end(&mut self, p: [f64; 2]) -> usize {
            if let Some(&(_, n)) = self.ends.iter().find(|(q, _)| *q == p) {
                return n;
            }
            let n = self.add();
            self.ends.push((p, n));
            n
        }

        /// Seconds from `s` to every node.
        fn dijkstra(&self, s: usize) -> Vec<f64> {
            let n = self.adj.len();
            let mut dist = vec![f64::INFINITY; n];
            let mut done = vec![false; n];
            dist[s] = 0.0;
            for _ in 0..n {
                let Some(u) = (0..n)
                    .filter(|&u| !done[u] && dist[u].is_finite())
                    .min_by(|&a, &b| dist[a].total_cmp(&dist[b]))
                else {
                    break;
                };
                done[u] = true;
                for &(v, t) in &self.adj[u] {
                    dist[v] = dist[v].min(dist[u] + t);
                }
            }
            dist
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6 * (1.0 + a.abs())
    }

    #[test]
    fn time_search_between_every_pair_of_nodes_equals_a_brute_force_dijkstra() {
        let region = fixture();
        let (g, _) = graph_for(&region);
        let naive = Naive::new(&region, &[], 1000.0);
        for from in 0..g.node_count() as u32 {
            let tree = g.search_time(&[(from, 0.0, 0)], f64::INFINITY);
            let start = naive
                .ends
                .iter()
                .find(|(p, _)| *p == g.node_xy(from))
                .unwrap()
                .1;
            let want = naive.dijkstra(start);
            for to in 0..g.node_count() as u32 {
                let n = naive
                    .ends
                    .iter()
                    .find(|(p, _)| *p == g.node_xy(to))
                    .unwrap()
                    .1;
                let (got, exp) = (tree.dist[to as usize], want[n]);
                assert!(
                    (got.is_infinite() && exp.is_infinite()) || close(got, exp),
                    "node {from} to {to}: {got} s, brute force {exp} s"
                );
            }
        }
    }

    #[test]
    fn drive_times_from_the_site_and_every_facility_equal_a_brute_force_dijkstra() {
        let region = fixture();
        let (g, snaps) = graph_for(&region);
        let fs = facilities();
        let mut points = vec![SITE];
        points.extend(fs.iter().map(|f| f.xy));
        let naive = Naive::new(&region, &points, 1000.0);
        let mut compared = 0;
        for (pi, &from) in points.iter().enumerate() {
            let want = naive.dijkstra(pi);
            let got = drive_times(&g, &snaps, from, &fs, 1000.0, f64::INFINITY);
            let Some(got) = got else {
                assert_eq!(from, [50_000.0, 50_000.0], "only Nowhere is off the road");
                continue;
            };
            for (fi, d) in got.iter().enumerate() {
                if fi + 1 == pi {
                    // A point to itself: the brute force stays put, the search drives out
                    // to the road and back.
                    continue;
                }
                let exp = want[fi + 1];
                match d {
                    Some(d) => {
                        assert!(
                            close(d.seconds, exp),
                            "{pi} to {fi}: {d:?}, brute force {exp}"
                        );
                        compared += 1;
                    }
                    None => assert!(exp.is_infinite(), "{pi} to {fi}: brute force {exp}"),
                }
            }
        }
        // Most pairs are connected; the oneway spur past the ferry is a dead end.
        assert!(compared > 30, "{compared}");
    }

    #[test]
    fn facilities_are_listed_in_their_band_and_those_beyond_30_minutes_are_left_out() {
        let region = fixture();
        let (g, snaps) = graph_for(&region);
        let s = synergies(&g, &snaps, SITE, &facilities(), 1000.0);
        assert!(s.snapped);
        let names = |l: &[Reached]| l.iter().map(|r| r.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&s.within_15), ["Rail", "Port"]);
        // 15.3 minutes: beyond 15, so in the outer band only.
        assert_eq!(names(&s.within_30), ["Approved", "Bend", "Yard"]);
        let minutes: Vec<f64> = s
            .within_15
            .iter()
            .chain(&s.within_30)
            .map(|r| r.minutes)
            .collect();
        // Off-road legs at 30 km/h: 200 m and 100 m are 0.6 min; then 705 s, 918 s, 998.5 s
        // (836 m off the road is 100 s of it) and 1555.5 s.
        assert_eq!(minutes, [0.6, 11.8, 15.3, 16.6, 25.9]);
        // Road km: across the road is none; the oneway detour is 3 + 10 + 10.8 + 2 km.
        let km: Vec<f64> = s
            .within_15
            .iter()
            .chain(&s.within_30)
            .map(|r| r.km)
            .collect();
        assert_eq!(km, [0.0, 12.0, 17.0, 17.6, 25.8]);
        // Cargo (beyond the ferry, 34.1 min) and Nowhere (off the road) are left out.
        assert!(s
            .within_15
            .iter()
            .chain(&s.within_30)
            .all(|r| !["Cargo", "Nowhere"].contains(&r.name.as_str())));
        // Rail 3 + port 3 near; approved 1, port 3 and logistics 2 at half weight.
        assert_eq!(s.figure, 9.0);
    }

    #[test]
    fn a_site_off_every_road_reaches_nothing() {
        let region = fixture();
        let (g, snaps) = graph_for(&region);
        let s = synergies(&g, &snaps, [50_000.0, 0.0], &facilities(), 1000.0);
        assert!(!s.snapped);
        assert!(s.within_15.is_empty() && s.within_30.is_empty());
        assert_eq!(s.figure, 0.0);
    }

    #[test]
    fn drive_times_follow_the_oneway_rule_from_the_site_outwards() {
        let region = fixture();
        let (g, snaps) = graph_for(&region);
        let yard = facility(FacilityKind::Logistics, "Yard", 10_300.0, 8000.0);
        let port = facility(FacilityKind::Port, "Port", 15_000.0, 300.0);
        // From the port to the yard the oneway forces the long way round; from the yard to the
        // port it is the short way down the oneway.
        let there = drive_times(
            &g,
            &snaps,
            port.xy,
            std::slice::from_ref(&yard),
            1000.0,
            f64::INFINITY,
        )
        .unwrap()[0]
            .unwrap();
        let back =
            drive_times(&g, &snaps, yard.xy, &[port], 1000.0, f64::INFINITY).unwrap()[0].unwrap();
        assert!(there.seconds > back.seconds + 600.0, "{there:?} {back:?}");
    }

    #[test]
    fn terminals_within_15_minutes_of_a_centre_form_one_hub_cluster() {
        let region = fixture();
        let (g, snaps) = graph_for(&region);
        let fs = vec![
            facility(FacilityKind::RailFreight, "A", 3000.0, -100.0),
            facility(FacilityKind::Port, "B", 15_000.0, 300.0),
            facility(FacilityKind::Logistics, "C", 9000.0, -300.0),
            facility(FacilityKind::AirCargo, "D", 25_100.0, 4000.0),
            // Approved sites are no hubs, however near.
            facility(FacilityKind::ApprovedSite, "E", 9500.0, 100.0),
        ];
        let c = hub_clusters(&g, &snaps, &fs, HUB_MINUTES, MIN_HUB_MEMBERS, 1000.0);
        // A, B and C reach one another; the tie goes to A, the lowest index.
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].name, "A");
        assert_eq!(c[0].centre, [3000.0, -100.0]);
        // A to C: 12 s + 6 km at 60 + 36 s = 408 s; A to B: 12 + 420 + 225 + 36 = 693 s.
        let members: Vec<usize> = c[0].members.iter().map(|m| m.0).collect();
        assert_eq!(members, [0, 2, 1]);
        assert_eq!(c[0].members[1].1, 6.8);
        assert!(hub_clusters(&g, &snaps, &fs, HUB_MINUTES, 4, 1000.0).is_empty());
    }

    #[test]
    fn the_reverse_reach_gives_the_times_of_a_search_from_each_site() {
        let region = fixture();
        let (g, snaps) = graph_for(&region);
        let fs = facilities();
        let reach = Reach::new(&g, &snaps, fs.clone(), 1000.0);
        // Every facility, the site, and a grid over the fixture: sites on the oneway links,
        // on the same link as a facility, past the ferry and off every road.
        let mut sites: Vec<[f64; 2]> = fs.iter().map(|f| f.xy).collect();
        sites.push(SITE);
        for x in (-500..=26_000).step_by(700) {
            for y in (-800..=13_000).step_by(450) {
                sites.push([x as f64, y as f64]);
            }
        }
        let (mut compared, mut off_road) = (0, 0);
        for p in sites {
            let got = reach.drive_times(&g, &snaps, p);
            let Some(want) = drive_times(&g, &snaps, p, &fs, 1000.0, FAR_S) else {
                assert!(got.is_none(), "{p:?}: {got:?}");
                off_road += 1;
                continue;
            };
            let want: Vec<(usize, f64)> = want
                .iter()
                .enumerate()
                .filter_map(|(i, d)| Some((i, d.as_ref()?.seconds)))
                .collect();
            let got = got.unwrap();
            assert_eq!(
                want.iter().map(|w| w.0).collect::<Vec<_>>(),
                got.iter().map(|g| g.0).collect::<Vec<_>>(),
                "{p:?}"
            );
            for (w, r) in want.iter().zip(&got) {
                assert!(
                    close(w.1, r.1),
                    "{p:?} to {}: {} s, reach {} s",
                    w.0,
                    w.1,
                    r.1
                );
            }
            let s = synergies(&g, &snaps, p, &fs, 1000.0);
            assert_eq!(figure_of(&fs, &got), s.figure, "{p:?}");
            compared += got.len();
        }
        assert!(compared > 500 && off_road > 10, "{compared} {off_road}");
    }

    #[test]
    fn the_figure_weighs_kinds_and_halves_the_outer_band() {
        let r = |kind| Reached {
            index: 0,
            id: String::new(),
            kind,
            name: String::new(),
            minutes: 0.0,
            km: 0.0,
        };
        let near = [r(FacilityKind::RailFreight)];
        let far = [r(FacilityKind::ApprovedSite)];
        assert_eq!(figure(&near, &far), 3.5);
        assert_eq!(figure(&[], &[]).to_bits(), 0.0f64.to_bits(), "not -0.0");
    }

    #[test]
    fn terminal_polygons_are_represented_by_an_interior_point() {
        use crate::domain::layers::Terminal;
        use geo::polygon;
        let mut region = Region::new("t");
        region.terminals.push(Feature {
            id: "t1".into(),
            geometry: Geometry::Polygon(polygon![
                (x: 0.0, y: 0.0), (x: 100.0, y: 0.0), (x: 100.0, y: 100.0), (x: 0.0, y: 100.0)
            ]),
            attrs: Terminal {
                kind: TerminalKind::Port,
                name: None,
            },
        });
        let f = facilities_of(&region);
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].kind, f[0].name.as_str()), (FacilityKind::Port, "t1"));
        assert_eq!(f[0].xy, [50.0, 50.0]);
    }
}
