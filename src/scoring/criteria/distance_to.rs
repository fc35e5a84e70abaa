//! Distance to the nearest feature of any role, for criteria a profile adds itself.

use super::{metres, Measurement};
use crate::domain::Role;
use crate::scoring::candidates::Candidate;
use crate::scoring::context::ScoringContext;

pub fn distance(ctx: &ScoringContext, role: Role, c: &Candidate) -> Measurement {
    let hit = match role {
        Role::Roads => ctx
            .roads
            .index
            .nearest(c.point)
            .map(|(i, d)| (ctx.roads.original(i) as u32, d)),
        Role::Rail => ctx.rail.nearest(c.point),
        Role::Terminals => ctx.terminals.nearest(c.point),
        Role::Grid => ctx.grid.nearest(c.point),
        Role::Stations => ctx.all_stations.nearest(c.point),
        Role::Exclusion => ctx.exclusion.nearest(c.point),
        Role::Landuse => ctx.landuse.nearest(c.point),
        Role::Places => ctx.places.nearest(c.point),
        Role::Traffic => ctx.traffic.all.nearest(c.point),
        Role::Boundary | Role::Candidates => None,
    };
    match hit {
        Some((i, d)) => Measurement::of(d, Some(i)),
        None => Measurement::missing(),
    }
}

pub fn explain(role: Role, m: &Measurement) -> (String, String) {
    if m.raw.is_nan() {
        (
            format!("ingen {role} i datagrunnlaget"),
            format!("no {role} in the data"),
        )
    } else {
        (
            format!("{} til nærmeste {role}", metres(m.raw)),
            format!("{} to the nearest {role}", metres(m.raw)),
        )
    }
}
