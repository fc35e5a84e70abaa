//! Sizing at a site: the demand the region's data give (heavy traffic, the gap to the next
//! station, free grid capacity within reach), through `domain::sizing`.

use crate::domain::measure_radius;
use crate::domain::profile::{Measure, Profile};
use crate::domain::scenario::Scenario;
use crate::domain::sizing::{size, SiteDemand, Sizing, SizingError};

use super::context::ScoringContext;
use super::criteria::{grid, traffic};

/// The radius a profile's criterion of `measure` uses, or `default`.
fn radius(profile: &Profile, measure: Measure, default: f64) -> f64 {
    measure_radius(profile, measure).unwrap_or(default)
}

/// What the data say at `point` for a profile's station type.
pub fn demand(ctx: &ScoringContext, profile: &Profile, point: [f64; 2]) -> SiteDemand {
    let heavy = traffic::resolve_at(
        ctx,
        radius(profile, Measure::HeavyTraffic, traffic::DEFAULT_RADIUS_M),
        point,
    )
    .map(|r| r.heavy)
    .unwrap_or(0.0);
    let gap_km = ctx
        .stations_of(profile.station_kind)
        .index
        .nearest(point)
        .map(|(_, d)| d / 1000.0)
        .unwrap_or(f64::INFINITY);
    let free_mw = grid::most_free(
        ctx,
        point,
        radius(profile, Measure::GridCapacity, grid::DEFAULT_RADIUS_M),
    )
    .map(|(_, mw)| mw.max(0.0));
    SiteDemand {
        heavy_aadt: heavy,
        gap_km,
        free_mw,
    }
}

/// Size the profile's station type at `point` for `year`.
pub fn at(
    ctx: &ScoringContext,
    profile: &Profile,
    scenario: &Scenario,
    year: i32,
    point: [f64; 2],
) -> Result<Sizing, SizingError> {
    size(
        scenario,
        profile.sizing_station,
        year,
        demand(ctx, profile, point),
    )
}
