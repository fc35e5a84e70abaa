//! Logistics synergy by road: the figure of `energistasjon synergies` for the site, from the
//! region's terminals only. Scoring many sites must not search the road graph once each, so
//! the drive times come from the context's [`Reach`](crate::network::synergy::Reach), built
//! once with one bounded search per terminal.

use super::{metres, Measurement};
use crate::network::synergy::{figure_of, NEAR_S};
use crate::scoring::candidates::Candidate;
use crate::scoring::context::ScoringContext;

/// Names listed in a reason; a hub such as Alnabru reaches many more.
const LISTED: usize = 4;

pub fn synergy(ctx: &ScoringContext, c: &Candidate) -> Measurement {
    let (graph, snaps, _) = ctx.roads();
    let reach = ctx.terminal_reach();
    match reach.drive_times(graph, snaps, c.point) {
        Some(d) => Measurement::of(figure_of(reach.facilities(), &d), None),
        None => Measurement::missing(),
    }
}

fn tenths(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

pub fn explain(ctx: &ScoringContext, c: &Candidate, m: &Measurement) -> (String, String) {
    let (graph, snaps, max_snap_m) = ctx.roads();
    let reach = ctx.terminal_reach();
    let fs = reach.facilities();
    if fs.is_empty() {
        return (
            "ingen terminal i datagrunnlaget".into(),
            "no terminal in the data".into(),
        );
    }
    let Some(drives) = reach.drive_times(graph, snaps, c.point) else {
        return (
            format!(
                "mer enn {} fra nærmeste veg: ingen kjøretider",
                metres(max_snap_m)
            ),
            format!(
                "more than {} from the nearest road: no drive times",
                metres(max_snap_m)
            ),
        );
    };
    // Nearest first, as `energistasjon synergies` lists them.
    let mut near: Vec<(f64, &str, usize)> = drives
        .iter()
        .filter(|d| d.1 <= NEAR_S)
        .map(|&(i, s)| (tenths(s / 60.0), fs[i].name.as_str(), i))
        .collect();
    near.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(b.1)).then(a.2.cmp(&b.2)));
    let outer = drives.len() - near.len();
    let list = near
        .iter()
        .take(LISTED)
        .map(|(min, name, _)| format!("{name} {min:.1} min"))
        .collect::<Vec<_>>()
        .join(", ");
    let more = near.len().saturating_sub(LISTED);
    let figure = if m.raw.is_finite() {
        m.raw
    } else {
        figure_of(fs, &drives)
    };
    let (near_nb, near_en) = match (near.len(), more) {
        (0, _) => (
            "ingen innen 15 min".to_string(),
            "none within 15 min".to_string(),
        ),
        (n, 0) => (
            format!("{n} innen 15 min: {list}"),
            format!("{n} within 15 min: {list}"),
        ),
        (n, k) => (
            format!("{n} innen 15 min: {list} og {k} til"),
            format!("{n} within 15 min: {list} and {k} more"),
        ),
    };
    (
        format!("{near_nb}; {outer} innen 15–30 min; synergitall {figure:.1}"),
        format!("{near_en}; {outer} within 15–30 min; synergy figure {figure:.1}"),
    )
}
