//! `energistasjon export`: a profile's ranked candidates (parcels or a grid) or an input
//! layer, filtered like the OGC items endpoint, to GeoJSON, GeoPackage, CSV, FlatGeobuf or
//! a zipped Shapefile, with the profile, weights and data version beside it.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use super::i18n::{Lang, Msg};
use super::progress::{CliProgress, Steps};
use super::{CliError, Common};
use crate::catalog::query::ItemsQuery;
use crate::catalog::{self, CandidateSet, GridSpec};
use crate::config::load_profile;
use crate::export::catalog::{write_file, Options};
use crate::export::stream::CsvGeometry;
use crate::export::{self, Format};
use crate::scoring::{AreaFilter, ScoringContext};

#[derive(Debug, Clone)]
pub struct ExportArgs {
    /// A profile's candidates, or else `layer`.
    pub profile: Option<String>,
    pub layer: Option<String>,
    pub format: Option<String>,
    /// Grid candidates of this size instead of parcels.
    pub grid: Option<f64>,
    /// The grid's municipalities (prefixes).
    pub grid_municipalities: Vec<String>,
    /// Filters, as on `/collections/{id}/items`.
    pub municipality: Option<String>,
    pub min_score: Option<f64>,
    pub status: Option<String>,
    pub bbox: Option<String>,
    pub sortby: Option<String>,
    pub crs: Option<String>,
    pub csv_geometry: CsvGeometry,
    pub no_reasons: bool,
    pub out: PathBuf,
    pub force: bool,
    /// The review store, for status and counts; used when the file exists.
    pub db: Option<String>,
    /// The profile's site areas (polygons) instead of its candidates.
    pub sites: bool,
    /// Sizing columns under this demand scenario (a name or a .toml path).
    pub scenario: Option<String>,
}

/// What an export writes.
enum What {
    Candidates(Box<crate::domain::profile::Profile>),
    Layer(String),
}

pub fn run(common: &Common, args: &ExportArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let lang = common.lang;
    // Everything that can be refused is refused before loading.
    let format = match &args.format {
        Some(name) => Format::from_name(name)?,
        None => Format::from_path(&args.out)?,
    };
    export::check_path(&args.out, args.force)?;
    let epsg = match &args.crs {
        None => None,
        Some(_) if !format.takes_crs() => {
            return Err(CliError::Usage(format!(
                "--crs does not apply to {}: GeoJSON and CSV are always CRS84 (RFC 7946). Use it with gpkg, fgb or shp",
                format.name()
            )))
        }
        Some(text) => Some(export::parse_epsg(text).ok_or_else(|| {
            CliError::Usage(format!(
                "--crs '{text}' is not an EPSG code; write for example --crs EPSG:25832"
            ))
        })?),
    };
    if let Some(code) = epsg {
        crate::ingest::crs::spatial_ref(&format!("EPSG:{code}")).map_err(|_| {
            CliError::Usage(format!(
                "--crs EPSG:{code} is unknown to GDAL/PROJ; write for example --crs EPSG:25832"
            ))
        })?;
    }
    if args.sites {
        if args.profile.is_none() {
            return Err(CliError::Usage(
                "--sites exports a profile's site areas: give --profile".into(),
            ));
        }
        for (given, flag) in [
            (args.bbox.is_some(), "--bbox"),
            (args.sortby.is_some(), "--sortby"),
            (args.status.is_some(), "--status"),
            (args.crs.is_some(), "--crs"),
        ] {
            if given {
                return Err(CliError::Usage(format!(
                    "{flag} does not apply to --sites; use --municipality and --min-score to filter the candidates the areas grow from"
                )));
            }
        }
    }
    // Read before loading the region, so a bad scenario file fails fast.
    let scenario = match &args.scenario {
        None => None,
        Some(_) if args.profile.is_none() => {
            return Err(CliError::Usage(
                "--scenario adds sizing columns to a profile's candidates: give --profile".into(),
            ))
        }
        Some(name) => {
            Some(crate::config::load_scenario(name).map_err(|e| CliError::Usage(e.to_string()))?)
        }
    };
    // A profile's candidates or an input layer: exactly one.
    let what = match (&args.profile, &args.layer) {
        (Some(p), None) => What::Candidates(Box::new(load_profile(p)?)),
        (None, Some(layer)) => What::Layer(layer.clone()),
        _ => {
            return Err(CliError::Usage(
                "give either --profile (candidates) or --layer (an input layer)".into(),
            ))
        }
    };

    let progress = CliProgress::new(lang);
    let (region, report) = common.load_usable(&progress)?;
    let steps = Steps::new(lang);
    let ctx = steps.spin(lang.t(Msg::BuildingIndexes), || {
        ScoringContext::new(&region)
    });
    let spec = args.grid.map(|size| GridSpec {
        size,
        filter: AreaFilter::new(&args.grid_municipalities),
    });
    let collection = match &what {
        What::Candidates(p) => {
            let set = if spec.is_some() {
                CandidateSet::Grid
            } else {
                CandidateSet::Parcels
            };
            steps
                .spin(lang.t(Msg::Measuring), || {
                    catalog::candidates_collection(&ctx, p, set, spec.as_ref())
                })
                .map_err(|e| CliError::Unusable(e.to_string()))?
        }
        What::Layer(name) => {
            let layers = catalog::layers(&ctx).map_err(|e| CliError::Unusable(e.to_string()))?;
            let known: Vec<String> = layers.iter().map(|c| c.id.clone()).collect();
            layers.into_iter().find(|c| &c.id == name).ok_or_else(|| {
                CliError::Usage(format!(
                    "no layer '{name}' with features; the layers are {}",
                    known.join(", ")
                ))
            })?
        }
    };

    if let Some(scored) = collection.scored() {
        if let Some((nb, en)) = crate::scoring::report::why_empty(&scored.raw, spec.is_some()) {
            return Err(CliError::Unusable(if lang == Lang::En { en } else { nb }));
        }
        if args.sites {
            return export_sites(
                args,
                scored,
                &ctx,
                scenario.as_ref(),
                format,
                lang,
                &steps,
                out,
            );
        }
    }
    let mut query = BTreeMap::new();
    if let Some(m) = &args.municipality {
        query.insert("kommunenummer".to_string(), m.clone());
    }
    if let Some(s) = args.min_score {
        query.insert("min_score".to_string(), s.to_string());
    }
    if let Some(st) = &args.status {
        if crate::domain::review::Status::parse(st).is_none() {
            return Err(CliError::Usage(format!(
                "--status '{st}' is unknown; use proposed, under_review, recommended, approved, rejected or built"
            )));
        }
        query.insert("status".to_string(), st.clone());
    }
    if let Some(b) = &args.bbox {
        query.insert("bbox".to_string(), b.clone());
    }
    // Candidates come best first unless asked otherwise.
    match (&args.sortby, collection.scored()) {
        (Some(s), _) => {
            query.insert("sortby".to_string(), s.clone());
        }
        (None, Some(_)) => {
            query.insert("sortby".to_string(), "-score".to_string());
        }
        (None, None) => {}
    }
    let q = ItemsQuery::parse(&collection, &query).map_err(|e| {
        let flag = match e.parameter.as_str() {
            "kommunenummer" => "--municipality",
            "min_score" => "--min-score",
            "status" => "--status",
            "bbox" => "--bbox",
            "sortby" => "--sortby",
            other => other,
        };
        CliError::Usage(format!("{flag}: {}", e.detail))
    })?;
    let review = match &args.db {
        Some(db)
            if collection.scored().is_some()
                && (db.starts_with("postgres") || std::path::Path::new(db).is_file()) =>
        {
            let store = super::user::open_store(db)?;
            Some(std::sync::Arc::new(
                crate::catalog::review::ReviewOverlay::new(
                    store
                        .sites()
                        .map_err(|e| CliError::Unusable(e.to_string()))?,
                ),
            ))
        }
        _ => None,
    };
    let rows = q.select(&collection, &ctx, review.as_deref());

    let mut opts = Options::new(
        &collection,
        &region.name,
        &report.data_version,
        format,
        epsg,
        args.csv_geometry,
        !args.no_reasons,
        lang == Lang::En,
        &query,
    );
    opts.review = review;
    if let Some(sc) = scenario {
        opts = opts.with_sizing(sc);
    }
    let bar = steps.bar(lang.t(Msg::Writing), rows.len() as u64);
    write_file(&collection, &rows, &ctx, &opts, &args.out, &|k| {
        bar.inc(k as u64)
    })?;
    bar.finish();
    writeln!(
        out,
        "{} {} {} → {} ({}, EPSG:{})",
        lang.t(Msg::Wrote),
        rows.len(),
        collection.id,
        args.out.display(),
        format.name(),
        epsg.unwrap_or(format.epsg())
    )?;
    Ok(())
}

/// Every site area of the profile under the filters, best first, with no spacing or size
/// rule: the areas the shortlist picks from.
#[allow(clippy::too_many_arguments)]
fn export_sites(
    args: &ExportArgs,
    scored: &crate::catalog::Scored,
    ctx: &ScoringContext,
    scenario: Option<&crate::domain::scenario::Scenario>,
    format: Format,
    lang: Lang,
    steps: &Steps,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let mut q = crate::catalog::sites::SiteQuery::defaults(&scored.profile);
    q.kommunenummer = args.municipality.clone();
    q.min_score = args.min_score;
    q.rules.k = usize::MAX;
    q.rules.min_spacing_m = 0.0;
    q.rules.min_area_m2 = 0.0;
    q.rules.max_per_municipality = None;
    let mut result = steps.spin(
        if lang == Lang::Nb {
            "Danner stedsområder"
        } else {
            "Growing site areas"
        },
        || crate::catalog::sites::run(ctx, scored, &q, &|_| true),
    );
    if let Some(sc) = scenario {
        crate::catalog::sites::size_sites(
            ctx,
            scored,
            sc,
            &crate::catalog::sites::SIZED_YEARS,
            &mut result,
        )
        .map_err(|e| CliError::Usage(e.to_string()))?;
    }
    super::shortlist::write_file(&args.out, format, &result, &scored.profile, lang)?;
    writeln!(
        out,
        "{} {} sites-{} → {} ({}, EPSG:{})",
        lang.t(Msg::Wrote),
        result.sites.len(),
        scored.profile.id,
        args.out.display(),
        format.name(),
        format.epsg()
    )?;
    Ok(())
}
