//! `energistasjon corridors` (the AFIR gap analysis per corridor and rule year) and
//! `energistasjon select` (the candidates that close the gaps or cover the most traffic).

use std::io::Write;

use super::i18n::{Lang, Msg};
use super::progress::{CliProgress, Steps};
use super::{truncate, CliError, Common};
use crate::catalog::planned::{self, Sets};
use crate::config::load_profile;
use crate::domain::afir::{Fuel, Rules};
use crate::domain::layers::StationKind;
use crate::domain::Region;
use crate::network::coverage::{analyse, Options, Planned, Report};
use crate::network::select::{self, Objective, Selection};
use crate::network::Network;
use crate::scoring::{candidates, AreaFilter, ScoringContext};
use crate::store::{Proposal, SiteState};

#[derive(Debug, Clone)]
pub struct CorridorsArgs {
    pub year: u16,
    pub assume: Vec<String>,
    pub ignore_power: bool,
    pub json: bool,
    pub db: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SelectArgs {
    pub profile: String,
    pub k: usize,
    pub objective: Objective,
    pub year: u16,
    pub grid: Option<f64>,
    pub grid_municipalities: Vec<String>,
    pub min_score: f64,
    pub min_spacing_km: f64,
    pub radius_km: Option<f64>,
    pub assume: Vec<String>,
    pub ignore_power: bool,
    pub json: bool,
    pub db: Option<String>,
}

fn rules() -> Result<Rules, CliError> {
    Rules::builtin().map_err(|e| CliError::Unusable(e.to_string()))
}

fn check_year(rules: &Rules, year: u16) -> Result<(), CliError> {
    if rules.years().contains(&year) {
        return Ok(());
    }
    let years: Vec<String> = rules.years().iter().map(|y| y.to_string()).collect();
    Err(CliError::Usage(format!(
        "--year {year} has no AFIR rules; use one of {}",
        years.join(", ")
    )))
}

/// The network of a loaded region, or a message saying how to get one.
fn network<'c>(ctx: &'c ScoringContext, region: &Region) -> Result<&'c Network, CliError> {
    if region.corridors.is_none() {
        return Err(CliError::Usage(
            "the region config names no corridors file. Hint: add `corridors = \"corridors.toml\"` under [region]; data/presets/n1000/corridors.toml is an example".into(),
        ));
    }
    let n = ctx
        .network
        .as_deref()
        .ok_or_else(|| CliError::Unusable("the road network could not be built".into()))?;
    if !n.problems.is_empty() {
        let list: Vec<String> = n.problems.iter().map(|p| p.to_string()).collect();
        return Err(CliError::Unusable(list.join("\n")));
    }
    Ok(n)
}

/// Approved and built sites and proposals from the review store, when it exists.
pub(crate) fn review(db: &Option<String>) -> Result<(Vec<SiteState>, Vec<Proposal>), CliError> {
    match db {
        Some(db) if db.starts_with("postgres") || std::path::Path::new(db).is_file() => {
            let store = super::user::open_store(db)?;
            let err = |e: crate::store::StoreError| CliError::Unusable(e.to_string());
            Ok((
                store.sites().map_err(err)?,
                store.proposals(None).map_err(err)?,
            ))
        }
        _ => Ok((Vec::new(), Vec::new())),
    }
}

/// Parcels of every profile, unmeasured: enough to find where a candidate id lies.
pub(crate) fn parcel_sets(ctx: &ScoringContext) -> Vec<(Vec<candidates::Candidate>, StationKind)> {
    crate::config::profile_names()
        .iter()
        .filter_map(|name| load_profile(name).ok())
        .map(|p| {
            (
                candidates::parcels(ctx, &p, &AreaFilter::default()),
                p.station_kind,
            )
        })
        .collect()
}

fn planned(
    ctx: &ScoringContext,
    assume: &[String],
    kind: StationKind,
    db: &Option<String>,
    extra: Sets,
) -> Result<Vec<Planned>, CliError> {
    let owned = parcel_sets(ctx);
    let mut sets: Sets = owned.iter().map(|(c, k)| (c.as_slice(), *k)).collect();
    sets.extend(extra);
    let (sites, proposals) = review(db)?;
    let mut out = planned::from_review(&sites, &sets, &proposals);
    let assumed = planned::assumed(assume, kind, &sets, &proposals).map_err(|unknown| {
        CliError::Usage(format!(
            "--assume: no candidate {}. Hint: use ids from `score` or `export` (grid cells are g<x>_<y>), or proposal ids",
            unknown.join(", ")
        ))
    })?;
    out.extend(assumed);
    Ok(out)
}

/// The region, refused when a required layer cannot be used.
fn load(common: &Common) -> Result<Region, CliError> {
    common
        .load_usable(&CliProgress::new(common.lang))
        .map(|(region, _)| region)
}

pub fn run(common: &Common, args: &CorridorsArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let lang = common.lang;
    let rules = rules()?;
    check_year(&rules, args.year)?;
    let region = load(common)?;
    let steps = Steps::new(lang);
    let ctx = steps.spin(lang.t(Msg::BuildingIndexes), || {
        ScoringContext::new(&region)
    });
    let n = network(&ctx, &region)?;
    let planned = planned(
        &ctx,
        &args.assume,
        StationKind::Charging,
        &args.db,
        Vec::new(),
    )?;
    let r = analyse(
        n,
        &region,
        &rules,
        args.year,
        &planned,
        Options {
            ignore_power: args.ignore_power,
        },
    );
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &r).map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else {
        write_report(&r, &region.name, lang, out)?;
    }
    Ok(())
}

fn yes_no(pass: bool, lang: Lang) -> &'static str {
    match (pass, lang) {
        (true, Lang::Nb) => "oppfylt",
        (false, Lang::Nb) => "IKKE OPPFYLT",
        (true, Lang::En) => "pass",
        (false, Lang::En) => "FAIL",
    }
}

pub fn write_report(
    r: &Report,
    region: &str,
    lang: Lang,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let nb = lang == Lang::Nb;
    writeln!(
        out,
        "AFIR {} — {region}{}",
        r.year,
        if r.ignore_power {
            if nb {
                " (effektkrav ignorert)"
            } else {
                " (power requirements ignored)"
            }
        } else {
            ""
        }
    )?;
    writeln!(
        out,
        "{:<28} {:<13} {:>8}  {:<9} {:<8} {:>9} {:>7}  {}",
        if nb { "korridor" } else { "corridor" },
        "TEN-T",
        "km",
        if nb { "regel" } else { "rule" },
        if nb { "drivstoff" } else { "fuel" },
        if nb { "stasjoner" } else { "stations" },
        if nb { "dekket" } else { "covered" },
        if nb { "resultat" } else { "result" },
    )?;
    for c in &r.corridors {
        for k in &c.checks {
            writeln!(
                out,
                "{:<28} {:<13} {:>8.1}  {:<9} {:<8} {:>9} {:>6.0} %  {}",
                truncate(&c.name, 28),
                c.tent.to_string(),
                c.length_km,
                k.rule,
                k.fuel.to_string(),
                k.stations.len(),
                k.share_covered * 100.0,
                yes_no(k.pass, lang)
            )?;
            if k.rests_on_ends {
                writeln!(
                    out,
                    "    {}",
                    if nb {
                        "ingen stasjon telt: oppfylt bare fordi korridorendene regnes som betjent"
                    } else {
                        "no station counted: passes only because the corridor ends count as served"
                    }
                )?;
            }
            for g in &k.gaps {
                writeln!(
                    out,
                    "    gap km {:.1}–{:.1}: {:.1} km ({:.1} km {} {:.0} km){}",
                    g.from_km,
                    g.to_km,
                    g.length_km,
                    g.excess_km,
                    if nb { "over" } else { "beyond" },
                    k.max_spacing_km,
                    if g.open_end {
                        if nb {
                            ", ved korridorende"
                        } else {
                            ", at a corridor end"
                        }
                    } else {
                        ""
                    }
                )?;
            }
            for s in &k.not_counted {
                writeln!(
                    out,
                    "    {} {}: {}",
                    if nb { "teller ikke:" } else { "not counted:" },
                    s.name.as_deref().unwrap_or(&s.id),
                    in_lang(&s.reason, nb)
                )?;
            }
        }
    }
    for u in &r.urban_nodes {
        writeln!(
            out,
            "{} {} ({}), {}: {} — {}",
            if nb { "Bynode" } else { "Urban node" },
            u.name,
            u.kommunenummer,
            u.fuel,
            if u.stations.is_empty() {
                "-".to_string()
            } else {
                u.stations.join(", ")
            },
            yes_no(u.pass, lang)
        )?;
    }
    for p in &r.problems {
        writeln!(out, "Problem: {p}")?;
    }
    writeln!(
        out,
        "{}:",
        if nb { "Forutsetninger" } else { "Assumptions" }
    )?;
    for a in &r.assumptions {
        writeln!(out, "  - {}", in_lang(a, nb))?;
    }
    Ok(())
}

/// The bokmål or English half of a "bokmål / English" text.
fn in_lang(text: &str, nb: bool) -> &str {
    match text.split_once(" / ") {
        Some((no, en)) => {
            if nb {
                no
            } else {
                en
            }
        }
        None => text,
    }
}

pub fn fuel_of(kind: StationKind, profile: &str) -> Result<Fuel, CliError> {
    Fuel::of(kind).ok_or_else(|| {
        CliError::Usage(format!(
            "profile '{profile}' is for biogas, which AFIR sets no spacing for. Hint: use --objective cover-traffic, or a charging or hydrogen profile"
        ))
    })
}

pub fn run_select(common: &Common, args: &SelectArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let lang = common.lang;
    let rules = rules()?;
    check_year(&rules, args.year)?;
    let profile = load_profile(&args.profile)?;
    let fuel = match (fuel_of(profile.station_kind, &profile.id), args.objective) {
        (Ok(f), _) => f,
        (Err(_), Objective::CoverTraffic) => Fuel::Electric,
        (Err(e), Objective::CloseGaps) => return Err(e),
    };
    if !(args.min_score.is_finite() && (0.0..=100.0).contains(&args.min_score)) {
        return Err(CliError::Usage(
            "--min-score is a score from 0 to 100".into(),
        ));
    }
    let region = load(common)?;
    let steps = Steps::new(lang);
    let ctx = steps.spin(lang.t(Msg::BuildingIndexes), || {
        ScoringContext::new(&region)
    });
    let n = network(&ctx, &region)?;
    let scored = super::shortlist::scored_set(
        &ctx,
        &profile,
        args.grid,
        &args.grid_municipalities,
        lang,
        &steps,
    )?;
    let scored = &scored;
    let extra: Sets = vec![(scored.raw.candidates.as_slice(), profile.station_kind)];
    let planned = planned(&ctx, &args.assume, profile.station_kind, &args.db, extra)?;
    // Site areas are the unit: one candidate per area, its best.
    let bests = crate::catalog::sites::area_bests(scored, args.min_score);
    let eligible: Vec<select::Candidate> = bests
        .iter()
        .map(|&i| select::Candidate {
            id: scored.raw.candidates[i].id.clone(),
            point: scored.raw.candidates[i].point,
            score: scored.ranking.scores[i],
        })
        .collect();
    let o = select::Options {
        objective: args.objective,
        k: args.k,
        year: args.year,
        fuel,
        min_spacing_km: args.min_spacing_km,
        radius_km: args.radius_km,
        ignore_power: args.ignore_power,
    };
    let s = steps
        .spin(
            if lang == Lang::Nb {
                "Velger steder"
            } else {
                "Selecting sites"
            },
            || select::select(n, &region, &rules, &planned, eligible, &o),
        )
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let mut s = s;
    for p in &mut s.picks {
        let hit = bests
            .iter()
            .copied()
            .find(|&i| scored.raw.candidates[i].id == p.id);
        if let Some(i) = hit {
            let (area, name) = crate::catalog::sites::area_name(&ctx, scored, i);
            p.area = Some(area);
            p.name = Some(if lang == Lang::En {
                name.name_en
            } else {
                name.name
            });
        }
    }
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &s).map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else {
        write_selection(&s, &profile.id, args.min_score, lang, out)?;
    }
    Ok(())
}

fn write_selection(
    s: &Selection,
    profile: &str,
    min_score: f64,
    lang: Lang,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let nb = lang == Lang::Nb;
    writeln!(
        out,
        "{} {}, {} {profile}, AFIR {}, k = {}, {} {} {} ({} {min_score:.0}), {}",
        if nb { "Mål" } else { "Objective" },
        s.objective.name(),
        if nb { "profil" } else { "profile" },
        s.year,
        s.k,
        s.candidates_considered,
        if nb { "stedsområder" } else { "site areas" },
        if nb { "vurdert" } else { "considered" },
        if nb { "minstepoeng" } else { "minimum score" },
        s.method
    )?;
    writeln!(
        out,
        "{}: {:.1} → {:.1} ({})",
        if nb { "Målverdi" } else { "Objective value" },
        s.objective_before,
        s.objective_after,
        s.objective_unit
    )?;
    for p in &s.picks {
        let on: Vec<String> = p
            .corridors
            .iter()
            .map(|(c, km)| format!("{c} km {km:.1}"))
            .collect();
        let name = match &p.name {
            Some(n) => format!("{} ({})", truncate(n, 40), p.id),
            None => p.id.clone(),
        };
        writeln!(
            out,
            "{:>3}. {:<40} {} {:>5.1}  {} {:>8.1}  {}",
            p.order,
            name,
            if nb { "poeng" } else { "score" },
            p.score,
            if nb { "gevinst" } else { "gain" },
            p.gain,
            on.join("; ")
        )?;
    }
    if s.remaining_gaps.is_empty() && s.objective == Objective::CloseGaps {
        writeln!(
            out,
            "{}",
            if nb {
                "Ingen gap igjen over avstandskravet."
            } else {
                "No gap beyond the spacing is left."
            }
        )?;
    }
    for g in &s.remaining_gaps {
        writeln!(
            out,
            "{} {} km {:.1}–{:.1} ({:.1} km): {}",
            if nb { "Gap igjen:" } else { "Gap left:" },
            g.corridor,
            g.from_km,
            g.to_km,
            g.length_km,
            if nb { &g.reason } else { &g.reason_en }
        )?;
    }
    Ok(())
}
