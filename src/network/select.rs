//! Choosing k sites: greedy with lazy evaluation. Each step takes the candidate with the
//! largest marginal gain; a gain is only recomputed when it reaches the top of the queue,
//! since gains can only shrink as picks are added (exactly so for traffic coverage, which is
//! submodular and keeps greedy within 1 - 1/e of the optimum; for gap closing the tests
//! compare greedy with the brute-force optimum instead).
//!
//! - `close-gaps`: the objective is the km by which the corridor gaps exceed the rule's
//!   spacing, summed; a pick's gain is how much it removes. Zero left means no gap.
//! - `cover-traffic`: the objective is heavy vehicles × km of E and R road within a radius
//!   of driving from some pick.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

use serde::{Deserialize, Serialize};

use super::coverage::{place_stations, Options as CoverageOptions, Planned};
use super::Network;
use crate::domain::afir::{spacing, Fuel, Rules};
use crate::domain::Region;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Objective {
    CloseGaps,
    CoverTraffic,
}

impl Objective {
    pub fn name(self) -> &'static str {
        match self {
            Objective::CloseGaps => "close-gaps",
            Objective::CoverTraffic => "cover-traffic",
        }
    }

    pub fn unit(self) -> &'static str {
        match self {
            Objective::CloseGaps => "km gap beyond the allowed spacing",
            Objective::CoverTraffic => "heavy vehicles × km covered",
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SelectError {
    #[error("k must be between 1 and {max} (got {k})")]
    K { k: usize, max: usize },
    #[error("no AFIR rule for {fuel} in {year}. Hint: choose one of the years {years}")]
    NoRule {
        fuel: Fuel,
        year: u16,
        years: String,
    },
    #[error("parameter '{0}' must be a number of km zero or more")]
    Km(&'static str),
}

pub const MAX_K: usize = 200;

/// A candidate that passed the profile's constraints and minimum score.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub id: String,
    /// EPSG:25833.
    pub point: [f64; 2],
    pub score: f64,
}

#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub objective: Objective,
    pub k: usize,
    pub year: u16,
    pub fuel: Fuel,
    /// No two picks closer than this, in a straight line.
    pub min_spacing_km: f64,
    /// cover-traffic: a pick covers roads within this driving distance. Default: half the
    /// rule's spacing.
    pub radius_km: Option<f64>,
    pub ignore_power: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Pick {
    pub order: usize,
    pub id: String,
    /// The site area the pick stands for, named (filled in by the caller that grouped the
    /// candidates into areas).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub score: f64,
    pub gain: f64,
    pub objective_after: f64,
    /// Where the pick meets each corridor it serves (close-gaps).
    pub corridors: Vec<(String, f64)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RemainingGap {
    pub corridor: String,
    pub from_km: f64,
    pub to_km: f64,
    pub length_km: f64,
    pub reason: String,
    pub reason_en: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Selection {
    pub objective: Objective,
    pub objective_unit: &'static str,
    pub year: u16,
    pub fuel: Fuel,
    pub k: usize,
    pub candidates_considered: usize,
    pub objective_before: f64,
    pub objective_after: f64,
    pub picks: Vec<Pick>,
    pub remaining_gaps: Vec<RemainingGap>,
    pub method: String,
}

/// The candidates' contributions, precomputed.
pub struct Problem {
    objective: Objective,
    /// close-gaps: per corridor, the rule's spacing and the counted stations' chainages.
    corridors: Vec<(String, f64, Vec<f64>)>,
    /// close-gaps: per candidate, (corridor, chainage km).
    positions: Vec<Vec<(usize, f64)>>,
    /// cover-traffic: per candidate, the covered edges; and each edge's weight.
    covers: Vec<std::sync::Arc<Vec<u32>>>,
    weight: Vec<f64>,
    pub candidates: Vec<Candidate>,
    min_spacing_m: f64,
}

fn excess(len: f64, max: f64) -> f64 {
    (len - max).max(0.0)
}

impl Problem {
    pub fn new(
        network: &Network,
        region: &Region,
        rules: &Rules,
        planned: &[Planned],
        candidates: Vec<Candidate>,
        o: &Options,
    ) -> Result<Problem, SelectError> {
        if o.k == 0 || o.k > MAX_K {
            return Err(SelectError::K { k: o.k, max: MAX_K });
        }
        if !(o.min_spacing_km.is_finite() && o.min_spacing_km >= 0.0) {
            return Err(SelectError::Km("min_spacing_km"));
        }
        let any_rule = |fuel: Fuel| rules.0.iter().find(|r| r.year == o.year && r.fuel == fuel);
        let Some(first_rule) = any_rule(o.fuel) else {
            return Err(SelectError::NoRule {
                fuel: o.fuel,
                year: o.year,
                years: rules
                    .years()
                    .iter()
                    .map(|y| y.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        };
        let mut p = Problem {
            objective: o.objective,
            corridors: Vec::new(),
            positions: vec![Vec::new(); candidates.len()],
            covers: Vec::new(),
            weight: Vec::new(),
            candidates,
            min_spacing_m: o.min_spacing_km * 1000.0,
        };
        match o.objective {
            Objective::CloseGaps => {
                let copts = CoverageOptions {
                    ignore_power: o.ignore_power,
                };
                let snaps: Vec<Vec<super::Snap>> = p
                    .candidates
                    .iter()
                    .map(|c| network.locate(c.point, &c.id).unwrap_or_default())
                    .collect();
                for (ci, c) in network.corridors.iter().enumerate() {
                    let Some(rule) = rules.find(o.year, o.fuel, c.tent) else {
                        continue;
                    };
                    let (stations, _) = place_stations(network, region, rule, ci, planned, copts);
                    let mut chain: Vec<f64> = stations.iter().map(|s| s.chainage_km).collect();
                    chain.push(0.0);
                    chain.push(c.length_m / 1000.0);
                    chain.sort_by(f64::total_cmp);
                    let k = p.corridors.len();
                    for (i, s) in snaps.iter().enumerate() {
                        let pos = network.position_of(ci, s, rule.max_access_km * 1000.0);
                        if let Some(pos) = pos {
                            p.positions[i].push((k, pos.chainage_m / 1000.0));
                        }
                    }
                    p.corridors
                        .push((c.name.clone(), rule.max_spacing_km, chain));
                }
            }
            Objective::CoverTraffic => {
                let radius_m = o.radius_km.unwrap_or(first_rule.max_spacing_km / 2.0) * 1000.0;
                if !(radius_m.is_finite() && radius_m > 0.0) {
                    return Err(SelectError::Km("radius_km"));
                }
                p.weight = edge_weights(network, region);
                // Candidates near the same node cover the same roads: search once per node.
                let mut by_node: HashMap<u32, std::sync::Arc<Vec<u32>>> = HashMap::new();
                let everything = |_: u32| true;
                for c in &p.candidates {
                    let node = network.snap(c.point, &c.id).ok().map(|s| {
                        let (a, b) = network.graph.ends(s.edge);
                        if s.along_m <= network.graph.edge(s.edge).length_m / 2.0 {
                            a
                        } else {
                            b
                        }
                    });
                    let cover = match node {
                        Some(n) => by_node
                            .entry(n)
                            .or_insert_with(|| {
                                let t = network.graph.search(&[(n, 0.0, 0)], radius_m, &everything);
                                let edges: Vec<u32> = (0..network.graph.edge_count() as u32)
                                    .filter(|&e| p.weight[e as usize] > 0.0)
                                    .filter(|&e| {
                                        let (a, b) = network.graph.ends(e);
                                        t.reached(a) && t.reached(b)
                                    })
                                    .collect();
                                std::sync::Arc::new(edges)
                            })
                            .clone(),
                        None => std::sync::Arc::new(Vec::new()),
                    };
                    p.covers.push(cover);
                }
            }
        }
        Ok(p)
    }

    /// The objective: km of gap excess left (close-gaps), or traffic covered (cover-traffic).
    pub fn value(&self, picks: &[usize]) -> f64 {
        match self.objective {
            Objective::CloseGaps => {
                let mut total = 0.0;
                for (k, (_, max, _)) in self.corridors.iter().enumerate() {
                    let chain = self.chain_with(k, picks);
                    total += chain
                        .windows(2)
                        .map(|w| excess(w[1] - w[0], *max))
                        .sum::<f64>();
                }
                total
            }
            Objective::CoverTraffic => {
                let mut seen = vec![false; self.weight.len()];
                let mut total = 0.0;
                for &i in picks {
                    for &e in self.covers[i].iter() {
                        if !std::mem::replace(&mut seen[e as usize], true) {
                            total += self.weight[e as usize];
                        }
                    }
                }
                total
            }
        }
    }

    /// Corridor `k`'s station chainages (with its two ends) once `picks` are added, sorted.
    fn chain_with(&self, k: usize, picks: &[usize]) -> Vec<f64> {
        let mut chain = self.corridors[k].2.clone();
        for &i in picks {
            chain.extend(
                self.positions[i]
                    .iter()
                    .filter(|(c, _)| *c == k)
                    .map(|(_, ch)| *ch),
            );
        }
        chain.sort_by(f64::total_cmp);
        chain
    }

    /// Better objective values are lower for close-gaps and higher for cover-traffic; gains
    /// are positive either way.
    fn improvement(&self, before: f64, after: f64) -> f64 {
        match self.objective {
            Objective::CloseGaps => before - after,
            Objective::CoverTraffic => after - before,
        }
    }

    fn too_close(&self, i: usize, picks: &[usize]) -> bool {
        let a = self.candidates[i].point;
        picks.iter().any(|&j| {
            let b = self.candidates[j].point;
            (a[0] - b[0]).hypot(a[1] - b[1]) < self.min_spacing_m
        })
    }
}

/// Heavy vehicles a day on each E or R link (ÅDT, else the class estimate) × km.
fn edge_weights(network: &Network, region: &Region) -> Vec<f64> {
    (0..network.graph.edge_count() as u32)
        .map(|e| {
            let edge = network.graph.edge(e);
            let Some(road) = region.roads.get(edge.road as usize) else {
                return 0.0;
            };
            if !edge.main || edge.ferry {
                return 0.0;
            }
            let aadt = road
                .attrs
                .heavy_aadt
                .unwrap_or_else(|| crate::domain::traffic::proxy_aadt(road.attrs.category));
            aadt * edge.length_m / 1000.0
        })
        .collect()
}

#[derive(PartialEq)]
struct Entry(f64, f64, usize);
impl Eq for Entry {}
impl Ord for Entry {
    fn cmp(&self, o: &Self) -> Ordering {
        // Gain, then suitability score, then the earlier candidate.
        self.0
            .total_cmp(&o.0)
            .then(self.1.total_cmp(&o.1))
            .then(o.2.cmp(&self.2))
    }
}
impl PartialOrd for Entry {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

const EPS: f64 = 1e-9;

/// What greedy has picked so far, kept so that a gain costs a lookup, not a recount.
struct State {
    chains: Vec<Vec<f64>>,
    covered: Vec<bool>,
}

impl Problem {
    fn state(&self) -> State {
        State {
            chains: self.corridors.iter().map(|c| c.2.clone()).collect(),
            covered: vec![false; self.weight.len()],
        }
    }

    /// How much picking `i` improves the objective from `st`.
    fn gain(&self, st: &State, i: usize) -> f64 {
        match self.objective {
            Objective::CloseGaps => self.positions[i]
                .iter()
                .map(|&(c, ch)| {
                    let chain = &st.chains[c];
                    let max = self.corridors[c].1;
                    let at = chain.partition_point(|&x| x < ch);
                    if at == 0 || at >= chain.len() {
                        return 0.0;
                    }
                    let (lo, hi) = (chain[at - 1], chain[at]);
                    excess(hi - lo, max) - excess(ch - lo, max) - excess(hi - ch, max)
                })
                .sum(),
            Objective::CoverTraffic => self.covers[i]
                .iter()
                .filter(|&&e| !st.covered[e as usize])
                .map(|&e| self.weight[e as usize])
                .sum(),
        }
    }

    fn add(&self, st: &mut State, i: usize) {
        for &(c, ch) in &self.positions[i] {
            let chain = &mut st.chains[c];
            let at = chain.partition_point(|&x| x < ch);
            chain.insert(at, ch);
        }
        if self.objective == Objective::CoverTraffic {
            for &e in self.covers[i].iter() {
                st.covered[e as usize] = true;
            }
        }
    }
}

/// Lazy greedy: up to `k` picks, stopping early when no candidate improves the objective.
/// Returns each pick with its marginal gain and the objective after it.
pub fn greedy(p: &Problem, k: usize) -> Vec<(usize, f64, f64)> {
    let mut picks: Vec<usize> = Vec::new();
    let mut out = Vec::new();
    let mut st = p.state();
    let mut current = p.value(&[]);
    let mut heap: BinaryHeap<Entry> = (0..p.candidates.len())
        .filter(|&i| match p.objective {
            Objective::CloseGaps => !p.positions[i].is_empty(),
            Objective::CoverTraffic => !p.covers[i].is_empty(),
        })
        .map(|i| Entry(f64::INFINITY, p.candidates[i].score, i))
        .collect();
    while picks.len() < k {
        let Some(Entry(_, score, i)) = heap.pop() else {
            break;
        };
        if p.too_close(i, &picks) {
            continue;
        }
        let gain = p.gain(&st, i);
        let next = heap.peek().map_or(f64::NEG_INFINITY, |e| e.0);
        if gain + EPS >= next {
            if gain <= EPS {
                break;
            }
            p.add(&mut st, i);
            picks.push(i);
            current = match p.objective {
                Objective::CloseGaps => current - gain,
                Objective::CoverTraffic => current + gain,
            };
            out.push((i, gain, current));
        } else {
            heap.push(Entry(gain, score, i));
        }
    }
    out
}

/// The best set of at most `k` picks by trying every combination; for checking greedy on
/// small cases only.
pub fn brute_force(p: &Problem, k: usize) -> (f64, Vec<usize>) {
    let n = p.candidates.len();
    let base = p.value(&[]);
    let mut best = (0.0, Vec::new());
    let mut stack: Vec<usize> = Vec::new();
    fn walk(
        p: &Problem,
        n: usize,
        k: usize,
        from: usize,
        base: f64,
        stack: &mut Vec<usize>,
        best: &mut (f64, Vec<usize>),
    ) {
        if !stack.is_empty() {
            let gain = p.improvement(base, p.value(stack));
            if gain > best.0 + EPS {
                *best = (gain, stack.clone());
            }
        }
        if stack.len() == k {
            return;
        }
        for i in from..n {
            if p.too_close(i, stack) {
                continue;
            }
            stack.push(i);
            walk(p, n, k, i + 1, base, stack, best);
            stack.pop();
        }
    }
    walk(p, n, k, 0, base, &mut stack, &mut best);
    best
}

/// Select `o.k` sites and explain what is left.
pub fn select(
    network: &Network,
    region: &Region,
    rules: &Rules,
    planned: &[Planned],
    candidates: Vec<Candidate>,
    o: &Options,
) -> Result<Selection, SelectError> {
    let p = Problem::new(network, region, rules, planned, candidates, o)?;
    let before = p.value(&[]);
    let chosen = greedy(&p, o.k);
    let picked: Vec<usize> = chosen.iter().map(|c| c.0).collect();
    let picks = chosen
        .iter()
        .enumerate()
        .map(|(n, &(i, gain, after))| Pick {
            order: n + 1,
            id: p.candidates[i].id.clone(),
            area: None,
            name: None,
            score: p.candidates[i].score,
            gain,
            objective_after: after,
            corridors: p.positions[i]
                .iter()
                .map(|&(c, ch)| (p.corridors[c].0.clone(), ch))
                .collect(),
        })
        .collect();
    let remaining_gaps = match o.objective {
        Objective::CloseGaps => remaining(&p, &picked, o.k),
        Objective::CoverTraffic => Vec::new(),
    };
    let after = p.value(&picked);
    Ok(Selection {
        objective: o.objective,
        objective_unit: o.objective.unit(),
        year: o.year,
        fuel: o.fuel,
        k: o.k,
        candidates_considered: p.candidates.len(),
        objective_before: before,
        objective_after: after,
        picks,
        remaining_gaps,
        method: "greedy with lazy evaluation".into(),
    })
}

/// The gaps still open after `picks`, each with why no candidate closed it.
fn remaining(p: &Problem, picks: &[usize], k: usize) -> Vec<RemainingGap> {
    let mut out = Vec::new();
    for (ci, (name, max, _)) in p.corridors.iter().enumerate() {
        let chain = p.chain_with(ci, picks);
        let s = spacing(chain.last().copied().unwrap_or(0.0), &chain, *max);
        for g in s.gaps() {
            let inside: Vec<usize> = (0..p.candidates.len())
                .filter(|&i| {
                    p.positions[i]
                        .iter()
                        .any(|&(c, ch)| c == ci && ch > g.from_km + EPS && ch < g.to_km - EPS)
                })
                .collect();
            let needed = (g.length_km / max).ceil() as usize - 1;
            let (reason, reason_en) = if inside.is_empty() {
                (
                    format!("ingen kandidat mellom km {:.1} og {:.1} ligger innen kjøreavstanden fra korridoren og består profilens krav og minstepoeng", g.from_km, g.to_km),
                    format!("no candidate between km {:.1} and {:.1} lies within the access distance of the corridor and passes the profile's constraints and minimum score", g.from_km, g.to_km),
                )
            } else if picks.len() >= k {
                (
                    format!("k = {k} er brukt opp; gapet trenger minst {needed} stasjon(er) til"),
                    format!("k = {k} is used up; the gap needs at least {needed} more station(s)"),
                )
            } else if inside.iter().all(|&i| p.too_close(i, picks)) {
                (
                    "kandidatene i gapet ligger for nær andre valgte steder (minsteavstand)".into(),
                    "the candidates inside the gap are too close to other picks (minimum spacing)"
                        .into(),
                )
            } else {
                (
                    "kandidatene i gapet ligger slik at ingen deler det i biter innenfor avstandskravet".into(),
                    "the candidates inside the gap lie where none splits it into pieces within the spacing".into(),
                )
            };
            out.push(RemainingGap {
                corridor: name.clone(),
                from_km: g.from_km,
                to_km: g.to_km,
                length_km: g.length_km,
                reason,
                reason_en,
            });
        }
    }
    out
}

/// How a greedy selection compares with the optimum, for the tests and small cases.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub greedy_gain: f64,
    pub optimal_gain: f64,
    /// greedy / optimal; 1 when both are zero.
    pub ratio: f64,
}

pub fn compare(p: &Problem, k: usize) -> Comparison {
    let base = p.value(&[]);
    let g = greedy(p, k);
    let picks: Vec<usize> = g.iter().map(|x| x.0).collect();
    let greedy_gain = p.improvement(base, p.value(&picks));
    let (optimal_gain, _) = brute_force(p, k);
    Comparison {
        greedy_gain,
        optimal_gain,
        ratio: if optimal_gain > EPS {
            greedy_gain / optimal_gain
        } else {
            1.0
        },
    }
}
