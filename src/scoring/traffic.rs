//! Traffic on the road network: counting points attached to the main-road link they stand on,
//! and their value carried along that road; NVDB-style segments indexed for lookup.
//!
//! The rules, in order:
//! 1. A counting point attaches to the nearest E or R link within [`SNAP_M`] that has the
//!    road reference the point gives (its `category` and `number`, or for trafikkdata the
//!    road in its name: "E6 Manglerud"). A point without a road reference is not attached:
//!    next to a motorway, a count on a city street would otherwise pass for the motorway's.
//! 2. From that link the value is carried along links of the same road, link by link,
//!    and stops at whichever comes first:
//!    - the next counting point's link: each link takes the point nearest along the road
//!      (a tie goes to the lower point id);
//!    - a junction with another main road: a node where an E or R link of another reference
//!      meets, since traffic changes there;
//!    - [`CARRY_M`] along the road from the point's link.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use geo::{Euclidean, Geometry, Length};

use super::subset::Subset;
use crate::domain::layers::{Road, RoadCategory};
use crate::domain::Region;
use crate::index::PartIndex;

/// How far a counting point may lie from the link it counts.
pub const SNAP_M: f64 = 150.0;
/// How far along its road a counting point's value is carried.
pub const CARRY_M: f64 = 10_000.0;

/// Where a main-road link's counted value comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Carried {
    /// Index into `region.traffic`.
    pub point: u32,
    /// Metres along the road from the point's own link (0 on that link).
    pub along_m: f64,
}

#[derive(Debug, Clone)]
pub struct TrafficIndex {
    /// Every traffic feature, segments and points.
    pub all: PartIndex,
    /// The segments (lines), each with its own ÅDT.
    pub segments: Subset<PartIndex>,
    /// Road index → the counting point whose value the link carries.
    pub carried: HashMap<u32, Carried>,
    /// Counting points not attached to any link: (index into `region.traffic`, why).
    pub unattached: Vec<(u32, String)>,
}

type RoadRef = (RoadCategory, u32);

fn road_ref(r: &Road) -> Option<RoadRef> {
    Some((r.category, r.number?))
}

fn ends(g: &Geometry<f64>) -> Option<([i64; 2], [i64; 2])> {
    let key = |c: geo::Coord<f64>| [c.x.round() as i64, c.y.round() as i64];
    match g {
        Geometry::LineString(l) => Some((key(*l.0.first()?), key(*l.0.last()?))),
        Geometry::MultiLineString(m) => {
            Some((key(*m.0.first()?.0.first()?), key(*m.0.last()?.0.last()?)))
        }
        _ => None,
    }
}

fn length(g: &Geometry<f64>) -> f64 {
    match g {
        Geometry::LineString(l) => Euclidean.length(l),
        Geometry::MultiLineString(m) => Euclidean.length(m),
        _ => 0.0,
    }
}

impl TrafficIndex {
    /// `main_roads` is the context's index of E and R links without ferries.
    pub fn new(region: &Region, main_roads: &Subset<PartIndex>) -> Self {
        let traffic = &region.traffic;
        let is_line = |g: &Geometry<f64>| {
            matches!(
                g,
                Geometry::LineString(_) | Geometry::MultiLineString(_) | Geometry::Line(_)
            )
        };
        let (ids, geoms): (Vec<u32>, Vec<&Geometry<f64>>) = traffic
            .iter()
            .enumerate()
            .filter(|(_, f)| is_line(&f.geometry))
            .map(|(i, f)| (i as u32, &f.geometry))
            .unzip();
        let segments = Subset {
            index: PartIndex::new(geoms),
            ids,
        };
        let mut unattached = Vec::new();
        // (road index, point index)
        let mut seeds: Vec<(u32, u32)> = Vec::new();
        for (i, f) in traffic.iter().enumerate() {
            let Geometry::Point(p) = &f.geometry else {
                continue;
            };
            let t = &f.attrs;
            let Some(want) = t.category.zip(t.number) else {
                unattached.push((i as u32, "the point gives no road (E6, Rv 4, …), so the road it counts cannot be checked".to_string()));
                continue;
            };
            let near = main_roads.index.within([p.x(), p.y()], SNAP_M);
            let hit = near.iter().find(|(k, _)| {
                road_ref(&region.roads[main_roads.original(*k)].attrs) == Some(want)
            });
            match hit {
                Some((k, _)) => seeds.push((main_roads.original(*k) as u32, i as u32)),
                None => {
                    let shown = t.reference().unwrap_or_default();
                    let nearest = near
                        .first()
                        .and_then(|(k, d)| {
                            region.roads[main_roads.original(*k)]
                                .attrs
                                .reference()
                                .map(|r| format!(" (nearest main road: {r} at {d:.0} m)"))
                        })
                        .unwrap_or_default();
                    unattached.push((
                        i as u32,
                        format!("no {shown} link within {SNAP_M:.0} m{nearest}"),
                    ));
                }
            }
        }
        let carried = carry(region, main_roads, &seeds);
        TrafficIndex {
            all: PartIndex::new(traffic.iter().map(|f| &f.geometry)),
            segments,
            carried,
            unattached,
        }
    }
}

/// Multi-source shortest distance along links of each point's road, by the rules above.
fn carry(
    region: &Region,
    main_roads: &Subset<PartIndex>,
    seeds: &[(u32, u32)],
) -> HashMap<u32, Carried> {
    let mut carried: HashMap<u32, Carried> = HashMap::new();
    if seeds.is_empty() {
        return carried;
    }
    // Node → the links that end there, and the main-road references that meet there.
    let mut at_node: HashMap<[i64; 2], Vec<u32>> = HashMap::new();
    for &r in &main_roads.ids {
        if let Some((a, b)) = ends(&region.roads[r as usize].geometry) {
            at_node.entry(a).or_default().push(r);
            at_node.entry(b).or_default().push(r);
        }
    }
    let junction = |node: &[i64; 2], own: RoadRef| {
        at_node.get(node).is_some_and(|links| {
            links
                .iter()
                .any(|&l| road_ref(&region.roads[l as usize].attrs).is_some_and(|r| r != own))
        })
    };
    // (distance to the link's near end in mm, point id, road, point, distance to far end)
    let mut heap = BinaryHeap::new();
    for &(road, point) in seeds {
        let far = length(&region.roads[road as usize].geometry);
        heap.push(Reverse((
            0u64,
            region.traffic[point as usize].id.clone(),
            road,
            point,
            far.to_bits(),
        )));
    }
    while let Some(Reverse((near_mm, _, road, point, far_bits))) = heap.pop() {
        if carried.contains_key(&road) {
            continue;
        }
        carried.insert(
            road,
            Carried {
                point,
                along_m: near_mm as f64 / 1000.0,
            },
        );
        let far = f64::from_bits(far_bits);
        let attrs = &region.roads[road as usize].attrs;
        let Some(own) = road_ref(attrs) else { continue };
        let Some((a, b)) = ends(&region.roads[road as usize].geometry) else {
            continue;
        };
        for node in [a, b] {
            if junction(&node, own) || far > CARRY_M {
                continue;
            }
            for &next in at_node.get(&node).map(Vec::as_slice).unwrap_or(&[]) {
                if next == road || carried.contains_key(&next) {
                    continue;
                }
                let next_far = far + length(&region.roads[next as usize].geometry);
                heap.push(Reverse((
                    (far * 1000.0).round() as u64,
                    region.traffic[point as usize].id.clone(),
                    next,
                    point,
                    next_far.to_bits(),
                )));
            }
        }
    }
    carried
}

/// What a region's traffic layers gave, for `check-data`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Summary {
    pub segments: usize,
    pub points: usize,
    pub attached: Vec<AttachedPoint>,
    pub unattached: Vec<UnattachedPoint>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct AttachedPoint {
    pub id: String,
    pub name: Option<String>,
    pub road: Option<String>,
    pub aadt: f64,
    pub period: Option<String>,
    /// Links that carry the point's value, and their length.
    pub links: usize,
    pub km: f64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct UnattachedPoint {
    pub id: String,
    pub name: Option<String>,
    pub reason: String,
}

impl Summary {
    pub fn of(region: &Region) -> Summary {
        let index = TrafficIndex::new(region, &super::subset::main_roads(region));
        let mut per_point: HashMap<u32, (usize, f64)> = HashMap::new();
        for (road, c) in &index.carried {
            let e = per_point.entry(c.point).or_insert((0, 0.0));
            e.0 += 1;
            e.1 += length(&region.roads[*road as usize].geometry) / 1000.0;
        }
        let mut attached: Vec<AttachedPoint> = per_point
            .into_iter()
            .map(|(p, (links, km))| {
                let f = &region.traffic[p as usize];
                AttachedPoint {
                    id: f.id.clone(),
                    name: f.attrs.name.clone(),
                    road: f.attrs.reference(),
                    aadt: f.attrs.aadt,
                    period: f.attrs.period.clone(),
                    links,
                    km,
                }
            })
            .collect();
        attached.sort_by(|a, b| a.id.cmp(&b.id));
        Summary {
            segments: index.segments.ids.len(),
            points: region.traffic.len() - index.segments.ids.len(),
            attached,
            unattached: index
                .unattached
                .iter()
                .map(|(p, reason)| {
                    let f = &region.traffic[*p as usize];
                    UnattachedPoint {
                        id: f.id.clone(),
                        name: f.attrs.name.clone(),
                        reason: reason.clone(),
                    }
                })
                .collect(),
        }
    }
}
