//! Distance to the nearest main road (E or R) and to any road. Ferries do not count.

use super::{metres, Measurement};
use crate::scoring::candidates::Candidate;
use crate::scoring::context::ScoringContext;

pub fn main_road_distance(ctx: &ScoringContext, c: &Candidate) -> Measurement {
    match ctx.main_roads.index.nearest(c.point) {
        Some((i, d)) => Measurement::of(d, Some(ctx.main_roads.original(i) as u32)),
        None => Measurement::missing(),
    }
}

pub fn road_distance(ctx: &ScoringContext, c: &Candidate) -> Measurement {
    match ctx.roads.index.nearest(c.point) {
        Some((i, d)) => Measurement::of(d, Some(ctx.roads.original(i) as u32)),
        None => Measurement::missing(),
    }
}

pub fn explain(ctx: &ScoringContext, m: &Measurement) -> (String, String) {
    match m.feature() {
        Some(i) => {
            let road = &ctx.region.roads[i].attrs;
            let name = road
                .reference()
                .or_else(|| road.name.clone())
                .unwrap_or_else(|| format!("veg ({})", road.category.code()));
            (
                format!("{} til {name}", metres(m.raw)),
                format!("{} to {name}", metres(m.raw)),
            )
        }
        None => (
            "ingen veg i datagrunnlaget".into(),
            "no road in the data".into(),
        ),
    }
}
