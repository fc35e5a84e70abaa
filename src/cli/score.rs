//! `energistasjon score`: candidates → measurements → ranking → file, with explanations.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use super::i18n::{Lang, Msg};
use super::progress::{CliProgress, Steps};
use super::{truncate, CliError, Common};
use crate::config::load_profile;
use crate::domain::profile::with_weights;
use crate::export::table::{candidate_fields, candidate_values, Columns};
use crate::export::{self, Field, FieldType, Value};
use crate::ingest::load_sites;
use crate::scoring::report::{breakdown, CandidateReport};
use crate::scoring::sensitivity::{self, Sensitivity};
use crate::scoring::{candidates, measure, rank, AreaFilter, Normalized, Origin, ScoringContext};

/// Where the candidates come from.
#[derive(Debug, Clone)]
pub enum CandidateSource {
    Parcels,
    Grid(f64),
    File { path: PathBuf, srs: Option<String> },
}

#[derive(Debug, Clone)]
pub struct ScoreArgs {
    pub profile: String,
    pub source: CandidateSource,
    pub municipalities: Vec<String>,
    pub out: PathBuf,
    pub force: bool,
    pub weights: BTreeMap<String, f64>,
    pub sensitivity: Option<usize>,
    pub seed: u64,
    pub spread: f64,
    pub top_k: usize,
    /// Leave out the one-line reasons (much smaller files for grid heat maps).
    pub no_reasons: bool,
}

pub fn run(common: &Common, args: &ScoreArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let lang = common.lang;
    let format = export::check_target(&args.out, args.force)?;
    let base = load_profile(&args.profile)?;
    let profile = if args.weights.is_empty() {
        base
    } else {
        with_weights(&base, &args.weights).map_err(CliError::Usage)?
    };
    let progress = CliProgress::new(lang);
    let (region, report) = common.load_usable(&progress)?;
    let steps = Steps::new(lang);
    let ctx = steps.spin(lang.t(Msg::BuildingIndexes), || {
        ScoringContext::new(&region)
    });
    let filter = AreaFilter::new(&args.municipalities);
    let cands = steps.spin(lang.t(Msg::MakingCandidates), || match &args.source {
        CandidateSource::Parcels => Ok(candidates::parcels(&ctx, &profile, &filter)),
        CandidateSource::Grid(size) => Ok(candidates::grid(&ctx, *size, &filter)),
        CandidateSource::File { path, srs } => {
            let (sites, layer) = load_sites(path, srs.clone())?;
            for issue in &layer.issues {
                eprintln!(
                    "{}: {} {}. Hint: {}",
                    path.display(),
                    issue.feature,
                    issue.message,
                    issue.hint
                );
            }
            Ok::<_, CliError>(candidates::from_sites(&ctx, &sites))
        }
    })?;
    if cands.is_empty() {
        if let CandidateSource::File { .. } = &args.source {
            return Err(CliError::Usage(lang.t(Msg::NoCandidates).to_string()));
        }
    }
    let n = cands.len();
    let bar = steps.bar(lang.t(Msg::Measuring), n as u64);
    let raw = measure(&ctx, &profile, cands, &|k| bar.inc(k as u64));
    bar.finish();
    // Generated candidates that all fail say why; a user's own sites are written with their
    // exclusion reasons, which is what the user came for.
    if !matches!(args.source, CandidateSource::File { .. }) {
        let grid = matches!(args.source, CandidateSource::Grid(_));
        if let Some((nb, en)) = crate::scoring::report::why_empty(&raw, grid) {
            return Err(CliError::Unusable(if lang == Lang::En { en } else { nb }));
        }
    }
    let norm = Normalized::new(&raw, &profile);
    let weights: Vec<f64> = profile.criteria.iter().map(|c| c.weight).collect();
    let ranking = rank(&raw, &norm, &weights);
    let sens = args.sensitivity.map(|draws| {
        let bar = steps.bar(lang.t(Msg::Sensitivity), draws as u64);
        let s = sensitivity::run(
            &raw,
            &norm,
            &weights,
            draws,
            args.seed,
            args.spread,
            args.top_k,
        );
        bar.inc(draws as u64);
        bar.finish();
        s
    });

    // Best first, then the excluded in candidate order: the file reads like the ranking.
    let mut rows: Vec<usize> = ranking.order.iter().map(|&i| i as usize).collect();
    rows.extend((0..raw.len()).filter(|&i| raw.excluded(i)));

    let cols = Columns {
        sensitivity: sens.is_some(),
        reasons: !args.no_reasons,
        english: lang == Lang::En,
        data_version: report.data_version.clone(),
        exported_at: export::timestamp(),
    };
    // User-given sites keep their own attributes, after ours; a name we use gets "src_".
    let own = source_columns(&raw.candidates, &fields_taken(&profile.criteria, &cols));

    // Explanations are built a chunk at a time, in parallel, as the writer asks for rows:
    // holding all of them for a national grid would take gigabytes.
    const CHUNK: usize = 16_384;
    let explain = |r: usize| -> Vec<Vec<Value>> {
        use rayon::prelude::*;
        rows[r..(r + CHUNK).min(rows.len())]
            .par_iter()
            .map(|&i| {
                let report = breakdown(&ctx, &raw, &norm, &ranking, &weights, i);
                let mut v = candidate_values(&report, sens.as_ref().map(|s| (s, i)), &cols);
                v.extend(source_values(&raw.candidates[i].origin, &own));
                v
            })
            .collect()
    };
    let mut chunk: Vec<Vec<Value>> = Vec::new();
    let mut chunk_start = 0;
    let mut fields = candidate_fields(&profile.criteria, &cols);
    fields.extend(own.iter().map(|(name, ty)| Field::new(name.clone(), *ty)));
    let bar = steps.bar(lang.t(Msg::Writing), n as u64);
    export::write(
        &args.out,
        &format!("candidates_{}", profile.id),
        &fields,
        rows.len(),
        |r| {
            if r == 0 || r >= chunk_start + chunk.len() {
                chunk_start = r;
                chunk = explain(r);
            }
            let values = std::mem::take(&mut chunk[r - chunk_start]);
            (raw.candidates[rows[r]].geometry.clone(), values)
        },
        &|k| bar.inc(k as u64),
    )?;
    bar.finish();

    let top: Vec<CandidateReport> = ranking
        .order
        .iter()
        .take(10)
        .map(|&i| breakdown(&ctx, &raw, &norm, &ranking, &weights, i as usize))
        .collect();
    let excluded = rows.len() - ranking.order.len();
    summary(
        out,
        lang,
        &profile.name,
        &top,
        &ranking.order,
        excluded,
        sens.as_ref(),
        args,
        format,
    )?;
    Ok(())
}

fn fields_taken(criteria: &[crate::domain::profile::Criterion], cols: &Columns) -> Vec<String> {
    candidate_fields(criteria, cols)
        .into_iter()
        .map(|f| f.name.to_lowercase())
        .collect()
}

/// The user's own attribute columns: (output name, source key, type), sorted by key.
fn source_columns(
    cands: &[crate::scoring::Candidate],
    taken: &[String],
) -> Vec<(String, FieldType)> {
    let mut types: BTreeMap<String, FieldType> = BTreeMap::new();
    for c in cands {
        if let Origin::User { properties } = &c.origin {
            for (k, v) in properties.iter() {
                let ty = if v.is_number() {
                    FieldType::Real
                } else {
                    FieldType::Str
                };
                types
                    .entry(k.clone())
                    .and_modify(|t| {
                        if *t != ty {
                            *t = FieldType::Str;
                        }
                    })
                    .or_insert(ty);
            }
        }
    }
    types
        .into_iter()
        .map(|(k, ty)| {
            let name = if taken.contains(&k.to_lowercase()) {
                format!("src_{k}")
            } else {
                k
            };
            (name, ty)
        })
        .collect()
}

fn source_values(origin: &Origin, own: &[(String, FieldType)]) -> Vec<Value> {
    let props = match origin {
        Origin::User { properties } => Some(properties),
        _ => None,
    };
    own.iter()
        .map(|(name, ty)| {
            let key = name
                .strip_prefix("src_")
                .filter(|k| props.is_some_and(|p| p.contains_key(*k)))
                .unwrap_or(name);
            match props.and_then(|p| p.get(key)) {
                None | Some(serde_json::Value::Null) => Value::Null,
                Some(v) if *ty == FieldType::Real => {
                    v.as_f64().map(Value::Real).unwrap_or(Value::Null)
                }
                Some(serde_json::Value::String(t)) => Value::Str(t.clone()),
                Some(v) => Value::Str(v.to_string()),
            }
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn summary(
    out: &mut dyn Write,
    lang: Lang,
    profile_name: &str,
    top: &[CandidateReport],
    order: &[u32],
    excluded: usize,
    sens: Option<&Sensitivity>,
    args: &ScoreArgs,
    format: export::Format,
) -> std::io::Result<()> {
    writeln!(out, "{}: {profile_name}", lang.t(Msg::Profile))?;
    writeln!(
        out,
        "{}: {} ({} {}, {} {})",
        lang.t(Msg::Candidates),
        order.len() + excluded,
        order.len(),
        lang.t(Msg::Scored),
        excluded,
        lang.t(Msg::Excluded)
    )?;
    writeln!(out)?;
    let p_col = sens
        .map(|s| format!("  P(topp {})", s.top_k))
        .unwrap_or_default();
    writeln!(
        out,
        "{:>5}  {:<24} {:<22} {:>6}{p_col}",
        lang.t(Msg::Rank),
        "id",
        lang.t(Msg::Municipality),
        lang.t(Msg::Score)
    )?;
    // `top` holds the reports of the first ten in `order`, in that order.
    for (r, &i) in top.iter().zip(order) {
        let name = r.name.clone().unwrap_or_else(|| r.id.clone());
        let p = sens
            .map(|s| format!("  {:>9.2}", s.p_top_k[i as usize]))
            .unwrap_or_default();
        writeln!(
            out,
            "{:>5}  {:<24} {:<22} {:>6.1}{p}",
            r.rank.unwrap_or(0),
            truncate(&name, 24),
            truncate(r.kommunenavn.as_deref().unwrap_or("-"), 22),
            r.score.unwrap_or(f64::NAN)
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{} {} ({:?}, EPSG:{})",
        lang.t(Msg::Wrote),
        args.out.display(),
        format,
        format.epsg()
    )?;
    if let Some(s) = sens {
        writeln!(
            out,
            "{}: {} {}, seed {}, ±{:.0} %",
            lang.t(Msg::Sensitivity),
            s.draws,
            lang.t(Msg::Draws),
            s.seed,
            s.spread * 100.0
        )?;
    }
    Ok(())
}
