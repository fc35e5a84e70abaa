//! How big a station must be at a site, and whether the grid nearby can feed it: from heavy
//! traffic through a scenario's shares to arrivals in the peak hour, chargers by Erlang C,
//! peak power, land, and for fuels the kilograms a day. Every output is an estimate.

use serde::Serialize;

use super::queue::{self, Queue, QueueError};
use super::scenario::{Scenario, StationType};

/// Storulykkeforskriften (FOR-2016-06-03-835, vedlegg I del 2): hydrogen from 5 t is a
/// lower-tier and from 50 t an upper-tier establishment.
pub const HYDROGEN_LOWER_TIER_KG: f64 = 5_000.0;
pub const HYDROGEN_UPPER_TIER_KG: f64 = 50_000.0;

/// What a site offers the sizing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SiteDemand {
    /// Heavy vehicles a day passing on the site's road.
    pub heavy_aadt: f64,
    /// Kilometres to the nearest existing station of the type; infinite where there is none.
    pub gap_km: f64,
    /// Free capacity of the best substation within reach (MW); None where none is known.
    pub free_mw: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Grid {
    /// The best substation within reach has the peak power free.
    Feasible { free_mw: f64 },
    /// It lacks `more_mw`.
    Short { free_mw: f64, more_mw: f64 },
    /// No substation with known free capacity within reach.
    Unknown,
}

impl Grid {
    /// The verdict in words (bokmål, English), as a planner reads it.
    pub fn describe(&self) -> (String, String) {
        match self {
            Grid::Feasible { free_mw } => (
                format!("kan forsynes ({free_mw:.1} MW ledig)"),
                format!("grid-feasible ({free_mw:.1} MW free)"),
            ),
            Grid::Short { free_mw, more_mw } => (
                format!("trenger {more_mw:.1} MW mer enn beste nettstasjon har ledig ({free_mw:.1} MW ledig)"),
                format!("needs {more_mw:.1} MW more than the best substation has free ({free_mw:.1} MW free)"),
            ),
            Grid::Unknown => (
                "ukjent: ingen nettstasjon med kjent kapasitet innen rekkevidde".into(),
                "unknown: no substation with known capacity within reach".into(),
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sizing {
    pub year: i32,
    pub scenario: String,
    pub station: StationType,
    /// Always true: a sizing is a model's estimate, not a measurement.
    pub estimated: bool,
    pub heavy_aadt: f64,
    pub ze_share: f64,
    pub ze_trucks_per_day: f64,
    pub gap_km: Option<f64>,
    pub capture_rate: f64,
    pub stops_per_day: f64,
    pub peak_hour_share: f64,
    pub arrivals_peak_hour: f64,
    pub service_minutes: f64,
    pub max_wait_minutes: f64,
    pub max_wait_probability: f64,
    pub queue: Queue,
    pub chargers: u32,
    pub power_kw_each: f64,
    pub simultaneity: f64,
    pub peak_mw: f64,
    pub area_m2: f64,
    pub energy_kwh_per_day: Option<f64>,
    pub kg_per_day: Option<f64>,
    pub storage_kg: Option<f64>,
    /// For hydrogen: "below", "lower_tier" (≥ 5 t) or "upper_tier" (≥ 50 t).
    pub major_accident_tier: Option<&'static str>,
    pub grid: Grid,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SizingError {
    #[error("the scenario '{scenario}' has no year {year}; it gives {years}")]
    NoYear {
        scenario: String,
        year: i32,
        years: String,
    },
    #[error("the scenario '{scenario}' has no [station.{station}] table")]
    NoStation { scenario: String, station: String },
    #[error(transparent)]
    Queue(#[from] QueueError),
}

pub fn size(
    scenario: &Scenario,
    station: StationType,
    year: i32,
    site: SiteDemand,
) -> Result<Sizing, SizingError> {
    let shares = scenario
        .years
        .get(&year)
        .ok_or_else(|| SizingError::NoYear {
            scenario: scenario.id.clone(),
            year,
            years: scenario
                .years
                .keys()
                .map(i32::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        })?;
    let p = scenario
        .station(station)
        .ok_or_else(|| SizingError::NoStation {
            scenario: scenario.id.clone(),
            station: station.as_str().into(),
        })?;
    let ze_share = shares.share(station.fuel());
    let ze_trucks = site.heavy_aadt.max(0.0) * ze_share;
    let capture = p.capture_rate(site.gap_km);
    let stops = ze_trucks * capture;
    let peak_share = scenario.peak_hour_share.value;
    let arrivals = stops * peak_share;
    let power_kw = p.power_kw.value;
    let service = match (&p.energy_per_stop_kwh, &p.fill_min) {
        (Some(e), _) if station.charges() => e.value / power_kw * 60.0 + p.overhead_min.value,
        (_, Some(f)) => f.value + p.overhead_min.value,
        (Some(e), None) => e.value / power_kw * 60.0 + p.overhead_min.value,
        (None, None) => p.overhead_min.value.max(1.0),
    };
    let wait = scenario.max_wait_min.value;
    let prob = scenario.max_wait_probability.value;
    let q: Queue = queue::size(arrivals, service, wait, prob)?;
    let peak_mw = q.chargers as f64 * power_kw * p.simultaneity.value / 1000.0;
    let area = q.chargers as f64 * p.bay_m2.value + peak_mw * p.m2_per_mw.value;
    let kg_per_day = p.kg_per_stop.as_ref().map(|k| k.value * stops);
    let storage = match (station, &p.storage_days, kg_per_day) {
        (StationType::Hydrogen, Some(d), Some(kg)) => Some(kg * d.value),
        _ => None,
    };
    let tier = storage.map(|kg| {
        if kg >= HYDROGEN_UPPER_TIER_KG {
            "upper_tier"
        } else if kg >= HYDROGEN_LOWER_TIER_KG {
            "lower_tier"
        } else {
            "below"
        }
    });
    let grid = match site.free_mw {
        Some(free) if free >= peak_mw => Grid::Feasible { free_mw: free },
        Some(free) => Grid::Short {
            free_mw: free,
            more_mw: peak_mw - free,
        },
        None => Grid::Unknown,
    };
    Ok(Sizing {
        year,
        scenario: scenario.id.clone(),
        station,
        estimated: true,
        heavy_aadt: site.heavy_aadt,
        ze_share,
        ze_trucks_per_day: ze_trucks,
        gap_km: site.gap_km.is_finite().then_some(site.gap_km),
        capture_rate: capture,
        stops_per_day: stops,
        peak_hour_share: peak_share,
        arrivals_peak_hour: arrivals,
        service_minutes: service,
        max_wait_minutes: wait,
        max_wait_probability: prob,
        chargers: q.chargers,
        queue: q,
        power_kw_each: power_kw,
        simultaneity: p.simultaneity.value,
        peak_mw,
        area_m2: area,
        energy_kwh_per_day: p
            .energy_per_stop_kwh
            .as_ref()
            .filter(|_| station.charges())
            .map(|e| e.value * stops),
        kg_per_day,
        storage_kg: storage,
        major_accident_tier: tier,
        grid,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::scenario::parse_scenario;

    fn default() -> Scenario {
        parse_scenario(
            include_str!("../../data/scenarios/default.toml"),
            "default.toml",
        )
        .unwrap()
    }

    #[test]
    fn a_corridor_site_is_sized_step_by_step_as_worked_by_hand() {
        // 8 105 heavy vehicles a day (E6 Manglerud), 2030: 15 % battery → 1 215.75 trucks;
        // the next station 40 km away → 10 % stop → 121.575 stops; 10 % in the peak hour →
        // 12.1575 arrivals; 400 kWh at 1 MW = 24 min + 5 = 29 min.
        let s = size(
            &default(),
            StationType::Mcs,
            2030,
            SiteDemand {
                heavy_aadt: 8105.0,
                gap_km: 40.0,
                free_mw: Some(3.0),
            },
        )
        .unwrap();
        assert!((s.ze_trucks_per_day - 1215.75).abs() < 1e-9);
        assert!((s.stops_per_day - 121.575).abs() < 1e-9);
        assert!((s.arrivals_peak_hour - 12.1575).abs() < 1e-9);
        assert!((s.service_minutes - 29.0).abs() < 1e-9);
        // a = 12.1575 × 29 / 60 = 5.876 Erlangs; the fewest chargers meeting P(wait > 10) ≤ 5 %.
        let fewer =
            crate::domain::queue::with_servers(s.arrivals_peak_hour, 29.0, s.chargers - 1, 10.0);
        assert!(s.queue.p_wait_longer <= 0.05 && fewer.p_wait_longer > 0.05);
        assert!((s.peak_mw - s.chargers as f64 * 0.8).abs() < 1e-9);
        assert!((s.area_m2 - (s.chargers as f64 * 300.0 + s.peak_mw * 40.0)).abs() < 1e-9);
        assert!(matches!(s.grid, Grid::Short { .. }), "{:?}", s.grid);
        assert!(s.estimated);
    }

    #[test]
    fn hydrogen_storage_is_set_against_the_major_accident_thresholds() {
        let s = size(
            &default(),
            StationType::Hydrogen,
            2035,
            SiteDemand {
                heavy_aadt: 8000.0,
                gap_km: f64::INFINITY,
                free_mw: None,
            },
        )
        .unwrap();
        // 8 000 × 4 % × 30 % = 96 stops × 30 kg = 2 880 kg a day, 2 days stored = 5 760 kg.
        assert!((s.kg_per_day.unwrap() - 2880.0).abs() < 1e-9);
        assert!((s.storage_kg.unwrap() - 5760.0).abs() < 1e-9);
        assert_eq!(s.major_accident_tier, Some("lower_tier"));
        assert_eq!(s.grid, Grid::Unknown);
    }

    #[test]
    fn a_year_the_scenario_lacks_is_named() {
        let e = size(
            &default(),
            StationType::Mcs,
            2040,
            SiteDemand {
                heavy_aadt: 1.0,
                gap_km: 0.0,
                free_mw: None,
            },
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("no year 2040; it gives 2025, 2027, 2030, 2035"),
            "{e}"
        );
    }
}
