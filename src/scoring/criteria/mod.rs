//! One file per measured criterion. Each turns a candidate into a raw measurement with
//! its unit, and explains it in one line.

pub mod area;
pub mod corridor;
pub mod distance_to;
pub mod grid;
pub mod landuse;
pub mod logistics;
pub mod roads;
pub mod stations;
pub mod synergy;
pub mod traffic;

use crate::domain::profile::{Criterion, Measure, Profile};

use super::candidates::Candidate;
use super::context::ScoringContext;

/// A raw measurement: the value in the measure's unit (NaN when it cannot be measured),
/// the feature it came from (index in its layer), and whether an estimate stood in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measurement {
    pub raw: f64,
    pub feature: u32,
    pub estimated: bool,
}

pub const NO_FEATURE: u32 = u32::MAX;

impl Measurement {
    pub fn of(raw: f64, feature: Option<u32>) -> Self {
        Measurement {
            raw,
            feature: feature.unwrap_or(NO_FEATURE),
            estimated: false,
        }
    }

    pub fn missing() -> Self {
        Measurement::of(f64::NAN, None)
    }

    pub fn feature(&self) -> Option<usize> {
        (self.feature != NO_FEATURE).then_some(self.feature as usize)
    }
}

/// Measure one criterion for one candidate.
pub fn measure(
    ctx: &ScoringContext,
    profile: &Profile,
    criterion: &Criterion,
    c: &Candidate,
) -> Measurement {
    match criterion.measure {
        Measure::MainRoadDistance => roads::main_road_distance(ctx, c),
        Measure::RoadDistance => roads::road_distance(ctx, c),
        Measure::HeavyTraffic => traffic::heavy_traffic(ctx, criterion, c),
        Measure::GridCapacity => grid::capacity(ctx, criterion, c),
        Measure::GridDistance => grid::distance(ctx, c),
        Measure::StationDistance => stations::distance(ctx, profile.station_kind, c),
        Measure::LogisticsDistance => logistics::distance(ctx, c),
        Measure::LogisticsSynergy => synergy::synergy(ctx, c),
        Measure::LanduseSuitability => landuse::suitability(ctx, profile, c),
        Measure::Area => area::area(c),
        Measure::DistanceTo(role) => distance_to::distance(ctx, role, c),
        Measure::CorridorAccess => corridor::access(ctx, c),
        Measure::GridHeadroom2030 => grid::headroom_2030(ctx, profile, c),
    }
}

/// One line on what the measurement means, in bokmål and English.
pub fn explain(
    ctx: &ScoringContext,
    criterion: &Criterion,
    c: &Candidate,
    m: &Measurement,
) -> (String, String) {
    match criterion.measure {
        Measure::MainRoadDistance | Measure::RoadDistance => roads::explain(ctx, m),
        Measure::HeavyTraffic => traffic::explain(ctx, criterion, c, m),
        Measure::GridCapacity => grid::explain_capacity(ctx, criterion, m),
        Measure::GridDistance => grid::explain_distance(ctx, m),
        Measure::StationDistance => stations::explain(ctx, m),
        Measure::LogisticsDistance => logistics::explain(ctx, m),
        Measure::LogisticsSynergy => synergy::explain(ctx, c, m),
        Measure::LanduseSuitability => landuse::explain(c, m),
        Measure::Area => area::explain(m),
        Measure::DistanceTo(role) => distance_to::explain(role, m),
        Measure::CorridorAccess => corridor::explain(ctx, c, m),
        Measure::GridHeadroom2030 => grid::explain_headroom(ctx, m),
    }
}

/// Where a figure came from, for criteria whose data may be measured, counted or estimated.
pub fn provenance(
    ctx: &ScoringContext,
    criterion: &Criterion,
    c: &Candidate,
) -> Option<traffic::Provenance> {
    match criterion.measure {
        Measure::HeavyTraffic => traffic::provenance(ctx, criterion, c),
        _ => None,
    }
}

/// "1 234 m" / "1,2 km" for reasons.
pub fn metres(d: f64) -> String {
    if d >= 10_000.0 {
        format!("{:.0} km", d / 1000.0)
    } else if d >= 1000.0 {
        format!("{:.1} km", d / 1000.0)
    } else {
        format!("{d:.0} m")
    }
}
