//! Rank stability: perturb the weights many times and count how often each candidate
//! stays in the top k. A reviewer sees which recommendations survive a change of mind.

use serde::Serialize;

use super::{order_by_score, score, Normalized, RawTable};

/// SplitMix64: tiny, fast, and the same sequence on every platform for a seed.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [-1, 1).
    pub fn symmetric(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Sensitivity {
    pub draws: usize,
    pub seed: u64,
    /// Relative perturbation of each weight: 0.2 means ±20 %.
    pub spread: f64,
    pub top_k: usize,
    /// Share of draws in which each candidate ranked in the top k.
    pub p_top_k: Vec<f64>,
    /// Best and worst rank over the draws (1-based; 0 for excluded candidates).
    pub rank_min: Vec<u32>,
    pub rank_max: Vec<u32>,
}

/// Perturbed weights for one draw, renormalized to sum to 100.
pub fn perturb(weights: &[f64], spread: f64, rng: &mut SplitMix64) -> Vec<f64> {
    let raw: Vec<f64> = weights
        .iter()
        .map(|w| (w * (1.0 + spread * rng.symmetric())).max(0.0))
        .collect();
    let total: f64 = raw.iter().sum();
    if total <= 0.0 {
        return weights.to_vec();
    }
    raw.iter().map(|w| w * 100.0 / total).collect()
}

pub fn run(
    raw: &RawTable,
    norm: &Normalized,
    weights: &[f64],
    draws: usize,
    seed: u64,
    spread: f64,
    top_k: usize,
) -> Sensitivity {
    let n = raw.len();
    let mut rng = SplitMix64::new(seed);
    let mut in_top = vec![0u32; n];
    let mut rank_min = vec![0u32; n];
    let mut rank_max = vec![0u32; n];
    for _ in 0..draws {
        let w = perturb(weights, spread, &mut rng);
        let order = order_by_score(&score(raw, norm, &w));
        for (r, &i) in order.iter().enumerate() {
            let (i, rank) = (i as usize, r as u32 + 1);
            if r < top_k {
                in_top[i] += 1;
            }
            rank_min[i] = if rank_min[i] == 0 {
                rank
            } else {
                rank_min[i].min(rank)
            };
            rank_max[i] = rank_max[i].max(rank);
        }
    }
    Sensitivity {
        draws,
        seed,
        spread,
        top_k,
        p_top_k: in_top
            .iter()
            .map(|&c| {
                if draws == 0 {
                    0.0
                } else {
                    c as f64 / draws as f64
                }
            })
            .collect(),
        rank_min,
        rank_max,
    }
}

/// One candidate's rank stability, for the site panel: the same perturbed draws as
/// [`run`], but only this candidate's rank is counted (one pass over the scores per draw,
/// no sort), so it answers a click on a half-million grid in well under a second.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SiteStability {
    pub draws: usize,
    pub spread: f64,
    pub top_k: usize,
    pub p_top_k: f64,
    pub rank_min: u32,
    pub rank_max: u32,
}

#[allow(clippy::too_many_arguments)]
pub fn site(
    raw: &RawTable,
    norm: &Normalized,
    weights: &[f64],
    i: usize,
    draws: usize,
    seed: u64,
    spread: f64,
    top_k: usize,
) -> Option<SiteStability> {
    if raw.excluded(i) || draws == 0 {
        return None;
    }
    let mut rng = SplitMix64::new(seed);
    let (mut in_top, mut rank_min, mut rank_max) = (0usize, u32::MAX, 0u32);
    for _ in 0..draws {
        let w = perturb(weights, spread, &mut rng);
        let scores = score(raw, norm, &w);
        let mine = scores[i];
        // Ties go to the earlier candidate, as order_by_score breaks them.
        let rank = 1 + scores
            .iter()
            .enumerate()
            .filter(|&(j, &s)| s > mine || (s == mine && j < i))
            .count() as u32;
        in_top += usize::from(rank as usize <= top_k);
        rank_min = rank_min.min(rank);
        rank_max = rank_max.max(rank);
    }
    Some(SiteStability {
        draws,
        spread,
        top_k,
        p_top_k: in_top as f64 / draws as f64,
        rank_min,
        rank_max,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_repeats_for_a_seed_and_stays_in_range() {
        let mut a = SplitMix64::new(42);
        let mut b = SplitMix64::new(42);
        for _ in 0..1000 {
            let x = a.symmetric();
            assert_eq!(x, b.symmetric());
            assert!((-1.0..1.0).contains(&x));
        }
    }

    #[test]
    fn perturbed_weights_stay_within_the_spread_and_sum_to_100() {
        let mut rng = SplitMix64::new(7);
        let base = [40.0, 30.0, 30.0];
        for _ in 0..100 {
            let w = perturb(&base, 0.2, &mut rng);
            assert!((w.iter().sum::<f64>() - 100.0).abs() < 1e-9);
            for (wi, bi) in w.iter().zip(base) {
                // ±20 % before renormalizing moves a weight at most 1.2/0.8 = 1.5× either way.
                assert!(
                    *wi <= bi * 1.5 + 1e-9 && *wi >= bi / 1.5 - 1e-9,
                    "{wi} vs {bi}"
                );
            }
        }
    }
}
