//! Site areas and the shortlist of a scored candidate set, with names, outlines and the best
//! candidate's breakdown: what `energistasjon shortlist`, `POST /api/shortlist` and the
//! `sites-{profile}` collections show. The grouping itself is pure (`scoring::areas`);
//! this module weighs, filters, names and describes.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::Scored;
use crate::domain::profile::Profile;
use crate::ingest::crs::{CrsError, ToCrs84};
use crate::scoring::areas::{
    filtered, outline, shortlist, Grower, GrowthRules, Rejection, ShortlistRules, SiteArea,
};
use crate::scoring::naming::{disambiguate, name, AreaName};
use crate::scoring::page::{standing, BestFirst};
use crate::scoring::report::{breakdown_at, CandidateReport, Standing};
use crate::scoring::{score, ScoringContext};

/// What to shortlist: the weights, the filters and the rules.
#[derive(Debug, Clone)]
pub struct SiteQuery {
    /// One weight per criterion, in profile order.
    pub weights: Vec<f64>,
    /// Only candidates in this municipality.
    pub kommunenummer: Option<String>,
    /// Only candidates scoring at least this.
    pub min_score: Option<f64>,
    pub growth: GrowthRules,
    pub rules: ShortlistRules,
}

impl SiteQuery {
    /// The profile's own weights and `[sites]` rules.
    pub fn defaults(profile: &Profile) -> Self {
        let s = &profile.sites;
        SiteQuery {
            weights: profile.criteria.iter().map(|c| c.weight).collect(),
            kommunenummer: None,
            min_score: None,
            growth: GrowthRules {
                max_score_drop: s.max_score_drop,
                max_area_m2: s.max_area_ha * 10_000.0,
            },
            rules: ShortlistRules {
                k: s.k,
                min_area_m2: s.min_area_ha * 10_000.0,
                min_spacing_m: s.min_spacing_km * 1000.0,
                max_per_municipality: s.max_per_municipality,
            },
        }
    }
}

/// One site area as users see it.
#[derive(Debug, Clone, Serialize)]
pub struct SiteSummary {
    /// 1-based place in the shortlist (or among all areas, in a collection).
    pub rank: usize,
    /// `s-` and the best candidate's id: stable for the same weights and data.
    pub id: String,
    #[serde(flatten)]
    pub name: AreaName,
    /// Every municipality the area reaches, the best candidate's first.
    pub kommunenummer: Vec<String>,
    pub kommunenavn: Vec<String>,
    pub area_m2: f64,
    pub area_ha: f64,
    /// How many candidates (cells or parcel pieces) the area holds.
    pub candidates: usize,
    pub best_candidate: String,
    /// The best candidate's index in the scored set.
    #[serde(skip)]
    pub best_index: usize,
    pub best_score: f64,
    pub mean_score: f64,
    /// The outline in EPSG:25833.
    #[serde(skip)]
    pub native: geo::Geometry<f64>,
    /// The best candidate's breakdown: what explains the area.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breakdown: Option<CandidateReport>,
    /// The station this area needs, per year, at its best candidate (estimates; see
    /// `size_sites`). Empty unless sized.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sizing: Vec<crate::domain::sizing::Sizing>,
}

/// An area ranked above the last pick that was passed over, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Passed {
    pub id: String,
    pub name: String,
    pub name_en: String,
    pub best_score: f64,
    pub area_ha: f64,
    #[serde(flatten)]
    pub why: Rejection,
    pub reason: String,
    pub reason_en: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ShortlistResult {
    pub profile: String,
    pub candidates_set: &'static str,
    pub weights: BTreeMap<String, f64>,
    pub growth: GrowthRules,
    pub rules: ShortlistRules,
    /// Candidates that passed the constraints and filters.
    pub eligible: usize,
    /// Areas grown to fill the shortlist.
    pub areas_considered: usize,
    pub sites: Vec<SiteSummary>,
    /// The areas passed over on the way, in area order.
    pub passed_over: Vec<Passed>,
    /// True when fewer than k areas met the rules.
    pub short: bool,
}

/// The scores under a query's weights (NaN for excluded candidates), and the same with NaN
/// also for those its filters and `keep` leave out.
fn weigh(
    scored: &Scored,
    q: &SiteQuery,
    keep: &(dyn Fn(usize) -> bool + Sync),
) -> (Vec<f64>, Vec<f64>) {
    use rayon::prelude::*;
    let all = score(&scored.raw, &scored.norm, &q.weights);
    let eligible = all
        .par_iter()
        .enumerate()
        .map(|(i, &s)| {
            let shown = q
                .kommunenummer
                .as_ref()
                .is_none_or(|k| scored.kommunenummer[i].as_deref() == Some(k.as_str()))
                && q.min_score.is_none_or(|m| s >= m)
                && keep(i);
            if shown {
                s
            } else {
                f64::NAN
            }
        })
        .collect();
    (all, eligible)
}

fn summary(
    ctx: &ScoringContext,
    scored: &Scored,
    area: &SiteArea,
    rank: usize,
    explain: Option<(Standing, &[f64])>,
) -> SiteSummary {
    let raw = &scored.raw;
    let best = area.best as usize;
    // Municipalities in order of first appearance, the best candidate's first.
    let mut municipalities: Vec<u32> = Vec::new();
    for m in std::iter::once(area.best).chain(area.members.iter().copied()) {
        if let Some(k) = raw.candidates[m as usize].municipality {
            if !municipalities.contains(&k) {
                municipalities.push(k);
            }
        }
    }
    let attrs = |k: &u32| &ctx.region.boundary[*k as usize].attrs;
    let kommunenummer = municipalities
        .iter()
        .map(|k| attrs(k).number.clone())
        .collect();
    let kommunenavn = municipalities
        .iter()
        .map(|k| attrs(k).name.clone())
        .collect();
    SiteSummary {
        rank,
        id: format!("s-{}", raw.candidates[best].id),
        name: name(ctx, &raw.candidates[best]),
        kommunenummer,
        kommunenavn,
        area_m2: round(area.area_m2, 1),
        area_ha: round(area.area_m2 / 10_000.0, 2),
        candidates: area.members.len(),
        best_candidate: raw.candidates[best].id.clone(),
        best_index: best,
        best_score: area.best_score,
        mean_score: round(area.mean_score, 4),
        native: outline(&scored.adjacency, &raw.candidates, area),
        breakdown: explain.map(|(standing, weights)| {
            breakdown_at(ctx, raw, &scored.norm, standing, weights, best)
        }),
        sizing: Vec::new(),
    }
}

/// The years a shortlist sizes each area for.
pub const SIZED_YEARS: [i32; 2] = [2025, 2030];

/// Size every area of `result` at its best candidate for each of `years` under `scenario`.
pub fn size_sites(
    ctx: &ScoringContext,
    scored: &Scored,
    scenario: &crate::domain::scenario::Scenario,
    years: &[i32],
    result: &mut ShortlistResult,
) -> Result<(), crate::domain::sizing::SizingError> {
    for site in &mut result.sites {
        let point = scored.raw.candidates[site.best_index].point;
        site.sizing = years
            .iter()
            .map(|&y| crate::scoring::sizing::at(ctx, &scored.profile, scenario, y, point))
            .collect::<Result<_, _>>()?;
    }
    Ok(())
}

fn round(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f
}

fn reason(why: &Rejection, sites: &[SiteSummary]) -> (String, String) {
    match why {
        Rejection::TooSmall {
            area_m2,
            min_area_m2,
        } => (
            format!(
                "for lite: {:.2} ha, minst {:.2} ha kreves",
                area_m2 / 1e4,
                min_area_m2 / 1e4
            ),
            format!(
                "too small: {:.2} ha, at least {:.2} ha required",
                area_m2 / 1e4,
                min_area_m2 / 1e4
            ),
        ),
        Rejection::TooClose { pick, distance_m } => {
            let other = sites.get(*pick);
            let nb = other.map(|s| s.name.name.as_str()).unwrap_or("");
            let en = other.map(|s| s.name.name_en.as_str()).unwrap_or("");
            (
                format!("{:.1} km fra nr. {} {nb}", distance_m / 1000.0, pick + 1),
                format!("{:.1} km from no. {} {en}", distance_m / 1000.0, pick + 1),
            )
        }
        Rejection::MunicipalityFull { max } => (
            format!("kommunen har allerede {max} steder på listen"),
            format!("the municipality already has {max} sites on the list"),
        ),
    }
}

/// At most this many passed-over areas are listed (all are counted).
pub const MAX_PASSED_LISTED: usize = 100;

/// The shortlist of a scored set: the top `k` site areas under the query's weights,
/// filters and rules, each named, outlined and explained by its best candidate.
/// `keep` filters candidates further (the review status, say).
pub fn run(
    ctx: &ScoringContext,
    scored: &Scored,
    q: &SiteQuery,
    keep: &(dyn Fn(usize) -> bool + Sync),
) -> ShortlistResult {
    let (all, scores) = weigh(scored, q, keep);
    let raw = &scored.raw;
    let grower = Grower::new(
        &scored.adjacency,
        &scores,
        BestFirst::new(&scores),
        q.growth,
    );
    let list = shortlist(grower, &scored.adjacency, &raw.candidates, &q.rules);
    let bests: Vec<usize> = list
        .picks
        .iter()
        .map(|&a| list.areas[a].best as usize)
        .collect();
    let standings = standing(raw, &all, &bests);
    let mut sites: Vec<SiteSummary> = list
        .picks
        .iter()
        .zip(standings)
        .enumerate()
        .map(|(n, (&a, st))| summary(ctx, scored, &list.areas[a], n + 1, Some((st, &q.weights))))
        .collect();
    let mut names: Vec<AreaName> = sites.iter().map(|s| s.name.clone()).collect();
    disambiguate(&mut names);
    for (s, n) in sites.iter_mut().zip(names) {
        s.name = n;
    }
    let passed_over = list
        .rejected
        .iter()
        .take(MAX_PASSED_LISTED)
        .map(|(a, why)| {
            let area = &list.areas[*a];
            let n = name(ctx, &raw.candidates[area.best as usize]);
            let (reason, reason_en) = reason(why, &sites);
            Passed {
                id: format!("s-{}", raw.candidates[area.best as usize].id),
                name: n.name,
                name_en: n.name_en,
                best_score: area.best_score,
                area_ha: round(area.area_m2 / 10_000.0, 2),
                why: why.clone(),
                reason,
                reason_en,
            }
        })
        .collect();
    ShortlistResult {
        profile: raw.profile.id.clone(),
        candidates_set: scored.set.name(),
        weights: raw
            .profile
            .criteria
            .iter()
            .zip(&q.weights)
            .map(|(c, w)| (c.id.clone(), *w))
            .collect(),
        growth: q.growth,
        rules: q.rules,
        eligible: scores.iter().filter(|s| !s.is_nan()).count(),
        areas_considered: list.areas.len(),
        short: sites.len() < q.rules.k,
        sites,
        passed_over,
    }
}

/// The most areas a `sites-*` collection holds: the best ones. A planner discusses the
/// first few dozen; a national grid has tens of thousands, which would cost hundreds of
/// megabytes of polygons nobody opens. `POST /api/shortlist` reaches every area.
pub const COLLECTION_MAX: usize = 2000;

/// The best site areas (at most `COLLECTION_MAX`) of a scored set under the profile's own weights, best first, named
/// (unique names) and outlined; `shortlist_rank` marks the default shortlist's picks.
pub fn all(ctx: &ScoringContext, scored: &Scored) -> Vec<(SiteSummary, Option<usize>)> {
    let q = SiteQuery::defaults(&scored.profile);
    let (_, scores) = weigh(scored, &q, &|_| true);
    let areas: Vec<SiteArea> = Grower::new(
        &scored.adjacency,
        &scores,
        BestFirst::new(&scores),
        q.growth,
    )
    .take(COLLECTION_MAX)
    .collect();
    let list = shortlist(
        areas.iter().cloned(),
        &scored.adjacency,
        &scored.raw.candidates,
        &q.rules,
    );
    let mut picked = vec![None; areas.len()];
    for (n, &a) in list.picks.iter().enumerate() {
        picked[a] = Some(n + 1);
    }
    let mut out: Vec<(SiteSummary, Option<usize>)> = {
        use rayon::prelude::*;
        areas
            .par_iter()
            .enumerate()
            .map(|(i, a)| (summary(ctx, scored, a, i + 1, None), picked[i]))
            .collect()
    };
    let mut names: Vec<AreaName> = out.iter().map(|(s, _)| s.name.clone()).collect();
    disambiguate(&mut names);
    for ((s, _), n) in out.iter_mut().zip(names) {
        s.name = n;
    }
    out
}

/// A summary's properties for a collection item or a file: flat, one column each, plus
/// the best candidate's points per criterion.
pub fn properties(
    s: &SiteSummary,
    shortlist_rank: Option<usize>,
    profile: &Profile,
    scored: &Scored,
) -> serde_json::Map<String, Value> {
    let mut p = serde_json::Map::new();
    p.insert("id".into(), Value::from(s.id.clone()));
    p.insert("rank".into(), Value::from(s.rank));
    p.insert(
        "shortlist_rank".into(),
        shortlist_rank.map(Value::from).unwrap_or(Value::Null),
    );
    p.insert("name".into(), Value::from(s.name.name.clone()));
    p.insert("name_en".into(), Value::from(s.name.name_en.clone()));
    p.insert("profile".into(), Value::from(profile.id.clone()));
    p.insert(
        "kommunenummer".into(),
        Value::from(s.kommunenummer.join(",")),
    );
    p.insert("kommunenavn".into(), Value::from(s.kommunenavn.join(", ")));
    p.insert("area_m2".into(), Value::from(s.area_m2));
    p.insert("area_ha".into(), Value::from(s.area_ha));
    p.insert("candidates".into(), Value::from(s.candidates));
    p.insert(
        "best_candidate".into(),
        Value::from(s.best_candidate.clone()),
    );
    p.insert("best_score".into(), Value::from(round(s.best_score, 4)));
    p.insert("mean_score".into(), Value::from(s.mean_score));
    let i = s.best_index;
    for (j, c) in profile.criteria.iter().enumerate() {
        p.insert(
            format!("{}_points", c.id),
            Value::from(round(scored.norm.get(i, j) * c.weight, 4)),
        );
    }
    p
}

/// The `sites-{profile}` collection's items, in CRS84.
pub fn items(
    ctx: &ScoringContext,
    scored: &Scored,
    t: &ToCrs84,
) -> Result<Vec<super::Item>, CrsError> {
    all(ctx, scored)
        .into_iter()
        .map(|(s, picked)| {
            let props = properties(&s, picked, &scored.profile, scored);
            super::item(t, s.id.clone(), &s.native, props)
        })
        .collect()
}

/// The result as JSON, each site with its outline in CRS84.
pub fn to_json(
    r: &ShortlistResult,
    t: &crate::ingest::crs::ToCrs84,
) -> Result<serde_json::Value, crate::ingest::crs::CrsError> {
    let mut body = serde_json::to_value(r).unwrap_or_default();
    if let Some(list) = body.get_mut("sites").and_then(|s| s.as_array_mut()) {
        for (v, s) in list.iter_mut().zip(&r.sites) {
            let g = super::geojson(&t.apply(&s.native)?);
            if let Some(o) = v.as_object_mut() {
                o.insert("geometry".into(), g);
            }
        }
    }
    Ok(body)
}

/// The best candidate of every site area under the profile's own weights, among candidates
/// scoring at least `min_score`: the units `select` chooses from, best first.
pub fn area_bests(scored: &Scored, min_score: f64) -> Vec<usize> {
    let q = SiteQuery::defaults(&scored.profile);
    let (scores, order) = filtered(&scored.ranking.scores, &scored.ranking.order, |i| {
        scored.ranking.scores[i] >= min_score
    });
    Grower::new(&scored.adjacency, &scores, order.into_iter(), q.growth)
        .map(|a| a.best as usize)
        .collect()
}

/// The area id and name (bokmål, English) of the area whose best candidate is `best`.
pub fn area_name(ctx: &ScoringContext, scored: &Scored, best: usize) -> (String, AreaName) {
    (
        format!("s-{}", scored.raw.candidates[best].id),
        name(ctx, &scored.raw.candidates[best]),
    )
}
