//! `energistasjon size`: how big a station must be at a site and whether the grid nearby can
//! feed it, per year and scenario; or the bare queue from arrivals and service time.

use std::io::Write;

use super::i18n::Lang;
use super::progress::CliProgress;
use super::{CliError, Common};
use crate::config::{load_profile, load_scenario};
use crate::domain::queue;
use crate::domain::scenario::YEARS;
use crate::domain::sizing::Sizing;
use crate::scoring::criteria::traffic::thousands;
use crate::scoring::{sizing, ScoringContext};

/// Where to size.
pub enum Place {
    /// Longitude, latitude (WGS 84).
    At(f64, f64),
    /// A grid cell id (`g261625_6648875`), a parcel id (`p9_3`) or a candidate id from the
    /// region's candidates layer.
    Site(String),
}

pub struct SizeArgs {
    pub profile: String,
    pub place: Place,
    pub year: Option<i32>,
    pub scenario: String,
    pub json: bool,
}

/// `--at LON,LAT` in EPSG:25833, or a usage error naming `--at`.
pub(crate) fn lonlat_point(lon: f64, lat: f64) -> Result<[f64; 2], CliError> {
    if !(lon.is_finite() && lat.is_finite() && lon.abs() <= 180.0 && lat.abs() <= 90.0) {
        return Err(CliError::Usage(format!(
            "--at {lon},{lat} is not a position. Hint: give longitude,latitude in degrees, e.g. --at 10.8185,59.9005"
        )));
    }
    crate::ingest::crs::reproject_point(lon, lat, "EPSG:4326")
        .map(|(x, y)| [x, y])
        .map_err(|e| CliError::Usage(format!("--at {lon},{lat}: {e}")))
}

pub(crate) fn point_of(
    ctx: &ScoringContext,
    profile: &crate::domain::profile::Profile,
    place: &Place,
) -> Result<[f64; 2], CliError> {
    match place {
        Place::At(lon, lat) => lonlat_point(*lon, *lat),
        Place::Site(id) => {
            let grid = id
                .strip_prefix('g')
                .and_then(|r| r.split_once('_'))
                .and_then(|(x, y)| Some([x.parse::<f64>().ok()?, y.parse::<f64>().ok()?]));
            if let Some(p) = grid {
                return Ok(p);
            }
            let given = ctx
                .region
                .candidates
                .iter()
                .find(|c| &c.id == id)
                .and_then(|c| crate::scoring::candidates::measurement_point(&c.geometry));
            given
                .or_else(|| {
                    // A parcel id (p9_3), as the map, the shortlist and exports name them.
                    crate::scoring::candidates::parcels(ctx, profile, &Default::default())
                        .into_iter()
                        .find(|c| &c.id == id)
                        .map(|c| c.point)
                })
                .ok_or_else(|| {
                    CliError::Usage(format!(
                        "--site {id} is neither a grid cell (g<x>_<y>, as in a grid export), a parcel of the profile (p<n>, as on the map) nor a candidate in the region's candidates layer. Hint: use --at LON,LAT"
                    ))
                })
        }
    }
}

pub fn run(common: &Common, args: &SizeArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let profile = load_profile(&args.profile)?;
    let scenario = load_scenario(&args.scenario).map_err(|e| CliError::Usage(e.to_string()))?;
    let years: Vec<i32> = match args.year {
        Some(y) if scenario.years.contains_key(&y) => vec![y],
        Some(y) => {
            return Err(CliError::Usage(format!(
                "--year {y}: the scenario '{}' gives {}",
                scenario.id,
                YEARS.map(|y| y.to_string()).join(", ")
            )))
        }
        None => scenario.years.keys().copied().collect(),
    };
    let progress = CliProgress::new(common.lang);
    let (region, _) = common.load_usable(&progress)?;
    let ctx = ScoringContext::new(&region);
    let point = point_of(&ctx, &profile, &args.place)?;
    let report = sizing::report(&ctx, &profile, &scenario, &years, point)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &report).map_err(std::io::Error::from)?;
        writeln!(out)?;
        return Ok(());
    }
    let traffic = Some(if common.lang == Lang::En {
        report.traffic_en.clone()
    } else {
        report.traffic.clone()
    });
    write_text(
        common.lang,
        &profile.id,
        &scenario.name,
        traffic,
        &report.years,
        out,
    )?;
    Ok(())
}

fn write_text(
    lang: Lang,
    profile: &str,
    scenario: &str,
    traffic: Option<String>,
    sized: &[Sizing],
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let nb = lang == Lang::Nb;
    let Some(first) = sized.first() else {
        return Ok(());
    };
    writeln!(
        out,
        "{} {profile}, scenario «{scenario}» ({})",
        if nb {
            "Dimensjonering for"
        } else {
            "Sizing for"
        },
        if nb {
            "anslag fra modell, ikke målinger"
        } else {
            "model estimates, not measurements"
        },
    )?;
    if let Some(t) = traffic {
        writeln!(
            out,
            "{}: {t}",
            if nb { "Tungtrafikk" } else { "Heavy traffic" }
        )?;
    }
    let gap = first
        .gap_km
        .map(|g| format!("{g:.1} km"))
        .unwrap_or_else(|| {
            if nb {
                "ingen i dataene".into()
            } else {
                "none in the data".into()
            }
        });
    writeln!(
        out,
        "{}: {gap} → {} {:.0} %",
        if nb {
            "Avstand til nærmeste stasjon av samme slag"
        } else {
            "Distance to the nearest station of the kind"
        },
        if nb { "fangstandel" } else { "capture rate" },
        first.capture_rate * 100.0
    )?;
    writeln!(
        out,
        "{}: {:.0} % {} {:.0} min; {:.0} {}\n",
        if nb { "Servicenivå" } else { "Service level" },
        first.max_wait_probability * 100.0,
        if nb {
            "venter mer enn"
        } else {
            "wait longer than"
        },
        first.max_wait_minutes,
        first.service_minutes,
        if nb { "min per stopp" } else { "min per stop" },
    )?;
    writeln!(
        out,
        "{:>4}  {:>6}  {:>9}  {:>9}  {:>8}  {:>6}  {:>9}  {:>6}  {:>8}  {}",
        if nb { "år" } else { "year" },
        if nb { "ZE-del" } else { "ZE" },
        if nb { "ZE/døgn" } else { "ZE/day" },
        if nb { "stopp" } else { "stops" },
        if nb { "topptime" } else { "peak h" },
        if nb { "ladere" } else { "chrgrs" },
        "P(vent)",
        "MW",
        if nb { "areal m²" } else { "area m²" },
        if nb { "nett" } else { "grid" },
    )?;
    for s in sized {
        let (grid_nb, grid_en) = s.grid.describe();
        let grid = if nb { grid_nb } else { grid_en };
        writeln!(
            out,
            "{:>4}  {:>5.1}%  {:>9.1}  {:>9.1}  {:>8.2}  {:>6}  {:>9.4}  {:>6.2}  {:>8}  {grid}",
            s.year,
            s.ze_share * 100.0,
            s.ze_trucks_per_day,
            s.stops_per_day,
            s.arrivals_peak_hour,
            s.chargers,
            s.queue.p_wait_longer,
            s.peak_mw,
            thousands(s.area_m2),
        )?;
        if let (Some(kg), Some(storage), Some(tier)) =
            (s.kg_per_day, s.storage_kg, s.major_accident_tier)
        {
            writeln!(
                out,
                "      {kg:.0} kg/{} , {} {storage:.0} kg: {}",
                if nb { "døgn" } else { "day" },
                if nb { "lager" } else { "storage" },
                match (tier, nb) {
                    ("upper_tier", true) => "over 50 t: storulykkevirksomhet, øvre terskel",
                    ("upper_tier", false) => "over 50 t: major-accident establishment, upper tier",
                    ("lower_tier", true) => "over 5 t: storulykkevirksomhet, nedre terskel",
                    ("lower_tier", false) => "over 5 t: major-accident establishment, lower tier",
                    (_, true) => "under storulykkeforskriftens 5 t",
                    (_, false) => "below the major-accident regulations' 5 t",
                }
            )?;
        } else if let Some(kg) = s.kg_per_day {
            writeln!(out, "      {kg:.0} kg/{}", if nb { "døgn" } else { "day" })?;
        }
    }
    Ok(())
}

/// The bare queue: chargers for given arrivals and service time.
pub fn queue(
    arrivals_per_hour: f64,
    service_minutes: f64,
    max_wait_minutes: f64,
    max_wait_probability: f64,
    json: bool,
    lang: Lang,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let q = queue::size(
        arrivals_per_hour,
        service_minutes,
        max_wait_minutes,
        max_wait_probability,
    )
    .map_err(|e| CliError::Usage(format!("{e}. Hint: see energistasjon size --help")))?;
    if json {
        serde_json::to_writer_pretty(&mut *out, &q).map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else {
        let nb = lang == Lang::Nb;
        writeln!(
            out,
            "{} {}: {:.3} Erlang, {} {:.3}, Erlang C {:.6}, P({} > {max_wait_minutes} min) {:.6}, {} {:.2} min",
            q.chargers,
            if nb { "ladere" } else { "chargers" },
            q.load_erlangs,
            if nb { "utnyttelse" } else { "utilisation" },
            q.utilisation,
            q.erlang_c,
            if nb { "vent" } else { "wait" },
            q.p_wait_longer,
            if nb { "snittventetid" } else { "mean wait" },
            q.mean_wait_minutes
        )?;
    }
    Ok(())
}
