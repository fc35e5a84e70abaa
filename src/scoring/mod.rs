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

use std::sync::Arc;

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
///
/// Stored as one column per criterion. A column depends only on the candidates and on what it
/// measures, so profiles scored on the same candidates share it (`Columns`): the distance to
/// an E or R road is measured once per grid cell, not once per profile.
#[derive(Debug, Clone)]
pub struct RawTable {
    pub profile: Profile,
    pub candidates: Arc<Vec<Candidate>>,
    /// One per criterion, in the profile's order.
    pub columns: Vec<Arc<Column>>,
    pub failures: Failures,
}

/// One criterion's raw measurements, candidate by candidate.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Column {
    pub raw: Vec<f64>,
    pub feature: Vec<u32>,
    pub estimated: Flags,
}

/// One bit per candidate: most columns are never estimated, and a byte per cell in each of
/// fifteen columns is 78 MB on a national grid.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Flags {
    words: Vec<u64>,
    len: usize,
}

impl Flags {
    pub fn with_capacity(n: usize) -> Self {
        Flags {
            words: Vec::with_capacity(n.div_ceil(64)),
            len: 0,
        }
    }

    pub fn push(&mut self, on: bool) {
        if self.len.is_multiple_of(64) {
            self.words.push(0);
        }
        if on {
            if let Some(w) = self.words.last_mut() {
                *w |= 1 << (self.len % 64);
            }
        }
        self.len += 1;
    }

    pub fn get(&self, i: usize) -> bool {
        assert!(i < self.len, "flag {i} of {}", self.len);
        self.words[i / 64] >> (i % 64) & 1 == 1
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn iter(&self) -> impl Iterator<Item = bool> + '_ {
        (0..self.len).map(|i| self.get(i))
    }
}

impl FromIterator<bool> for Flags {
    fn from_iter<I: IntoIterator<Item = bool>>(iter: I) -> Self {
        let mut f = Flags::default();
        for b in iter {
            f.push(b);
        }
        f
    }
}

impl Column {
    pub fn len(&self) -> usize {
        self.raw.len()
    }

    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    pub fn get(&self, i: usize) -> Measurement {
        Measurement {
            raw: self.raw[i],
            feature: self.feature[i],
            estimated: self.estimated.get(i),
        }
    }

    fn with_capacity(n: usize) -> Self {
        Column {
            raw: Vec::with_capacity(n),
            feature: Vec::with_capacity(n),
            estimated: Flags::with_capacity(n),
        }
    }

    fn push(&mut self, m: Measurement) {
        self.raw.push(m.raw);
        self.feature.push(m.feature);
        self.estimated.push(m.estimated);
    }
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

    /// Candidate `i`'s measurements, in criterion order.
    pub fn row(&self, i: usize) -> Vec<Measurement> {
        self.columns.iter().map(|c| c.get(i)).collect()
    }

    pub fn measurement(&self, i: usize, criterion: usize) -> Measurement {
        self.columns[criterion].get(i)
    }

    pub fn excluded(&self, i: usize) -> bool {
        !self.failures[i].is_empty()
    }
}

/// What a column measures: equal keys give equal columns on the same candidates.
///
/// Only the measure and the parts of the criterion and profile it reads belong here: the
/// search radius, the profile's station kind for the distance to stations, and the profile
/// itself for the measures that read its land-use table or its demand.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ColumnKey(String);

impl ColumnKey {
    pub fn of(profile: &Profile, criterion: &crate::domain::profile::Criterion) -> Self {
        let radius = criterion.radius_m.map(f64::to_bits);
        let by_profile = match criterion.measure {
            Measure::StationDistance => format!("{:?}", profile.station_kind),
            Measure::LanduseSuitability | Measure::GridHeadroom2030 => {
                format!("profile {}", profile.id)
            }
            _ => String::new(),
        };
        ColumnKey(format!("{:?}|{radius:?}|{by_profile}", criterion.measure))
    }

    /// The distance to an E or R road, which every profile's constraints read.
    pub fn main_road() -> Self {
        ColumnKey(format!("{:?}|None|", Measure::MainRoadDistance))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn from_string(s: String) -> Self {
        ColumnKey(s)
    }
}

/// Columns already measured on one candidate set, shared by the profiles scored on it.
pub type Columns = std::collections::BTreeMap<ColumnKey, Arc<Column>>;

/// Measure every candidate against `profile`. `progress` is told how many are done, now and
/// then, from any thread.
pub fn measure(
    ctx: &ScoringContext,
    profile: &Profile,
    candidates: Vec<Candidate>,
    progress: &(dyn Fn(usize) + Sync),
) -> RawTable {
    measure_shared(
        ctx,
        profile,
        Arc::new(candidates),
        &mut Columns::new(),
        progress,
    )
}

/// As [`measure`], reusing the columns in `shared` that were measured on the same
/// `candidates` and adding the new ones to it.
pub fn measure_shared(
    ctx: &ScoringContext,
    profile: &Profile,
    candidates: Arc<Vec<Candidate>>,
    shared: &mut Columns,
    progress: &(dyn Fn(usize) + Sync),
) -> RawTable {
    let keys: Vec<ColumnKey> = profile
        .criteria
        .iter()
        .map(|c| ColumnKey::of(profile, c))
        .collect();
    // The columns to measure now: each distinct key not yet shared, with a criterion that
    // measures it; None measures the main road for the constraints.
    let mut todo: Vec<(ColumnKey, Option<&crate::domain::profile::Criterion>)> = Vec::new();
    for (key, c) in keys.iter().zip(&profile.criteria) {
        if !shared.contains_key(key) && !todo.iter().any(|(k, _)| k == key) {
            todo.push((key.clone(), Some(c)));
        }
    }
    let main_key = ColumnKey::main_road();
    if !shared.contains_key(&main_key) && !todo.iter().any(|(k, _)| *k == main_key) {
        todo.push((main_key.clone(), None));
    }
    if todo
        .iter()
        .any(|(_, c)| c.is_some_and(|c| c.measure == Measure::LogisticsSynergy))
    {
        // Built before the threads start, rather than by whichever thread asks first while
        // the others wait.
        ctx.terminal_reach();
    }
    // Column by column, straight into the packed form: no per-candidate rows, whose
    // allocations would outlive the build in the allocator's free lists.
    let n = candidates.len();
    let units = todo.len() + 1;
    let done = std::sync::atomic::AtomicUsize::new(0);
    let tick = |i: usize| {
        if i % 4096 == 4095 {
            // Reported in candidates: each pass is a share of the whole.
            let before = done.fetch_add(4096, std::sync::atomic::Ordering::Relaxed);
            let now = before + 4096;
            let shown = now / units - before / units;
            if shown > 0 {
                progress(shown);
            }
        }
    };
    for (key, cr) in todo {
        let measured: Vec<Measurement> = candidates
            .par_iter()
            .enumerate()
            .map(|(i, c)| {
                tick(i);
                match cr {
                    Some(cr) => criteria::measure(ctx, profile, cr, c),
                    None => criteria::roads::main_road_distance(ctx, c),
                }
            })
            .collect();
        let mut col = Column::with_capacity(n);
        for m in measured {
            col.push(m);
        }
        shared.insert(key, Arc::new(col));
    }
    let main_road = shared.get(&main_key).cloned().unwrap_or_default();
    let checked: Vec<Vec<Failure>> = candidates
        .par_iter()
        .enumerate()
        .map(|(i, c)| {
            tick(i);
            let road = main_road.raw.get(i).copied().unwrap_or(f64::NAN);
            constraints::check(ctx, profile, c, road)
        })
        .collect();
    let mut failures = Failures::default();
    for f in &checked {
        failures.push(f);
    }
    drop(checked);
    let reported = done.load(std::sync::atomic::Ordering::Relaxed) / units;
    progress(n.saturating_sub(reported));
    let columns = keys
        .iter()
        .map(|k| shared.get(k).cloned().unwrap_or_default())
        .collect();
    RawTable {
        profile: profile.clone(),
        candidates,
        columns,
        failures,
    }
}

/// A profile's table from columns measured before (the start-up cache), or None when a
/// column it needs is missing or the lengths disagree.
pub fn assemble(
    profile: &Profile,
    candidates: Arc<Vec<Candidate>>,
    shared: &Columns,
    failures: Failures,
) -> Option<RawTable> {
    let n = candidates.len();
    let columns = profile
        .criteria
        .iter()
        .map(|c| shared.get(&ColumnKey::of(profile, c)).cloned())
        .collect::<Option<Vec<_>>>()?;
    if failures.len() != n || columns.iter().any(|c| c.len() != n) {
        return None;
    }
    Some(RawTable {
        profile: profile.clone(),
        candidates,
        columns,
        failures,
    })
}

/// Normalized values (0..1) under a profile's value functions.
///
/// `new` computes them all up front, row-major, for the CLI's repeated sensitivity runs;
/// `lazy` evaluates the value function when a value is read, which keeps a server's grid
/// to its raw columns (8 bytes per cell and criterion less) at the price of evaluating the
/// thresholds again on each re-weighting. Both give the same bits.
#[derive(Debug, Clone)]
pub struct Normalized {
    pub k: usize,
    dense: Option<Vec<f64>>,
    columns: Vec<Arc<Column>>,
    functions: Vec<(crate::domain::value_function::ValueFunction, f64)>,
}

impl Normalized {
    /// `profile` must have the same criteria, in the same order, as the table was measured
    /// with; only thresholds and weights may differ.
    pub fn new(raw: &RawTable, profile: &Profile) -> Self {
        let mut n = Self::lazy(raw, profile);
        let k = n.k;
        let values = (0..raw.len())
            .into_par_iter()
            .flat_map_iter(|i| {
                let n = &n;
                (0..k).map(move |j| n.get(i, j))
            })
            .collect();
        n.dense = Some(values);
        n
    }

    /// As `new`, evaluated on read.
    pub fn lazy(raw: &RawTable, profile: &Profile) -> Self {
        Normalized {
            k: profile.criteria.len(),
            dense: None,
            columns: raw.columns.clone(),
            functions: profile
                .criteria
                .iter()
                .map(|c| (c.function.clone(), c.missing))
                .collect(),
        }
    }

    /// Candidate `i`'s normalized value for criterion `j`.
    pub fn get(&self, i: usize, j: usize) -> f64 {
        if let Some(values) = &self.dense {
            return values[i * self.k + j];
        }
        let (function, missing) = &self.functions[j];
        let v = function.eval(self.columns[j].raw[i]);
        if v.is_nan() {
            *missing
        } else {
            v
        }
    }
}

/// Each candidate's failed constraints, packed: one offset per candidate into one list,
/// rather than a list per candidate (most grid cells fail one or none).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Failures {
    /// `items[offsets[i]..offsets[i + 1]]` are candidate i's.
    offsets: Vec<u32>,
    items: Vec<Failure>,
}

impl Failures {
    pub fn push(&mut self, failures: &[Failure]) {
        if self.offsets.is_empty() {
            self.offsets.push(0);
        }
        self.items.extend_from_slice(failures);
        self.offsets.push(self.items.len() as u32);
    }

    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, i: usize) -> &[Failure] {
        match (self.offsets.get(i), self.offsets.get(i + 1)) {
            (Some(&a), Some(&b)) => &self.items[a as usize..b as usize],
            _ => &[],
        }
    }

    /// The offsets and the packed list, for the start-up cache.
    pub fn parts(&self) -> (&[u32], &[Failure]) {
        (&self.offsets, &self.items)
    }

    /// From `parts`; None unless the offsets start at 0, never decrease and end at the
    /// list's length.
    pub fn from_parts(offsets: Vec<u32>, items: Vec<Failure>) -> Option<Self> {
        let ordered = offsets.windows(2).all(|w| w[0] <= w[1]);
        let bounded = offsets.first().is_none_or(|&o| o == 0)
            && offsets.last().is_none_or(|&o| o as usize == items.len());
        (ordered && bounded).then_some(Failures { offsets, items })
    }

    pub fn iter(&self) -> impl Iterator<Item = &[Failure]> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }
}

impl std::ops::Index<usize> for Failures {
    type Output = [Failure];

    fn index(&self, i: usize) -> &[Failure] {
        self.get(i)
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
    (0..raw.len())
        .into_par_iter()
        .map(|i| score_of(raw, norm, weights, i))
        .collect()
}

/// Candidate `i`'s score under `weights`, NaN when excluded: what `score` gives it, for a
/// caller that needs only a few candidates (a map tile).
pub fn score_of(raw: &RawTable, norm: &Normalized, weights: &[f64], i: usize) -> f64 {
    if raw.excluded(i) {
        f64::NAN
    } else {
        // Summed in criterion order: the same bits on any thread count.
        (0..norm.k).fold(0.0, |acc, j| acc + norm.get(i, j) * weights[j])
    }
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
    fn flags_read_back_every_bit_across_word_boundaries() {
        let bits: Vec<bool> = (0..200)
            .map(|i| i % 3 == 0 || i == 64 || i == 127)
            .collect();
        let f: Flags = bits.iter().copied().collect();
        assert_eq!(f.len(), 200);
        assert_eq!(f.iter().collect::<Vec<_>>(), bits);
        assert!(f.get(64) && f.get(127) && !f.get(128));
    }

    #[test]
    fn order_is_by_score_then_candidate_order_and_skips_excluded() {
        let scores = vec![50.0, f64::NAN, 70.0, 50.0, 0.0];
        assert_eq!(order_by_score(&scores), vec![2, 0, 3, 4]);
    }
}
