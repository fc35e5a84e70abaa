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
            let normalized = norm.values[i * norm.k + j];
            let (reason, reason_en) = explain(ctx, cr, c, m);
            CriterionBreakdown {
                id: cr.id.clone(),
                label: cr.label.clone(),
                label_en: cr.label_en.clone(),
                measure: cr.measure.name(),
                unit: cr.measure.unit(),
                raw: (!m.raw.is_nan()).then_some(m.raw),
                estimated: m.estimated,
                normalized,
                weight: weights[j],
                points: normalized * weights[j],
                reason,
                reason_en,
            }
        })
        .collect();
    let exclusions = raw.failures[i]
        .iter()
        .map(|f| {
            let (reason, reason_en) = f.reason(ctx);
            let constraint = serde_json::to_value(f)
                .ok()
                .and_then(|v| {
                    v.get("constraint")
                        .and_then(|c| c.as_str())
                        .map(str::to_string)
                })
                .unwrap_or_default();
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
        score: (!excluded).then_some(ranking.scores[i]),
        rank: rank(ranking.region_rank[i]),
        municipality_rank: rank(ranking.municipality_rank[i]),
        excluded,
        exclusions,
        criteria,
    }
}
