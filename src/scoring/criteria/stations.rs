//! Distance to the nearest existing station of the profile's kind: far means a gap to fill.

use super::{metres, Measurement};
use crate::domain::layers::StationKind;
use crate::scoring::candidates::Candidate;
use crate::scoring::context::ScoringContext;

pub fn distance(ctx: &ScoringContext, kind: StationKind, c: &Candidate) -> Measurement {
    let subset = ctx.stations_of(kind);
    match subset.index.nearest(c.point) {
        Some((i, d)) => Measurement::of(d, Some(subset.original(i) as u32)),
        None => Measurement::missing(),
    }
}

pub fn explain(ctx: &ScoringContext, m: &Measurement) -> (String, String) {
    match m.feature() {
        Some(i) => {
            let s = &ctx.region.stations[i];
            let name = s.attrs.name.clone().unwrap_or_else(|| s.id.clone());
            (
                format!("{} til nærmeste stasjon ({name})", metres(m.raw)),
                format!("{} to the nearest station ({name})", metres(m.raw)),
            )
        }
        None => (
            "ingen eksisterende stasjon av denne typen i datagrunnlaget".into(),
            "no existing station of this kind in the data".into(),
        ),
    }
}
