//! Logistics synergy: distance to the nearest freight terminal, port or logistics area.

use super::{metres, Measurement};
use crate::scoring::candidates::Candidate;
use crate::scoring::context::ScoringContext;

pub fn distance(ctx: &ScoringContext, c: &Candidate) -> Measurement {
    match ctx.terminals.nearest(c.point) {
        Some((i, d)) => Measurement::of(d, Some(i)),
        None => Measurement::missing(),
    }
}

pub fn explain(ctx: &ScoringContext, m: &Measurement) -> (String, String) {
    match m.feature() {
        Some(i) => {
            let t = &ctx.region.terminals[i];
            let name = t.attrs.name.clone().unwrap_or_else(|| t.id.clone());
            let kind = serde_json::to_value(t.attrs.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            (
                format!("{} til {name} ({kind})", metres(m.raw)),
                format!("{} to {name} ({kind})", metres(m.raw)),
            )
        }
        None => (
            "ingen terminal i datagrunnlaget".into(),
            "no terminal in the data".into(),
        ),
    }
}
