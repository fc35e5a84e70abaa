//! `energistasjon synergies`: the freight terminals, ports, logistics hubs and approved sites
//! within 15 and 30 minutes' drive of a site, with drive times and the synergy figure.

use std::io::Write;

use super::i18n::{Lang, Msg};
use super::progress::{CliProgress, Steps};
use super::size::{lonlat_point, Place};
use super::{truncate, CliError, Common};
use crate::catalog::planned::{self, Sets};
use crate::domain::corridor::NetworkSettings;
use crate::domain::review::Status;
use crate::network::synergy::{self, Facility, Reached, Synergies};
use crate::scoring::candidates::measurement_point;
use crate::scoring::ScoringContext;

pub struct SynergiesArgs {
    pub place: Place,
    pub json: bool,
    /// The review store, for the approved sites; none is read when the file is missing.
    pub db: Option<String>,
}

/// A grid cell id (`g261625_6648875`) names its centre.
fn grid_cell(id: &str) -> Option<[f64; 2]> {
    let (x, y) = id.strip_prefix('g')?.split_once('_')?;
    Some([x.parse().ok()?, y.parse().ok()?])
}

pub fn run(common: &Common, args: &SynergiesArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let lang = common.lang;
    // A bad --at is refused before the region loads.
    let at = match &args.place {
        Place::At(lon, lat) => Some(lonlat_point(*lon, *lat)?),
        Place::Site(_) => None,
    };
    let (region, _) = common.load_usable(&CliProgress::new(lang))?;
    let ctx = Steps::new(lang).spin(lang.t(Msg::BuildingIndexes), || {
        ScoringContext::new(&region)
    });
    let (sites, proposals) = super::corridors::review(&args.db)?;
    let site_id = match &args.place {
        Place::Site(id) => Some(id.as_str()),
        Place::At(..) => None,
    };
    let given = |id: &str| {
        grid_cell(id).or_else(|| {
            region
                .candidates
                .iter()
                .find(|c| c.id == id)
                .and_then(|c| measurement_point(&c.geometry))
        })
    };
    // Parcels of every profile are made only when an id must be looked up among them.
    let approved = sites
        .iter()
        .any(|s| matches!(s.status, Status::Approved | Status::Built));
    let needs_parcels = site_id.is_some_and(|id| given(id).is_none()) || approved;
    let owned = if needs_parcels {
        super::corridors::parcel_sets(&ctx)
    } else {
        Vec::new()
    };
    let sets: Sets = owned.iter().map(|(c, k)| (c.as_slice(), *k)).collect();
    let point = match (at, site_id) {
        (Some(p), _) => p,
        (None, Some(id)) => given(id)
            .or_else(|| planned::locate(id, &sets, &proposals).map(|(p, _)| p))
            .ok_or_else(|| {
                CliError::Usage(format!(
                    "--site {id} is neither a grid cell (g<x>_<y>, as in a grid export), a parcel (p<n>, as on the map), a proposal nor a candidate in the region's candidates layer. Hint: use --at LON,LAT"
                ))
            })?,
        (None, None) => return Err(CliError::Usage("synergies needs --at LON,LAT or --site ID".into())),
    };
    let mut facilities = synergy::facilities_of(&region);
    facilities.extend(
        planned::from_review(&sites, &sets, &proposals)
            .into_iter()
            .filter(|p| Some(p.id.as_str()) != site_id)
            .map(|p| Facility::approved_site(&p.id, p.name.as_deref(), p.point)),
    );
    // Without a corridors file there is no network in the context: build the graph alone.
    let built;
    let (graph, snaps, max_snap_m) = match ctx.network.as_deref() {
        Some(n) => (&n.graph, n.snaps(), n.settings.point_snap_m),
        None => {
            built = synergy::graph_for(&region);
            (&built.0, &built.1, NetworkSettings::default().point_snap_m)
        }
    };
    let result = synergy::synergies(graph, snaps, point, &facilities, max_snap_m);
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &result).map_err(std::io::Error::from)?;
        writeln!(out)?;
        return Ok(());
    }
    write_text(&result, point, max_snap_m, lang, out)?;
    Ok(())
}

fn write_text(
    s: &Synergies,
    point: [f64; 2],
    max_snap_m: f64,
    lang: Lang,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let en = lang == Lang::En;
    writeln!(
        out,
        "{} (E {:.0}, N {:.0}, EPSG:25833)",
        if en {
            "Logistics synergies, drive time from the site"
        } else {
            "Logistikksynergier, kjøretid fra stedet"
        },
        point[0],
        point[1]
    )?;
    if !s.snapped {
        if en {
            writeln!(
                out,
                "The site lies more than {max_snap_m:.0} m from the nearest road: no drive times."
            )?;
        } else {
            writeln!(
                out,
                "Stedet ligger mer enn {max_snap_m:.0} m fra nærmeste veg: ingen kjøretider."
            )?;
        }
        return Ok(());
    }
    let bands = [
        (
            &s.within_15,
            if en {
                "Within 15 minutes"
            } else {
                "Innen 15 minutter"
            },
        ),
        (
            &s.within_30,
            if en {
                "Within 15–30 minutes"
            } else {
                "Innen 15–30 minutter"
            },
        ),
    ];
    for (list, title) in bands {
        writeln!(out, "\n{title}:")?;
        write_band(list, en, out)?;
    }
    writeln!(
        out,
        "\n{}: {:.1}",
        if en { "Synergy figure" } else { "Synergitall" },
        s.figure
    )?;
    writeln!(
        out,
        "  {}",
        if en {
            "(weight per kind: rail freight and port 3, logistics and air cargo 2, approved site 1; × 1 within 15 min, × 0.5 within 30 min)"
        } else {
            "(vekt per type: godsterminal og havn 3, logistikk og flyfrakt 2, godkjent stasjonsområde 1; × 1 innen 15 min, × 0,5 innen 30 min)"
        }
    )?;
    Ok(())
}

fn write_band(list: &[Reached], en: bool, out: &mut dyn Write) -> std::io::Result<()> {
    if list.is_empty() {
        writeln!(out, "  {}", if en { "(none)" } else { "(ingen)" })?;
        return Ok(());
    }
    writeln!(
        out,
        "  {:<24} {:<36} {:>5} {:>6}",
        if en { "kind" } else { "type" },
        if en { "name" } else { "navn" },
        "min",
        "km"
    )?;
    for r in list {
        let kind = if en {
            r.kind.label_en()
        } else {
            r.kind.label_nb()
        };
        writeln!(
            out,
            "  {:<24} {:<36} {:>5.1} {:>6.1}",
            kind,
            truncate(&r.name, 36),
            r.minutes,
            r.km
        )?;
    }
    Ok(())
}
