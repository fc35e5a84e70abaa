//! The explanation of one candidate's score: every criterion's raw value, unit,
//! normalized value and points, with a reason, and every failed constraint.

use serde::Serialize;

use crate::domain::landuse::LandUseClass;

use super::criteria::explain;
use super::{Normalized, Ranking, RawTable, ScoringContext};

#[derive(Debug, Clone, Serialize)]
pub struct CriterionBreakdown {
    pub id: String,
    pub label: String,
    pub label_en: String,
    pub measure: String,
    pub unit: &'static str,
    /// None where it could not be measured (the missing value stood in).
    pub raw: Option<f64>,
    /// True where an estimate stood in for data (heavy traffic from road class).
    pub estimated: bool,
    /// Where the value came from (measured, counted, estimated), with its year and heavy
    /// share, for criteria whose data differ in this (heavy traffic).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provenance: Option<super::criteria::traffic::Provenance>,
    pub normalized: f64,
    pub weight: f64,
    pub points: f64,
    pub reason: String,
    pub reason_en: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Exclusion {
    pub constraint: String,
    pub reason: String,
    pub reason_en: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CandidateReport {
    pub id: String,
    pub name: Option<String>,
    pub profile: String,
    pub kommunenummer: Option<String>,
    pub kommunenavn: Option<String>,
    pub area_m2: Option<f64>,
    pub landuse: Option<LandUseClass>,
    /// 0..100; None when excluded.
    pub score: Option<f64>,
    /// 1-based ranks; None when excluded.
    pub rank: Option<u32>,
    pub municipality_rank: Option<u32>,
    pub excluded: bool,
    pub exclusions: Vec<Exclusion>,
    pub criteria: Vec<CriterionBreakdown>,
}

/// Explain candidate `i`; `weights` are those `ranking` was made with.
pub fn breakdown(
    ctx: &ScoringContext,
    raw: &RawTable,
    norm: &Normalized,
    ranking: &Ranking,
    weights: &[f64],
    i: usize,
) -> CandidateReport {
    let standing = Standing {
        score: ranking.scores[i],
        region_rank: ranking.region_rank[i],
        municipality_rank: ranking.municipality_rank[i],
    };
    breakdown_at(ctx, raw, norm, standing, weights, i)
}

/// A candidate's score and ranks under some weights; ranks are 0 when excluded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Standing {
    pub score: f64,
    pub region_rank: u32,
    pub municipality_rank: u32,
}

/// As [`breakdown`], given the candidate's standing rather than the whole ranking.
pub fn breakdown_at(
    ctx: &ScoringContext,
    raw: &RawTable,
    norm: &Normalized,
    standing: Standing,
    weights: &[f64],
    i: usize,
) -> CandidateReport {
    let c = &raw.candidates[i];
    let municipality = c
        .municipality
        .map(|m| &ctx.region.boundary[m as usize].attrs);
    let excluded = raw.excluded(i);
    let criteria = raw
        .profile
        .criteria
        .iter()
        .zip(raw.row(i))
        .enumerate()
        .map(|(j, (cr, m))| {
            let normalized = norm.get(i, j);
            let (reason, reason_en) = explain(ctx, cr, c, &m);
            let provenance = super::criteria::provenance(ctx, cr, c);
            CriterionBreakdown {
                id: cr.id.clone(),
                label: cr.label.clone(),
                label_en: cr.label_en.clone(),
                measure: cr.measure.name(),
                unit: cr.measure.unit(),
                raw: (!m.raw.is_nan()).then_some(m.raw),
                estimated: m.estimated,
                source: provenance.as_ref().map(|p| p.source),
                year: provenance.as_ref().and_then(|p| p.year),
                provenance,
                normalized,
                weight: weights[j],
                points: normalized * weights[j],
                reason,
                reason_en,
            }
        })
        .collect();
    let exclusions = raw
        .failures_of(i)
        .iter()
        .map(|f| {
            let (reason, reason_en) = f.reason(ctx);
            let constraint = constraint_name(f);
            Exclusion {
                constraint,
                reason,
                reason_en,
            }
        })
        .collect();
    let rank = |r: u32| (r > 0).then_some(r);
    CandidateReport {
        id: c.id.clone(),
        name: c.name.clone(),
        profile: raw.profile.id.clone(),
        kommunenummer: municipality.map(|m| m.number.clone()),
        kommunenavn: municipality.map(|m| m.name.clone()),
        area_m2: c.area_m2,
        landuse: c.landuse,
        score: (!excluded).then_some(standing.score),
        rank: rank(standing.region_rank),
        municipality_rank: rank(standing.municipality_rank),
        excluded,
        exclusions,
        criteria,
    }
}

/// Why a candidate set has nothing to rank, in bokmål and English, with what to do; None
/// when some candidate was scored. `grid` says whether the set is a grid.
pub fn why_empty(raw: &RawTable, grid: bool) -> Option<(String, String)> {
    if (0..raw.len()).any(|i| !raw.excluded(i)) {
        return None;
    }
    let p = &raw.profile;
    if raw.is_empty() {
        return Some(if grid {
            (
                format!("Profilen {} har ingen kandidater: rutenettet har ingen celler i de valgte kommunene. Hint: sjekk --municipalities (kommunenummer-prefikser, f.eks. 03,32).", p.id),
                format!("Profile {} has no candidates: the grid has no cells in the chosen municipalities. Hint: check --municipalities (kommunenummer prefixes, e.g. 03,32).", p.id),
            )
        } else {
            let reach = p
                .constraints
                .max_main_road_distance_m
                .map(|d| format!(" innen {d:.0} m fra E- eller R-veg"))
                .unwrap_or_default();
            let reach_en = p
                .constraints
                .max_main_road_distance_m
                .map(|d| format!(" within {d:.0} m of an E or R road"))
                .unwrap_or_default();
            (
                format!("Profilen {} har ingen kandidater: regionen har ingen arealbruksflater{reach} som profilen godtar (næring, industri, lager, samferdsel, …), på minst {:.0} m². Hint: bruk --grid 250 for å vurdere et rutenett i stedet, eller legg inn kommunens arealformål som landuse-lag.", p.id, p.constraints.min_area_m2.unwrap_or(0.0)),
                format!("Profile {} has no candidates: the region has no land-use parcels{reach_en} that the profile accepts (business, industry, warehouse, transport, …) of at least {:.0} m². Hint: use --grid 250 to assess a grid instead, or add the municipality's zoning as a landuse layer.", p.id, p.constraints.min_area_m2.unwrap_or(0.0)),
            )
        });
    }
    // Every candidate failed a constraint: name the most common one.
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    for i in 0..raw.len() {
        for f in raw.failures_of(i) {
            *counts.entry(constraint_name(&f)).or_default() += 1;
        }
    }
    let (worst, n) = counts
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(k, v)| (k.clone(), *v))
        .unwrap_or_default();
    Some((
        format!("Profilen {}: alle {} kandidatene er utelukket av profilens begrensninger; oftest {worst} ({n} kandidater). Hint: se begrensningene i profilen (data/profiles/{}.toml), eller bruk --grid 250 / andre kommuner.", p.id, raw.len(), p.id),
        format!("Profile {}: all {} candidates are excluded by the profile's constraints; most often {worst} ({n} candidates). Hint: see the constraints in the profile (data/profiles/{}.toml), or use --grid 250 / other municipalities.", p.id, raw.len(), p.id),
    ))
}

/// The constraint's name as it serializes ("too_far_from_main_road").
fn constraint_name(f: &super::Failure) -> String {
    serde_json::to_value(f)
        .ok()
        .and_then(|v| {
            v.get("constraint")
                .and_then(|c| c.as_str())
                .map(str::to_string)
        })
        .unwrap_or_default()
}
