//! Driving distance from the nearest TEN-T corridor to the site, over the road graph. AFIR
//! art. 4 counts a pool for the corridor when it lies within 3 km driving of the exit.

use super::{metres, Measurement};
use crate::network::NetworkError;
use crate::scoring::candidates::Candidate;
use crate::scoring::context::ScoringContext;

pub fn access(ctx: &ScoringContext, c: &Candidate) -> Measurement {
    let Some(n) = &ctx.network else {
        return Measurement::missing();
    };
    match n.corridor_access(c.point, &c.id) {
        Ok(Some((d, ci))) => Measurement::of(d, Some(ci as u32)),
        _ => Measurement::missing(),
    }
}

pub fn explain(ctx: &ScoringContext, c: &Candidate, m: &Measurement) -> (String, String) {
    let Some(n) = &ctx.network else {
        return (
            "regionen har ingen korridorfil, så kjøreavstand til korridor er ikke målt".into(),
            "the region has no corridors file, so the driving distance to a corridor is not measured".into(),
        );
    };
    if let Some(ci) = m.feature() {
        let name = n.corridors.get(ci).map_or("?", |k| k.name.as_str());
        return (
            format!("{} kjøring fra {name}", metres(m.raw)),
            format!("{} driving from {name}", metres(m.raw)),
        );
    }
    match n.snap(c.point, &c.id) {
        Err(NetworkError::OffNetwork {
            distance_m,
            limit_m,
            ..
        }) => (
            format!(
                "{} fra nærmeste veg, over grensen på {}: ikke på vegnettet",
                metres(distance_m),
                metres(limit_m)
            ),
            format!(
                "{} from the nearest road, beyond the limit of {}: not on the road network",
                metres(distance_m),
                metres(limit_m)
            ),
        ),
        _ => (
            "ingen korridor kan nås på vegnettet herfra".into(),
            "no corridor can be reached on the road network from here".into(),
        ),
    }
}
