//! `energistasjon shortlist`: the best distinct, named site areas of a profile (the
//! "Locate" step), as a table and as GeoJSON, GeoPackage, CSV, FlatGeobuf or Shapefile.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use super::i18n::{Lang, Msg};
use super::progress::{CliProgress, Steps};
use super::{truncate, CliError, Common};
use crate::catalog::sites::{self, ShortlistResult, SiteQuery, SiteSummary};
use crate::catalog::{self, CandidateSet, GridSpec, Scored};
use crate::config::load_profile;
use crate::domain::profile::{with_weights, Profile};
use crate::export::{self, Field, FieldType, Value};
use crate::scoring::{AreaFilter, ScoringContext};

#[derive(Debug, Clone, Default)]
pub struct ShortlistArgs {
    pub profile: String,
    pub grid: Option<f64>,
    pub grid_municipalities: Vec<String>,
    pub k: Option<usize>,
    pub min_spacing_km: Option<f64>,
    pub min_area_ha: Option<f64>,
    pub max_per_municipality: Option<usize>,
    /// Only candidates in this municipality (kommunenummer).
    pub municipality: Option<String>,
    pub min_score: Option<f64>,
    pub weights: BTreeMap<String, f64>,
    pub out: Option<PathBuf>,
    pub force: bool,
    pub json: bool,
    /// The demand scenario the areas are sized under.
    pub scenario: String,
}

/// The query from the profile's defaults and the flags, refused before any loading.
pub fn query(profile: &Profile, a: &ShortlistArgs) -> Result<(Profile, SiteQuery), CliError> {
    let profile = if a.weights.is_empty() {
        profile.clone()
    } else {
        with_weights(profile, &a.weights).map_err(|m| CliError::Usage(format!("--weights: {m}")))?
    };
    let mut q = SiteQuery::defaults(&profile);
    if let Some(k) = a.k {
        if k == 0 {
            return Err(CliError::Usage("--k must be at least 1".into()));
        }
        q.rules.k = k;
    }
    if let Some(km) = a.min_spacing_km {
        if !(km.is_finite() && km >= 0.0) {
            return Err(CliError::Usage(format!(
                "--min-spacing-km must be a distance ≥ 0 km, not {km}"
            )));
        }
        q.rules.min_spacing_m = km * 1000.0;
    }
    if let Some(ha) = a.min_area_ha {
        if !(ha.is_finite() && ha >= 0.0) {
            return Err(CliError::Usage(format!(
                "--min-area-ha must be an area ≥ 0 ha, not {ha}"
            )));
        }
        q.rules.min_area_m2 = ha * 10_000.0;
    }
    if let Some(m) = a.max_per_municipality {
        if m == 0 {
            return Err(CliError::Usage(
                "--max-per-municipality must be at least 1".into(),
            ));
        }
        q.rules.max_per_municipality = Some(m);
    }
    if let Some(s) = a.min_score {
        if !(s.is_finite() && (0.0..=100.0).contains(&s)) {
            return Err(CliError::Usage(
                "--min-score is a score from 0 to 100".into(),
            ));
        }
    }
    q.min_score = a.min_score;
    q.kommunenummer = a.municipality.clone();
    Ok((profile, q))
}

/// Measure the profile's candidates (grid or parcels), refusing a set with nothing to rank.
pub fn scored_set(
    ctx: &ScoringContext,
    profile: &Profile,
    grid: Option<f64>,
    municipalities: &[String],
    lang: Lang,
    steps: &Steps,
) -> Result<Scored, CliError> {
    let spec = grid.map(|size| GridSpec {
        size,
        filter: AreaFilter::new(municipalities),
    });
    let set = if spec.is_some() {
        CandidateSet::Grid
    } else {
        CandidateSet::Parcels
    };
    let collection = steps
        .spin(lang.t(Msg::Measuring), || {
            catalog::candidates_collection(ctx, profile, set, spec.as_ref())
        })
        .map_err(|e| CliError::Unusable(e.to_string()))?;
    let scored = collection
        .scored_arc()
        .ok_or_else(|| CliError::Unusable("no candidates".into()))?;
    if let Some((nb, en)) = crate::scoring::report::why_empty(&scored.raw, spec.is_some()) {
        return Err(CliError::Unusable(if lang == Lang::En { en } else { nb }));
    }
    drop(collection);
    std::sync::Arc::try_unwrap(scored)
        .map_err(|_| CliError::Unusable("the candidate set is still in use".into()))
}

pub fn run(common: &Common, a: &ShortlistArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let lang = common.lang;
    let base = load_profile(&a.profile)?;
    let (profile, mut q) = query(&base, a)?;
    let format = match &a.out {
        Some(path) => Some(export::check_target(path, a.force)?),
        None => None,
    };
    let progress = CliProgress::new(lang);
    let (region, _) = common.load_usable(&progress)?;
    if let Some(k) = &q.kommunenummer {
        if !region.boundary.iter().any(|b| &b.attrs.number == k) {
            return Err(CliError::Usage(format!(
                "--municipality {k}: no municipality with that kommunenummer in the region"
            )));
        }
    }
    let steps = Steps::new(lang);
    let ctx = steps.spin(lang.t(Msg::BuildingIndexes), || {
        ScoringContext::new(&region)
    });
    // Measured with the profile's own thresholds; the weights only re-weigh.
    let scored = scored_set(&ctx, &base, a.grid, &a.grid_municipalities, lang, &steps)?;
    q.weights = profile.criteria.iter().map(|c| c.weight).collect();
    let mut result = steps.spin(
        if lang == Lang::Nb {
            "Danner stedsområder"
        } else {
            "Growing site areas"
        },
        || sites::run(&ctx, &scored, &q, &|_| true),
    );
    let scenario =
        crate::config::load_scenario(&a.scenario).map_err(|e| CliError::Usage(e.to_string()))?;
    sites::size_sites(&ctx, &scored, &scenario, &sites::SIZED_YEARS, &mut result)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    if result.sites.is_empty() {
        return Err(CliError::Unusable(if lang == Lang::En {
            format!("no site area of profile {} meets the filters (--municipality, --min-score); {} candidates were eligible", profile.id, result.eligible)
        } else {
            format!("ingen stedsområder for profilen {} oppfyller filtrene (--municipality, --min-score); {} kandidater var aktuelle", profile.id, result.eligible)
        }));
    }
    if a.json {
        let t =
            crate::ingest::crs::ToCrs84::new().map_err(|e| CliError::Unusable(e.to_string()))?;
        let body = sites::to_json(&result, &t).map_err(|e| CliError::Unusable(e.to_string()))?;
        serde_json::to_writer_pretty(&mut *out, &body).map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else {
        table(&result, &profile, a.grid, lang, out)?;
    }
    if let (Some(path), Some(format)) = (&a.out, format) {
        write_file(path, format, &result, &profile, lang)?;
        if !a.json {
            writeln!(
                out,
                "{} {} → {} ({}, EPSG:{})",
                lang.t(Msg::Wrote),
                result.sites.len(),
                path.display(),
                format.name(),
                format.epsg()
            )?;
        }
    }
    Ok(())
}

fn table(
    r: &ShortlistResult,
    profile: &Profile,
    grid: Option<f64>,
    lang: Lang,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let nb = lang == Lang::Nb;
    let set = match grid {
        Some(g) if nb => format!("{g} m rutenett"),
        Some(g) => format!("{g} m grid"),
        None if nb => "arealbruksflater".into(),
        None => "land-use parcels".into(),
    };
    let pname = if nb { &profile.name } else { &profile.name_en };
    writeln!(
        out,
        "{}: {pname} ({}), {set}",
        lang.t(Msg::Profile),
        profile.id
    )?;
    let rules = &r.rules;
    let per_m = rules
        .max_per_municipality
        .map(|m| {
            if nb {
                format!(", høyst {m} per kommune")
            } else {
                format!(", at most {m} per municipality")
            }
        })
        .unwrap_or_default();
    if nb {
        writeln!(
            out,
            "Regler: minst {} ha, minst {} km mellom områdene (rett linje, kant til kant){per_m}; et område vokser til høyst {} ha og {} poeng under sitt beste",
            rules.min_area_m2 / 1e4,
            rules.min_spacing_m / 1000.0,
            r.growth.max_area_m2 / 1e4,
            r.growth.max_score_drop
        )?;
        writeln!(
            out,
            "{} kandidater oppfyller begrensningene; {} områder vurdert for {} plasser",
            r.eligible, r.areas_considered, rules.k
        )?;
    } else {
        writeln!(
            out,
            "Rules: at least {} ha, at least {} km between areas (straight line, edge to edge){per_m}; an area grows to at most {} ha and {} points below its best",
            rules.min_area_m2 / 1e4,
            rules.min_spacing_m / 1000.0,
            r.growth.max_area_m2 / 1e4,
            r.growth.max_score_drop
        )?;
        writeln!(
            out,
            "{} candidates meet the constraints; {} areas considered for {} places",
            r.eligible, r.areas_considered, rules.k
        )?;
    }
    writeln!(out)?;
    let (h_area, h_mun, h_best, h_mean, h_cell) = if nb {
        ("stedsområde", "kommune", "beste", "snitt", "beste kandidat")
    } else {
        (
            "site area",
            "municipality",
            "best",
            "mean",
            "best candidate",
        )
    };
    let sized = r.sites.iter().any(|s| !s.sizing.is_empty());
    let size_head = if sized {
        let (ch, grid) = if nb {
            ("ladere", "nett 2030")
        } else {
            ("chargers", "grid 2030")
        };
        sites::SIZED_YEARS
            .iter()
            .map(|y| format!("  {ch} {y} {:>7}", format!("MW {y}")))
            .collect::<String>()
            + &format!("  {grid}")
    } else {
        String::new()
    };
    writeln!(
        out,
        "{:>3}  {:<46} {:<18} {:>6} {:>6} {:>6}  {h_cell:<16}{size_head}",
        "nr", h_area, h_mun, "ha", h_best, h_mean
    )?;
    for s in &r.sites {
        let n = if nb { &s.name.name } else { &s.name.name_en };
        let sizes: String = s
            .sizing
            .iter()
            .map(|z| {
                let w = if nb { 7 + 4 } else { 9 + 4 };
                format!("  {:>w$} {:>7.1}", z.chargers, z.peak_mw)
            })
            .collect::<String>()
            + &s.sizing
                .iter()
                .find(|z| z.year == 2030)
                .map(|z| format!("  {}", grid_text(&z.grid, lang)))
                .unwrap_or_default();
        writeln!(
            out,
            "{:>3}  {:<46} {:<18} {:>6.1} {:>6.1} {:>6.1}  {:<16}{sizes}",
            s.rank,
            truncate(n, 46),
            truncate(&s.kommunenavn.join(", "), 18),
            s.area_ha,
            s.best_score,
            s.mean_score,
            s.best_candidate
        )?;
    }
    if sized {
        writeln!(
            out,
            "{}",
            if nb {
                "Ladere og MW er anslag fra scenarioet (energistasjon size viser hvert steg); nett: ledig kapasitet ved beste nettstasjon innen profilens radius."
            } else {
                "Chargers and MW are the scenario's estimates (energistasjon size shows each step); grid: free capacity at the best substation within the profile's radius."
            }
        )?;
    }
    if r.short {
        writeln!(
            out,
            "{}",
            if nb {
                format!("Bare {} områder oppfyller reglene.", r.sites.len())
            } else {
                format!("Only {} areas meet the rules.", r.sites.len())
            }
        )?;
    }
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for p in &r.passed_over {
        let key = match p.why {
            crate::scoring::areas::Rejection::TooSmall { .. } => "small",
            crate::scoring::areas::Rejection::TooClose { .. } => "close",
            crate::scoring::areas::Rejection::MunicipalityFull { .. } => "municipality",
        };
        *counts.entry(key).or_default() += 1;
    }
    let total = r.areas_considered - r.sites.len();
    if total > 0 {
        writeln!(out)?;
        let c = |k: &str| counts.get(k).copied().unwrap_or(0);
        let listed = if total > r.passed_over.len() {
            if nb {
                format!(" (de første {} opptalt)", r.passed_over.len())
            } else {
                format!(" (the first {} counted)", r.passed_over.len())
            }
        } else {
            String::new()
        };
        if nb {
            writeln!(
                out,
                "Forbigått: {total} områder{listed}: {} for nær et valgt område, {} for små, {} i en full kommune",
                c("close"), c("small"), c("municipality")
            )?;
        } else {
            writeln!(
                out,
                "Passed over: {total} areas{listed}: {} too close to a pick, {} too small, {} in a full municipality",
                c("close"), c("small"), c("municipality")
            )?;
        }
    }
    Ok(())
}

/// "ok (63 MW ledig)", "mangler 2.1 MW", "ukjent".
fn grid_text(g: &crate::domain::sizing::Grid, lang: Lang) -> String {
    use crate::domain::sizing::Grid;
    let nb = lang == Lang::Nb;
    match g {
        Grid::Feasible { free_mw } => {
            format!("ok ({free_mw:.1} MW {})", if nb { "ledig" } else { "free" })
        }
        Grid::Short { more_mw, .. } => format!(
            "{} {more_mw:.1} MW",
            if nb { "mangler" } else { "short by" }
        ),
        Grid::Unknown => (if nb { "ukjent" } else { "unknown" }).to_string(),
    }
}

fn fields(profile: &Profile) -> Vec<Field> {
    use FieldType::*;
    let mut f = vec![
        Field::new("rank", Int),
        Field::new("id", Str),
        Field::new("name", Str),
        Field::new("name_en", Str),
        Field::new("profile", Str),
        Field::new("kommunenummer", Str),
        Field::new("kommunenavn", Str),
        Field::new("area_m2", Real),
        Field::new("area_ha", Real),
        Field::new("candidates", Int),
        Field::new("best_candidate", Str),
        Field::new("best_score", Real),
        Field::new("mean_score", Real),
    ];
    for c in &profile.criteria {
        f.push(Field::new(format!("{}_raw", c.id), Real));
        f.push(Field::new(format!("{}_points", c.id), Real));
        f.push(Field::new(format!("{}_estimated", c.id), Int));
        f.push(Field::new(format!("{}_reason", c.id), Str));
    }
    f
}

fn values(s: &SiteSummary, profile: &Profile, lang: Lang) -> Vec<Value> {
    let opt = |x: Option<f64>| x.map(Value::Real).unwrap_or(Value::Null);
    let mut v = vec![
        Value::Int(s.rank as i64),
        Value::Str(s.id.clone()),
        Value::Str(s.name.name.clone()),
        Value::Str(s.name.name_en.clone()),
        Value::Str(profile.id.clone()),
        Value::Str(s.kommunenummer.join(",")),
        Value::Str(s.kommunenavn.join(", ")),
        Value::Real(s.area_m2),
        Value::Real(s.area_ha),
        Value::Int(s.candidates as i64),
        Value::Str(s.best_candidate.clone()),
        Value::Real((s.best_score * 1e4).round() / 1e4),
        Value::Real(s.mean_score),
    ];
    for c in &profile.criteria {
        let b = s
            .breakdown
            .as_ref()
            .and_then(|b| b.criteria.iter().find(|x| x.id == c.id));
        v.push(opt(b
            .and_then(|b| b.raw)
            .map(|x| (x * 100.0).round() / 100.0)));
        v.push(opt(b.map(|b| (b.points * 1e4).round() / 1e4)));
        v.push(
            b.map(|b| Value::Int(b.estimated as i64))
                .unwrap_or(Value::Null),
        );
        v.push(
            b.map(|b| {
                Value::Str(if lang == Lang::En {
                    b.reason_en.clone()
                } else {
                    b.reason.clone()
                })
            })
            .unwrap_or(Value::Null),
        );
    }
    v
}

/// Write the areas of `r` to `path` in `format` (in its default CRS), one row per area.
pub(crate) fn write_file(
    path: &std::path::Path,
    format: export::Format,
    r: &ShortlistResult,
    profile: &Profile,
    lang: Lang,
) -> Result<(), CliError> {
    let years: Vec<i32> = r
        .sites
        .first()
        .map(|s| s.sizing.iter().map(|z| z.year).collect())
        .unwrap_or_default();
    let mut f = fields(profile);
    f.extend(crate::export::table::sizing_fields(&years));
    export::write_gdal(
        path,
        &export::GdalTarget {
            format,
            epsg: format.epsg(),
            layer_name: &format!("sites_{}", profile.id.replace('-', "_")),
            metadata: None,
        },
        &f,
        r.sites.len(),
        |i| {
            let mut v = values(&r.sites[i], profile, lang);
            v.extend(crate::export::table::sizing_values(
                &r.sites[i].sizing,
                &years,
            ));
            (r.sites[i].native.clone(), v)
        },
        &|_| {},
    )?;
    Ok(())
}
