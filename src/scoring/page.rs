//! One page of a ranking without ranking everything: a national grid has five million
//! candidates, and a request shows a hundred.
//!
//! [`page`] gives the same candidates, scores and ranks, in the same order, as
//! [`super::rank`] followed by a filter, a skip and a take: it selects the best
//! `offset + limit` instead of sorting, and counts each shown candidate's ranks in one pass.

use rayon::prelude::*;

use super::{score, Normalized, RawTable};

/// One shown candidate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Row {
    pub index: u32,
    pub score: f64,
    /// 1-based rank among every scored candidate, as `Ranking::region_rank`.
    pub region_rank: u32,
    /// 1-based rank among the scored candidates of its municipality.
    pub municipality_rank: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// Scored candidates that `keep` accepted.
    pub matched: usize,
    /// Candidates no constraint excluded.
    pub scored: usize,
    pub rows: Vec<Row>,
}

/// The sort key `order_by_score` uses: higher scores first, then candidate order.
fn key(score: f64, i: usize) -> (u64, u32) {
    (u64::MAX - score.max(0.0).to_bits(), i as u32)
}

/// The `limit` best scored candidates after skipping `offset`, among those `keep(i, score)`
/// accepts, under `weights`.
pub fn page(
    raw: &RawTable,
    norm: &Normalized,
    weights: &[f64],
    keep: &(dyn Fn(usize, f64) -> bool + Sync),
    offset: usize,
    limit: usize,
) -> Page {
    let scores = score(raw, norm, weights);
    let want = offset.saturating_add(limit);
    let (matched, best) = best_keys(&scores, want, None, keep);
    let shown: Vec<(u64, u32)> = best.into_iter().skip(offset).collect();
    let scored = scores.iter().filter(|s| !s.is_nan()).count();
    let (region, municipality) = ranks(raw, &scores, &shown);
    Page {
        matched,
        scored,
        rows: shown
            .iter()
            .zip(region.iter().zip(&municipality))
            .map(|(&(_, i), (&r, &m))| Row {
                index: i,
                score: scores[i as usize],
                region_rank: r,
                municipality_rank: m,
            })
            .collect(),
    }
}

/// The `want` smallest keys, sorted, among scored candidates after `after` that `keep`
/// accepts, and how many it accepted in all.
fn best_keys(
    scores: &[f64],
    want: usize,
    after: Option<(u64, u32)>,
    keep: &(dyn Fn(usize, f64) -> bool + Sync),
) -> (usize, Vec<(u64, u32)>) {
    // Each thread keeps its best `want` keys, trimming whenever it holds twice that many.
    let (matched, mut best) = scores
        .par_iter()
        .enumerate()
        .filter(|&(i, s)| !s.is_nan() && after.is_none_or(|a| key(*s, i) > a))
        .fold(
            || (0usize, Vec::new()),
            |(n, mut best), (i, &s)| {
                if !keep(i, s) {
                    return (n, best);
                }
                best.push(key(s, i));
                if best.len() >= want.saturating_mul(2).max(1024) {
                    trim(&mut best, want);
                }
                (n + 1, best)
            },
        )
        .reduce(
            || (0, Vec::new()),
            |(n1, mut a), (n2, b)| {
                a.extend(b);
                trim(&mut a, want);
                (n1 + n2, a)
            },
        );
    trim(&mut best, want);
    best.sort_unstable();
    (matched, best)
}

/// The scored candidates (not NaN) best first, as `order_by_score` lists them, selected a
/// batch at a time: growing a shortlist's areas reads the first few hundred of millions.
pub struct BestFirst<'a> {
    scores: &'a [f64],
    batch: Vec<(u64, u32)>,
    at: usize,
    size: usize,
    done: bool,
}

impl<'a> BestFirst<'a> {
    pub fn new(scores: &'a [f64]) -> Self {
        BestFirst {
            scores,
            batch: Vec::new(),
            at: 0,
            size: 4096,
            done: false,
        }
    }
}

impl Iterator for BestFirst<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        if self.at == self.batch.len() {
            if self.done {
                return None;
            }
            let after = self.batch.last().copied();
            let (left, batch) = best_keys(self.scores, self.size, after, &|_, _| true);
            self.done = left <= batch.len();
            self.batch = batch;
            self.at = 0;
            self.size = self.size.saturating_mul(8);
        }
        let &(_, i) = self.batch.get(self.at)?;
        self.at += 1;
        Some(i)
    }
}

/// The standing of candidates `of` among every scored candidate under `scores` (their
/// score and ranks, as `super::rank` gives them), in the order of `of`.
pub fn standing(raw: &RawTable, scores: &[f64], of: &[usize]) -> Vec<super::report::Standing> {
    let mut shown: Vec<(u64, u32)> = of
        .iter()
        .filter(|&&i| scores.get(i).is_some_and(|s| !s.is_nan()))
        .map(|&i| key(scores[i], i))
        .collect();
    shown.sort_unstable();
    shown.dedup();
    let (region, municipality) = ranks(raw, scores, &shown);
    of.iter()
        .map(|&i| {
            let s = scores.get(i).copied().unwrap_or(f64::NAN);
            let at = (!s.is_nan())
                .then(|| shown.binary_search(&key(s, i)).ok())
                .flatten();
            super::report::Standing {
                score: s,
                region_rank: at.map_or(0, |r| region[r]),
                municipality_rank: at.map_or(0, |r| municipality[r]),
            }
        })
        .collect()
}

/// Keeps the `n` smallest keys, in no order.
fn trim(keys: &mut Vec<(u64, u32)>, n: usize) {
    if keys.len() > n {
        if n > 0 {
            keys.select_nth_unstable(n - 1);
        }
        keys.truncate(n);
    }
}

/// The region and municipality ranks of `shown` (sorted keys): one plus the number of
/// scored candidates with a smaller key, overall and in the same municipality.
fn ranks(raw: &RawTable, scores: &[f64], shown: &[(u64, u32)]) -> (Vec<u32>, Vec<u32>) {
    let Some(&last) = shown.last() else {
        return (Vec::new(), Vec::new());
    };
    let municipality = |i: u32| raw.candidates[i as usize].municipality;
    // The shown rows of each municipality, in key order.
    let mut groups: Vec<(Option<u32>, Vec<usize>)> = Vec::new();
    for (row, &(_, i)) in shown.iter().enumerate() {
        let m = municipality(i);
        match groups.iter_mut().find(|(g, _)| *g == m) {
            Some((_, rows)) => rows.push(row),
            None => groups.push((m, vec![row])),
        }
    }
    let n = shown.len();
    // counts[..n + 1] by region, then one block of len + 1 per group: a candidate adds one
    // at the first row whose key exceeds its own, and prefix sums give each row's count.
    let width = n + 1 + groups.iter().map(|(_, r)| r.len() + 1).sum::<usize>();
    let counts = scores
        .par_iter()
        .enumerate()
        .filter(|&(i, s)| !s.is_nan() && key(*s, i) < last)
        .fold(
            || vec![0u32; width],
            |mut c, (i, &s)| {
                let k = key(s, i);
                c[shown.partition_point(|&r| r <= k)] += 1;
                let m = municipality(i as u32);
                let mut base = n + 1;
                for (g, rows) in &groups {
                    if *g == m {
                        c[base + rows.partition_point(|&r| shown[r] <= k)] += 1;
                        break;
                    }
                    base += rows.len() + 1;
                }
                c
            },
        )
        .reduce(
            || vec![0u32; width],
            |mut a, b| {
                a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                a
            },
        );
    let mut region = Vec::with_capacity(n);
    let mut sum = 0;
    for c in &counts[..n] {
        sum += c;
        region.push(sum + 1);
    }
    let mut by_municipality = vec![0u32; n];
    let mut base = n + 1;
    for (_, rows) in &groups {
        let mut sum = 0;
        for (j, &row) in rows.iter().enumerate() {
            sum += counts[base + j];
            by_municipality[row] = sum + 1;
        }
        base += rows.len() + 1;
    }
    (region, by_municipality)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_first_lists_what_a_full_sort_lists_across_batches() {
        // Ties, zeros and NaNs (excluded) over more than two batches.
        let scores: Vec<f64> = (0..60_000u32)
            .map(|i| match i % 11 {
                0 => f64::NAN,
                1 => 0.0,
                _ => f64::from(i.wrapping_mul(2_654_435_761) % 997) / 10.0,
            })
            .collect();
        let got: Vec<u32> = BestFirst::new(&scores).collect();
        assert_eq!(got, super::super::order_by_score(&scores));
        let none: Vec<u32> = BestFirst::new(&[f64::NAN, f64::NAN]).collect();
        assert!(none.is_empty());
    }
}
