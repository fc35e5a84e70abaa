//! The scoring engine: measure every candidate once, then weigh and rank as often as
//! the planner likes.
//!
//! 1. [`measure`] runs the spatial queries: one raw value per criterion and candidate,
//!    plus the failed constraints. This is the expensive step.
//! 2. [`Normalized::new`] applies the profile's value functions (thresholds).
//! 3. [`rank`] weighs and ranks. Changing weights repeats only this step.
//!
//! Every step is a pure function of its inputs, and the same inputs give the same
//! output bit for bit, whatever the number of threads: each candidate is computed on
//! its own, sums run in criterion order, and ties rank by candidate order.

pub mod areas;
pub mod candidates;
pub mod checklist;
pub mod constraints;
pub mod context;
pub mod criteria;
pub mod dissolve;
pub mod naming;
pub mod report;
pub mod sensitivity;
pub mod sizing;
pub mod traffic;
pub mod workload;

use rayon::prelude::*;
use serde::Serialize;

use crate::domain::profile::{Measure, Profile};

pub use candidates::{AreaFilter, Candidate, Origin};
pub use constraints::Failure;
pub use context::ScoringContext;
pub use criteria::Measurement;

#[derive(Debug, thiserror::Error)]
pub enum ScoringError {
    #[error("weights: {0}")]
    Weights(String),
    #[error("the candidate set has no candidates. Hint: check the area filter (--municipalities) and the candidate source")]
    NoCandidates,
}

/// Raw measurements for every candidate and criterion of a profile.
#[derive(Debug, Clone)]
pub struct RawTable {
    pub profile: Profile,
    pub candidates: Vec<Candidate>,
    /// Row-major: candidate i, criterion j at `i * k + j`.
    pub measurements: Vec<Measurement>,
    pub failures: Vec<Vec<Failure>>,
}

impl RawTable {
    pub fn len(&self) -> usize {
        self.candidates.len()
    }

    pub fn is_empty(&self) -> bool {
        self.candidates.is_empty()
    }

    pub fn criteria_count(&self) -> usize {
        self.profile.criteria.len()
    }

    pub fn row(&self, i: usize) -> &[Measurement] {
        let k = self.criteria_count();
        &self.measurements[i * k..(i + 1) * k]
    }

    pub fn excluded(&self, i: usize) -> bool {
        !self.failures[i].is_empty()
    }
}

/// Measure every candidate against `profile`. `progress` is told how many are done, now and
/// then, from any thread.
pub fn measure(
    ctx: &ScoringContext,
    profile: &Profile,
    candidates: Vec<Candidate>,
    progress: &(dyn Fn(usize) + Sync),
) -> RawTable {
    let k = profile.criteria.len();
    let main_road_col = profile
        .criteria
        .iter()
        .position(|c| c.measure == Measure::MainRoadDistance);
    if profile
        .criteria
        .iter()
        .any(|c| c.measure == Measure::LogisticsSynergy)
    {
        // Built before the threads start, rather than by whichever thread asks first while
        // the others wait.
        ctx.terminal_reach();
    }
    let rows: Vec<(Vec<Measurement>, Vec<Failure>)> = candidates
        .par_iter()
        .enumerate()
        .map(|(i, c)| {
            let row: Vec<Measurement> = profile
                .criteria
                .iter()
                .map(|cr| criteria::measure(ctx, profile, cr, c))
                .collect();
            let main_road = match main_road_col {
                Some(j) => row[j].raw,
                None => criteria::roads::main_road_distance(ctx, c).raw,
            };
            let failures = constraints::check(ctx, profile, c, main_road);
            if i % 4096 == 4095 {
                progress(4096);
            }
            (row, failures)
        })
        .collect();
    progress(candidates.len() % 4096);
    let mut measurements = Vec::with_capacity(candidates.len() * k);
    let mut failures = Vec::with_capacity(candidates.len());
    for (row, f) in rows {
        measurements.extend(row);
        failures.push(f);
    }
    RawTable {
        profile: profile.clone(),
        candidates,
        measurements,
        failures,
    }
}

/// Normalized values (0..1) under a profile's value functions, row-major like the raw table.
#[derive(Debug, Clone)]
pub struct Normalized {
    pub values: Vec<f64>,
    pub k: usize,
}

impl Normalized {
    /// `profile` must have the same criteria, in the same order, as the table was measured
    /// with; only thresholds and weights may differ.
    pub fn new(raw: &RawTable, profile: &Profile) -> Self {
        let k = profile.criteria.len();
        let values = raw
            .measurements
            .par_chunks(k.max(1))
            .flat_map_iter(|row| {
                row.iter().zip(&profile.criteria).map(|(m, c)| {
                    let v = c.function.eval(m.raw);
                    if v.is_nan() {
                        c.missing
                    } else {
                        v
                    }
                })
            })
            .collect();
        Normalized { values, k }
    }
}

/// Scores and ranks of every candidate.
#[derive(Debug, Clone, Serialize)]
pub struct Ranking {
    /// 0..100; NaN for excluded candidates.
    pub scores: Vec<f64>,
    /// Candidate indices of the scored candidates, best first.
    pub order: Vec<u32>,
    /// 1-based rank in the region; 0 for excluded candidates.
    pub region_rank: Vec<u32>,
    /// 1-based rank among candidates of the same municipality; 0 for excluded ones.
    pub municipality_rank: Vec<u32>,
}

/// Weigh normalized values by `weights` (one per criterion, summing to 100) and rank.
pub fn rank(raw: &RawTable, norm: &Normalized, weights: &[f64]) -> Ranking {
    let scores = score(raw, norm, weights);
    let order = order_by_score(&scores);
    let n = scores.len();
    let mut region_rank = vec![0u32; n];
    let mut municipality_rank = vec![0u32; n];
    let mut per_municipality: std::collections::HashMap<Option<u32>, u32> =
        std::collections::HashMap::new();
    for (r, &i) in order.iter().enumerate() {
        region_rank[i as usize] = r as u32 + 1;
        let m = per_municipality
            .entry(raw.candidates[i as usize].municipality)
            .or_insert(0);
        *m += 1;
        municipality_rank[i as usize] = *m;
    }
    Ranking {
        scores,
        order,
        region_rank,
        municipality_rank,
    }
}

/// Scores only (NaN for excluded), in candidate order.
pub fn score(raw: &RawTable, norm: &Normalized, weights: &[f64]) -> Vec<f64> {
    let k = norm.k;
    norm.values
        .par_chunks(k.max(1))
        .enumerate()
        .map(|(i, row)| {
            if raw.excluded(i) {
                f64::NAN
            } else {
                // Summed in criterion order: the same bits on any thread count.
                row.iter().zip(weights).fold(0.0, |acc, (v, w)| acc + v * w)
            }
        })
        .collect()
}

/// Indices of the scored candidates, best first; equal scores keep candidate order.
pub fn order_by_score(scores: &[f64]) -> Vec<u32> {
    let mut keyed: Vec<(u64, u32)> = scores
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.is_nan())
        // Scores are ≥ 0, so their bit patterns sort like the numbers; invert for descending.
        .map(|(i, s)| (u64::MAX - s.max(0.0).to_bits(), i as u32))
        .collect();
    keyed.par_sort_unstable();
    keyed.into_iter().map(|(_, i)| i).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_is_by_score_then_candidate_order_and_skips_excluded() {
        let scores = vec![50.0, f64::NAN, 70.0, 50.0, 0.0];
        assert_eq!(order_by_score(&scores), vec![2, 0, 3, 4]);
    }
}
