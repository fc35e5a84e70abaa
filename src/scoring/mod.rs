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
pub mod page;
pub mod report;
pub mod sensitivity;
pub mod sizing;
pub mod subset;
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
    /// The columns the constraints read: the distance to an E or R road, and the driving
    /// distance to a corridor where a criterion measured it.
    pub main_road: Arc<Column>,
    pub corridor: Option<Arc<Column>>,
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
        self.failures.any(i)
    }

    /// Candidate `i`'s failed constraints, in `constraints::check` order.
    pub fn failures_of(&self, i: usize) -> Vec<Failure> {
        self.failures.get(i, &self.basis(i))
    }

    /// What candidate `i`'s failures are rebuilt from.
    pub fn basis(&self, i: usize) -> Basis {
        basis(
            &self.profile,
            &self.candidates[i],
            &self.main_road,
            self.corridor.as_deref(),
            i,
        )
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

    /// The driving distance to a corridor, which the corridor constraint also measures.
    pub fn corridor() -> Self {
        ColumnKey(format!("{:?}|None|", Measure::CorridorAccess))
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
    let corridor = shared.get(&ColumnKey::corridor()).cloned();
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
    for (i, f) in checked.iter().enumerate() {
        let b = basis(profile, &candidates[i], &main_road, corridor.as_deref(), i);
        failures.push(f, &b);
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
        main_road,
        corridor,
    }
}

fn basis(
    profile: &Profile,
    c: &Candidate,
    main_road: &Column,
    corridor: Option<&Column>,
    i: usize,
) -> Basis {
    Basis {
        landuse: c.landuse,
        road_m: main_road.raw.get(i).copied().unwrap_or(f64::NAN),
        road_limit_m: profile.constraints.max_main_road_distance_m,
        corridor_m: corridor
            .and_then(|c| c.raw.get(i).copied())
            .unwrap_or(f64::NAN),
        corridor_limit_m: profile.constraints.max_corridor_access_m,
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
    let main_road = shared.get(&ColumnKey::main_road()).cloned()?;
    let corridor = shared.get(&ColumnKey::corridor()).cloned();
    let lengths = columns
        .iter()
        .chain(std::iter::once(&main_road))
        .chain(corridor.as_ref());
    if failures.len() != n || lengths.into_iter().any(|c| c.len() != n) {
        return None;
    }
    Some(RawTable {
        profile: profile.clone(),
        candidates,
        columns,
        failures,
        main_road,
        corridor,
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

/// What a candidate's failures can be rebuilt from: values the table holds anyway.
#[derive(Debug, Clone, Copy)]
pub struct Basis {
    pub landuse: Option<crate::domain::landuse::LandUseClass>,
    /// The measured distance to an E or R road, and the profile's limit.
    pub road_m: f64,
    pub road_limit_m: Option<f64>,
    /// The measured driving distance to a corridor (NaN when not measured), and the limit.
    pub corridor_m: f64,
    pub corridor_limit_m: Option<f64>,
}

impl Basis {
    /// The one failure of `kind` (a single bit) this basis rebuilds.
    fn failure(&self, kind: u8) -> Option<Failure> {
        Some(match kind {
            FORBIDDEN => Failure::LanduseForbidden {
                class: self.landuse?,
            },
            NOT_ALLOWED => Failure::LanduseNotAllowed {
                class: self.landuse?,
            },
            UNKNOWN => Failure::LanduseUnknown,
            ROAD_FAR => Failure::TooFarFromMainRoad {
                distance_m: self.road_m,
                limit_m: self.road_limit_m?,
            },
            NO_ROAD => Failure::NoMainRoad,
            CORRIDOR_FAR => Failure::TooFarFromCorridor {
                distance_m: self.corridor_m,
                limit_m: self.corridor_limit_m?,
            },
            NO_CORRIDOR => Failure::NoCorridorAccess { road_m: f64::NAN },
            _ => return None,
        })
    }

    /// The bit that stands for `f`, when this basis rebuilds `f` exactly.
    fn kind_of(&self, f: &Failure) -> Option<u8> {
        let kind = match f {
            Failure::LanduseForbidden { .. } => FORBIDDEN,
            Failure::LanduseNotAllowed { .. } => NOT_ALLOWED,
            Failure::LanduseUnknown => UNKNOWN,
            Failure::TooFarFromMainRoad { .. } => ROAD_FAR,
            Failure::NoMainRoad => NO_ROAD,
            Failure::TooFarFromCorridor { .. } => CORRIDOR_FAR,
            Failure::NoCorridorAccess { .. } => NO_CORRIDOR,
            _ => return None,
        };
        let rebuilt = self.failure(kind)?;
        (rebuilt.fields() == f.fields()).then_some(kind)
    }
}

// One bit per failure a `Basis` rebuilds, in the order `constraints::check` lists them.
const FORBIDDEN: u8 = 1;
const NOT_ALLOWED: u8 = 1 << 1;
const UNKNOWN: u8 = 1 << 2;
const ROAD_FAR: u8 = 1 << 3;
const NO_ROAD: u8 = 1 << 4;
const CORRIDOR_FAR: u8 = 1 << 5;
const NO_CORRIDOR: u8 = 1 << 6;
/// The candidate has failures kept in full.
const OTHERS: u8 = 1 << 7;

/// Each candidate's failed constraints, packed.
///
/// Most grid cells fail on their land use or their distance to a main road, and the table
/// holds both values anyway: those failures are one bit each, rebuilt from a [`Basis`] when
/// asked for. The rest (exclusion areas, safety distances, the grid) are kept in full, for
/// the few candidates that have any. A national grid's four profiles took 700 MB as full
/// lists; as bits they take 21 MB plus the rest.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Failures {
    kinds: Vec<u8>,
    /// The candidates with failures kept in full, ascending; `items[offsets[j]..offsets[j + 1]]`
    /// are `cells[j]`'s.
    cells: Vec<u32>,
    offsets: Vec<u32>,
    items: Vec<Failure>,
}

/// The parts of [`Failures`], for the start-up cache.
pub struct FailureParts<'a> {
    pub kinds: &'a [u8],
    pub cells: &'a [u32],
    pub offsets: &'a [u32],
    pub items: &'a [Failure],
}

impl Failures {
    /// Appends the next candidate's failures, in `constraints::check` order.
    pub fn push(&mut self, failures: &[Failure], basis: &Basis) {
        if failures.is_empty() {
            self.kinds.push(0);
            return;
        }
        let mut kinds = 0u8;
        let start = self.items.len();
        for f in failures {
            match basis.kind_of(f) {
                Some(k) if kinds & k == 0 => kinds |= k,
                _ => self.items.push(*f),
            }
        }
        // Bits lose the order among themselves and the rest; where rebuilding would not give
        // the same list back, the whole list is kept.
        let same = rebuilt(kinds, &self.items[start..], basis)
            .map(|f| f.fields())
            .eq(failures.iter().map(Failure::fields));
        if !same {
            kinds = 0;
            self.items.truncate(start);
            self.items.extend_from_slice(failures);
        }
        if self.items.len() > start {
            kinds |= OTHERS;
            if self.offsets.is_empty() {
                self.offsets.push(start as u32);
            }
            self.cells.push(self.kinds.len() as u32);
            self.offsets.push(self.items.len() as u32);
        }
        self.kinds.push(kinds);
    }

    pub fn len(&self) -> usize {
        self.kinds.len()
    }

    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    /// Whether candidate `i` failed any constraint.
    pub fn any(&self, i: usize) -> bool {
        self.kinds.get(i).is_some_and(|&k| k != 0)
    }

    /// Candidate `i`'s failures; `basis` must be the one it was pushed with.
    pub fn get(&self, i: usize, basis: &Basis) -> Vec<Failure> {
        let kinds = self.kinds.get(i).copied().unwrap_or(0);
        rebuilt(kinds, self.kept(i, kinds), basis).collect()
    }

    fn kept(&self, i: usize, kinds: u8) -> &[Failure] {
        if kinds & OTHERS == 0 {
            return &[];
        }
        let Ok(j) = self.cells.binary_search(&(i as u32)) else {
            return &[];
        };
        match (self.offsets.get(j), self.offsets.get(j + 1)) {
            (Some(&a), Some(&b)) => &self.items[a as usize..b as usize],
            _ => &[],
        }
    }

    pub fn parts(&self) -> FailureParts<'_> {
        FailureParts {
            kinds: &self.kinds,
            cells: &self.cells,
            offsets: &self.offsets,
            items: &self.items,
        }
    }

    /// From `parts`; None unless they fit together: ascending cells in range, each marked
    /// in its kinds, offsets from 0 that never decrease and end at the list's length.
    pub fn from_parts(
        kinds: Vec<u8>,
        cells: Vec<u32>,
        offsets: Vec<u32>,
        items: Vec<Failure>,
    ) -> Option<Self> {
        let cells_ok = cells.windows(2).all(|w| w[0] < w[1])
            && cells
                .iter()
                .all(|&c| kinds.get(c as usize).is_some_and(|k| k & OTHERS != 0))
            && kinds.iter().filter(|&&k| k & OTHERS != 0).count() == cells.len();
        let offsets_ok = if cells.is_empty() {
            offsets.is_empty() && items.is_empty()
        } else {
            offsets.len() == cells.len() + 1
                && offsets.first() == Some(&0)
                && offsets.windows(2).all(|w| w[0] < w[1])
                && offsets.last().is_some_and(|&o| o as usize == items.len())
        };
        (cells_ok && offsets_ok).then_some(Failures {
            kinds,
            cells,
            offsets,
            items,
        })
    }
}

/// The failures `kinds` stands for, rebuilt from `basis`, merged with `kept` in
/// `constraints::check` order.
fn rebuilt<'a>(
    kinds: u8,
    kept: &'a [Failure],
    basis: &'a Basis,
) -> impl Iterator<Item = Failure> + 'a {
    let mut bits = kinds & !OTHERS;
    let mut kept = kept.iter().peekable();
    std::iter::from_fn(move || {
        let next_bit = (bits != 0).then(|| 1u8 << bits.trailing_zeros());
        let from_bit = next_bit.and_then(|b| basis.failure(b));
        match (from_bit, kept.peek()) {
            (Some(f), Some(k)) if k.order() < f.order() => kept.next().copied(),
            (Some(f), _) => {
                bits &= !next_bit.unwrap_or(0);
                Some(f)
            }
            (None, _) => kept.next().copied(),
        }
    })
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

    fn basis(landuse: Option<crate::domain::landuse::LandUseClass>, road_m: f64) -> Basis {
        Basis {
            landuse,
            road_m,
            road_limit_m: Some(3000.0),
            corridor_m: 4100.0,
            corridor_limit_m: Some(3000.0),
        }
    }

    #[test]
    fn failures_read_back_exactly_whether_kept_as_bits_or_in_full() {
        use crate::domain::landuse::LandUseClass::{Agricultural as Farmland, Industrial};
        let far = Failure::TooFarFromMainRoad {
            distance_m: 5200.0,
            limit_m: 3000.0,
        };
        let cases: Vec<(Basis, Vec<Failure>)> = vec![
            (basis(None, 10.0), vec![]),
            // All rebuilt from the basis.
            (
                basis(Some(Farmland), 5200.0),
                vec![
                    Failure::LanduseForbidden { class: Farmland },
                    far,
                    Failure::TooFarFromCorridor {
                        distance_m: 4100.0,
                        limit_m: 3000.0,
                    },
                ],
            ),
            // A distance the basis does not hold is kept in full, in its place.
            (
                basis(Some(Farmland), 10.0),
                vec![
                    Failure::LanduseNotAllowed { class: Farmland },
                    far,
                    Failure::NoCorridorAccess { road_m: 900.0 },
                    Failure::InExclusion { feature: 4 },
                    Failure::InExclusion { feature: 2 },
                ],
            ),
            // A class other than the candidate's, and a NaN that must stay NaN.
            (
                basis(Some(Industrial), 5200.0),
                vec![
                    Failure::LanduseForbidden { class: Farmland },
                    far,
                    Failure::NoCorridorAccess { road_m: f64::NAN },
                ],
            ),
            // Out of check order: kept whole, so the order survives.
            (
                basis(Some(Farmland), 5200.0),
                vec![far, Failure::LanduseForbidden { class: Farmland }, far],
            ),
            (
                basis(None, f64::NAN),
                vec![Failure::LanduseUnknown, Failure::NoMainRoad],
            ),
        ];
        let mut packed = Failures::default();
        for (b, list) in &cases {
            packed.push(list, b);
        }
        assert_eq!(packed.len(), cases.len());
        for (i, (b, list)) in cases.iter().enumerate() {
            let back: Vec<_> = packed.get(i, b).iter().map(Failure::fields).collect();
            let want: Vec<_> = list.iter().map(Failure::fields).collect();
            assert_eq!(back, want, "candidate {i}");
            assert_eq!(packed.any(i), !list.is_empty(), "candidate {i}");
        }
        // Only the two lists with failures the basis cannot rebuild, and the disordered one,
        // are kept in full.
        let parts = packed.parts();
        assert_eq!(parts.cells, &[2, 3, 4]);
        let again = Failures::from_parts(
            parts.kinds.to_vec(),
            parts.cells.to_vec(),
            parts.offsets.to_vec(),
            parts.items.to_vec(),
        );
        assert_eq!(again.as_ref(), Some(&packed));
        assert!(Failures::from_parts(
            parts.kinds.to_vec(),
            vec![2, 4],
            parts.offsets.to_vec(),
            parts.items.to_vec()
        )
        .is_none());
    }

    #[test]
    fn order_is_by_score_then_candidate_order_and_skips_excluded() {
        let scores = vec![50.0, f64::NAN, 70.0, 50.0, 0.0];
        assert_eq!(order_by_score(&scores), vec![2, 0, 3, 4]);
    }
}
