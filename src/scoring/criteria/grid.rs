//! Grid connection: the most free capacity at a substation within a radius, and the
//! distance to the nearest substation with free capacity.

use super::{metres, Measurement};
use crate::domain::profile::{Criterion, Measure, Profile};
use crate::scoring::candidates::Candidate;
use crate::scoring::context::ScoringContext;

/// Elvia and Statnett connect loads under about 5 MW without a queue within a few km.
pub const DEFAULT_RADIUS_M: f64 = 5000.0;

/// The substation with the most free capacity within `radius` of `point`: its index in the
/// region's grid layer and its free MW.
pub fn most_free(ctx: &ScoringContext, point: [f64; 2], radius: f64) -> Option<(u32, f64)> {
    ctx.grid
        .within(point, radius)
        .into_iter()
        .filter_map(|(i, _)| {
            ctx.region.grid[i as usize]
                .attrs
                .available_mw
                .map(|mw| (i, mw))
        })
        // Most MW; on a tie, the lowest id, so the answer never depends on index layout.
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
}

pub fn capacity(ctx: &ScoringContext, criterion: &Criterion, c: &Candidate) -> Measurement {
    let radius = criterion.radius_m.unwrap_or(DEFAULT_RADIUS_M);
    match most_free(ctx, c.point, radius) {
        Some((i, mw)) => Measurement::of(mw.max(0.0), Some(i)),
        None => Measurement::of(0.0, None),
    }
}

pub fn distance(ctx: &ScoringContext, c: &Candidate) -> Measurement {
    // Without capacity figures (OpenStreetMap), any substation counts.
    let hit = if ctx.grid_with_capacity.ids.is_empty() {
        ctx.grid.nearest(c.point)
    } else {
        ctx.grid_with_capacity
            .index
            .nearest(c.point)
            .map(|(i, d)| (ctx.grid_with_capacity.original(i) as u32, d))
    };
    match hit {
        Some((i, d)) => Measurement::of(d, Some(i)),
        None => Measurement::missing(),
    }
}

fn name(ctx: &ScoringContext, i: usize) -> String {
    ctx.region.grid[i]
        .attrs
        .name
        .clone()
        .unwrap_or_else(|| format!("stasjon {}", ctx.region.grid[i].id))
}

pub fn explain_capacity(
    ctx: &ScoringContext,
    criterion: &Criterion,
    m: &Measurement,
) -> (String, String) {
    let radius = metres(criterion.radius_m.unwrap_or(DEFAULT_RADIUS_M));
    match m.feature() {
        Some(i) => {
            let n = name(ctx, i);
            (
                format!("{:.1} MW ledig ved {n} (innen {radius})", m.raw),
                format!("{:.1} MW free at {n} (within {radius})", m.raw),
            )
        }
        None => (
            format!("ingen nettstasjon med kjent ledig kapasitet innen {radius}"),
            format!("no substation with known free capacity within {radius}"),
        ),
    }
}

pub fn explain_distance(ctx: &ScoringContext, m: &Measurement) -> (String, String) {
    match m.feature() {
        Some(i) => {
            let n = name(ctx, i);
            let mw = ctx.region.grid[i].attrs.available_mw;
            let cap = mw.map(|v| format!(", {v:.1} MW")).unwrap_or_default();
            (
                format!("{} til {n}{cap}", metres(m.raw)),
                format!("{} to {n}{cap}", metres(m.raw)),
            )
        }
        None => (
            "ingen nettstasjon i datagrunnlaget".into(),
            "no substation in the data".into(),
        ),
    }
}

/// Free MW beyond the station's 2030 peak power (default scenario) at the best substation
/// within the profile's grid radius; negative where the grid falls short. Missing where no
/// substation with known capacity is within reach.
pub fn headroom_2030(ctx: &ScoringContext, profile: &Profile, c: &Candidate) -> Measurement {
    let radius =
        crate::domain::measure_radius(profile, Measure::GridCapacity).unwrap_or(DEFAULT_RADIUS_M);
    let (Some((i, free)), Some(s)) = (
        most_free(ctx, c.point, radius),
        crate::scoring::sizing::in_2030(ctx, profile, c.point),
    ) else {
        return Measurement::missing();
    };
    Measurement {
        raw: free.max(0.0) - s.peak_mw,
        feature: i,
        estimated: true,
    }
}

pub fn explain_headroom(ctx: &ScoringContext, m: &Measurement) -> (String, String) {
    let Some(i) = m.feature() else {
        return (
            "ingen nettstasjon med kjent ledig kapasitet innen rekkevidde".into(),
            "no substation with known free capacity within reach".into(),
        );
    };
    let n = name(ctx, i);
    let free = ctx.region.grid[i]
        .attrs
        .available_mw
        .unwrap_or(0.0)
        .max(0.0);
    let peak = free - m.raw;
    if m.raw >= 0.0 {
        (
            format!("{free:.1} MW ledig ved {n}; stasjonen trenger anslagsvis {peak:.1} MW i 2030 → {:.1} MW til overs", m.raw),
            format!("{free:.1} MW free at {n}; the station needs an estimated {peak:.1} MW in 2030 → {:.1} MW to spare", m.raw),
        )
    } else {
        (
            format!("{free:.1} MW ledig ved {n}; stasjonen trenger anslagsvis {peak:.1} MW i 2030 → mangler {:.1} MW", -m.raw),
            format!("{free:.1} MW free at {n}; the station needs an estimated {peak:.1} MW in 2030 → {:.1} MW short", -m.raw),
        )
    }
}
