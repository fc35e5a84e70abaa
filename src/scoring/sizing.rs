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
    let traffic = traffic::resolve_at(ctx, traffic_radius(profile), point);
    demand_with(ctx, profile, point, traffic.as_ref())
}

/// The radius the profile's heavy-traffic criterion looks within; the criterion's default for
/// a profile without one (depots size from the traffic passing all the same).
fn traffic_radius(profile: &Profile) -> f64 {
    radius(profile, Measure::HeavyTraffic, traffic::DEFAULT_RADIUS_M)
}

fn demand_with(
    ctx: &ScoringContext,
    profile: &Profile,
    point: [f64; 2],
    traffic: Option<&traffic::Resolved>,
) -> SiteDemand {
    let heavy = traffic.map(|r| r.heavy).unwrap_or(0.0);
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

/// A site's sizing for several years, with the traffic figure it starts from: what the
/// CLI's `size` and the API's `/api/sizing` answer.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SiteSizing {
    pub profile: String,
    pub scenario: String,
    pub scenario_name: String,
    /// The site in EPSG:25833.
    pub point_25833: [f64; 2],
    /// The heavy-traffic reason as the breakdown words it, in bokmål and English.
    pub traffic: String,
    pub traffic_en: String,
    pub years: Vec<Sizing>,
}

/// Size the profile's station type at `point` for each of `years`.
pub fn report(
    ctx: &ScoringContext,
    profile: &Profile,
    scenario: &Scenario,
    years: &[i32],
    point: [f64; 2],
) -> Result<SiteSizing, SizingError> {
    let radius = traffic_radius(profile);
    let resolved = traffic::resolve_at(ctx, radius, point);
    let site = demand_with(ctx, profile, point, resolved.as_ref());
    let sized = years
        .iter()
        .map(|&y| size(scenario, profile.sizing_station, y, site))
        .collect::<Result<_, _>>()?;
    // Worded even for a profile without a traffic criterion: the sizing starts from it.
    let (traffic, traffic_en) = traffic::words(ctx, radius, resolved.as_ref());
    Ok(SiteSizing {
        profile: profile.id.clone(),
        scenario: scenario.id.clone(),
        scenario_name: scenario.name.clone(),
        point_25833: point,
        traffic,
        traffic_en,
        years: sized,
    })
}

/// The shipped default scenario, parsed once; None only if the compiled-in file is invalid,
/// which a unit test rules out.
pub fn national_default() -> Option<&'static Scenario> {
    static S: std::sync::OnceLock<Option<Scenario>> = std::sync::OnceLock::new();
    S.get_or_init(|| {
        crate::domain::scenario::parse_scenario(
            crate::domain::scenario::DEFAULT_TOML,
            "data/scenarios/default.toml",
        )
        .ok()
    })
    .as_ref()
}

/// The profile's station at `point` in 2030 under the compiled-in default scenario: what
/// the grid rule (`[sizing] grid_2030`) and the checklist judge.
pub fn in_2030(ctx: &ScoringContext, profile: &Profile, point: [f64; 2]) -> Option<Sizing> {
    at(ctx, profile, national_default()?, 2030, point).ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_compiled_in_default_scenario_parses() {
        assert!(super::national_default().is_some());
    }
}
