//! One part of a feature, as the nearest-feature indexes store it: a line segment, or a point
//! as a segment of length zero. Shared by the R-tree (`parts.rs`) and the packed tree
//! (`packed.rs`), which depend on this module and never on each other's internals.

use rstar::{PointDistance, RTreeObject, AABB};

/// One segment (or point, when `a == b`) of feature `feature`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Part {
    pub a: [f64; 2],
    pub b: [f64; 2],
    pub feature: u32,
}

impl RTreeObject for Part {
    type Envelope = AABB<[f64; 2]>;
    fn envelope(&self) -> Self::Envelope {
        AABB::from_corners(self.a, self.b)
    }
}

impl PointDistance for Part {
    fn distance_2(&self, p: &[f64; 2]) -> f64 {
        segment_distance_2(self.a, self.b, *p)
    }
}

/// Squared distance from `p` to the segment `a`–`b`.
pub fn segment_distance_2(a: [f64; 2], b: [f64; 2], p: [f64; 2]) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (qx, qy) = (a[0] + t * dx - p[0], a[1] + t * dy - p[1]);
    qx * qx + qy * qy
}
