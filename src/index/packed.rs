//! A static, packed R-tree over parts, for the one hot path: the nearest part to each of
//! hundreds of thousands of grid points.
//!
//! Parts are sorted along a Hilbert curve and packed 16 to a node, level by level, into
//! flat arrays. A query may start from a known upper bound (the previous grid cell's
//! nearest part, a few hundred metres away): branch-and-bound then skips nearly the whole
//! tree. The `index` bench compares this with rstar's nearest-neighbour search; see the
//! README for the figures that made us keep it.

use super::segment::{segment_distance_2, Part};

const FANOUT: usize = 16;

#[derive(Debug, Clone)]
pub struct PackedTree {
    parts: Vec<Part>,
    /// Level 0 holds the bounding boxes of leaf groups of parts; each higher level groups
    /// FANOUT boxes of the level below. The last level has one box.
    levels: Vec<Vec<[f64; 4]>>,
}

fn bbox_of(p: &Part) -> [f64; 4] {
    [
        p.a[0].min(p.b[0]),
        p.a[1].min(p.b[1]),
        p.a[0].max(p.b[0]),
        p.a[1].max(p.b[1]),
    ]
}

/// `leaves`, then each level above it: FANOUT boxes of the level below merged into one,
/// up to a level of one box.
pub(crate) fn levels_over(leaves: Vec<[f64; 4]>) -> Vec<Vec<[f64; 4]>> {
    let mut levels = vec![leaves];
    while let Some(l) = levels.last().filter(|l| l.len() > 1) {
        let next = l
            .chunks(FANOUT)
            .map(|c| c.iter().copied().reduce(merge).unwrap_or([0.0; 4]))
            .collect();
        levels.push(next);
    }
    levels
}

pub(crate) fn merge(a: [f64; 4], b: [f64; 4]) -> [f64; 4] {
    [
        a[0].min(b[0]),
        a[1].min(b[1]),
        a[2].max(b[2]),
        a[3].max(b[3]),
    ]
}

fn min_dist_2(b: &[f64; 4], p: [f64; 2]) -> f64 {
    let dx = (b[0] - p[0]).max(0.0).max(p[0] - b[2]);
    let dy = (b[1] - p[1]).max(0.0).max(p[1] - b[3]);
    dx * dx + dy * dy
}

/// Position along a Hilbert curve on a 65 536 × 65 536 grid.
pub(crate) fn hilbert(x: u32, y: u32) -> u64 {
    let (mut x, mut y) = (x.min(0xFFFF), y.min(0xFFFF));
    let mut d: u64 = 0;
    let mut s: u32 = 1 << 15;
    while s > 0 {
        let rx = u32::from(x & s > 0);
        let ry = u32::from(y & s > 0);
        d += u64::from(s) * u64::from(s) * u64::from((3 * rx) ^ ry);
        if ry == 0 {
            if rx == 1 {
                x = 0xFFFF - x;
                y = 0xFFFF - y;
            }
            std::mem::swap(&mut x, &mut y);
        }
        s >>= 1;
    }
    d
}

impl PackedTree {
    pub fn new(mut parts: Vec<Part>) -> Self {
        if parts.is_empty() {
            return PackedTree {
                parts,
                levels: Vec::new(),
            };
        }
        let all = parts.iter().map(bbox_of).reduce(merge).unwrap_or([0.0; 4]);
        let (w, h) = ((all[2] - all[0]).max(1e-9), (all[3] - all[1]).max(1e-9));
        let key = |p: &Part| {
            let b = bbox_of(p);
            let cx = (((b[0] + b[2]) / 2.0 - all[0]) / w * 65535.0) as u32;
            let cy = (((b[1] + b[3]) / 2.0 - all[1]) / h * 65535.0) as u32;
            hilbert(cx, cy)
        };
        // The feature id breaks ties, so the layout never depends on the input order's luck.
        parts.sort_by_cached_key(|p| (key(p), p.feature));
        let leaves = parts
            .chunks(FANOUT)
            .map(|c| c.iter().map(bbox_of).reduce(merge).unwrap_or([0.0; 4]))
            .collect();
        PackedTree {
            parts,
            levels: levels_over(leaves),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// The part at `slot` (as returned by [`PackedTree::nearest`]).
    pub fn part(&self, slot: u32) -> &Part {
        &self.parts[slot as usize]
    }

    /// The nearest part's slot and squared distance. `hint` is a slot whose part is
    /// probably near (the previous query's answer); it only speeds the search up.
    pub fn nearest(&self, p: [f64; 2], hint: Option<u32>) -> Option<(u32, f64)> {
        if self.parts.is_empty() {
            return None;
        }
        // Without a hint, a greedy descent to the closest-looking leaf gives the bound.
        let start = hint
            .filter(|&h| (h as usize) < self.parts.len())
            .unwrap_or_else(|| self.greedy_leaf(p));
        let part = &self.parts[start as usize];
        let mut best = (start, segment_distance_2(part.a, part.b, p));
        let top = self.levels.len() - 1;
        self.search(top, 0, p, &mut best);
        (best.0 != u32::MAX).then_some(best)
    }

    /// The first part of the leaf reached by always stepping into the nearest child box.
    fn greedy_leaf(&self, p: [f64; 2]) -> u32 {
        let mut node = 0;
        for level in (1..self.levels.len()).rev() {
            let below = &self.levels[level - 1];
            let start = node * FANOUT;
            let end = (start + FANOUT).min(below.len());
            node = (start..end)
                .min_by(|&a, &b| min_dist_2(&below[a], p).total_cmp(&min_dist_2(&below[b], p)))
                .unwrap_or(start);
        }
        (node * FANOUT) as u32
    }

    fn search(&self, level: usize, node: usize, p: [f64; 2], best: &mut (u32, f64)) {
        if level == 0 {
            let start = node * FANOUT;
            let end = (start + FANOUT).min(self.parts.len());
            for (i, part) in self.parts[start..end].iter().enumerate() {
                let d = segment_distance_2(part.a, part.b, p);
                // Ties go to the lowest slot, so hints never change the answer.
                let slot = (start + i) as u32;
                if d < best.1 || (d == best.1 && slot < best.0) {
                    *best = (slot, d);
                }
            }
            return;
        }
        let below = &self.levels[level - 1];
        let start = node * FANOUT;
        let end = (start + FANOUT).min(below.len());
        // Children are visited in storage order, not sorted by distance: with a good
        // starting bound (the hint) sorting costs more than it prunes (see the index bench).
        for (child, bbox) in below[start..end].iter().enumerate() {
            if min_dist_2(bbox, p) <= best.1 {
                self.search(level - 1, start + child, p, best);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(a: [f64; 2], b: [f64; 2], feature: u32) -> Part {
        Part { a, b, feature }
    }

    #[test]
    fn nearest_matches_a_scan_with_and_without_a_hint() {
        let mut parts = Vec::new();
        let mut seed = 1u64;
        let mut rnd = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as f64 / (1u64 << 31) as f64 * 1000.0
        };
        for f in 0..500 {
            let a = [rnd(), rnd()];
            parts.push(part(a, [a[0] + rnd() / 20.0, a[1] + rnd() / 20.0], f));
        }
        let tree = PackedTree::new(parts.clone());
        let mut hint = None;
        for _ in 0..300 {
            let p = [rnd(), rnd()];
            let expected = parts
                .iter()
                .map(|q| segment_distance_2(q.a, q.b, p))
                .fold(f64::INFINITY, f64::min);
            let (slot, d) = tree.nearest(p, None).unwrap();
            assert_eq!(d, expected);
            assert_eq!(tree.nearest(p, hint).unwrap().1, expected);
            assert_eq!(
                tree.nearest(p, Some(7)).unwrap(),
                (slot, d),
                "a hint never changes the answer"
            );
            hint = Some(slot);
        }
    }

    #[test]
    fn an_empty_tree_has_no_nearest() {
        assert!(PackedTree::new(Vec::new())
            .nearest([0.0, 0.0], None)
            .is_none());
    }
}
