//! What happened to each layer on load: counts, CRS, extent, and every repaired or
//! skipped feature with the reason and what to do.

use serde::Serialize;

use crate::domain::Role;

/// How many feature issues a layer keeps in detail; the counts stay exact beyond it.
pub const MAX_DETAILED_ISSUES: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueKind {
    /// The geometry was invalid and GDAL's MakeValid repaired it.
    Repaired,
    /// The feature was left out.
    Skipped,
    /// The feature was kept, but a value was not understood (for example an unknown class code).
    Warning,
}

/// One feature's problem, with enough context for a planner to find and fix it.
#[derive(Debug, Clone, Serialize)]
pub struct FeatureIssue {
    pub kind: IssueKind,
    pub feature: String,
    pub field: Option<String>,
    pub message: String,
    pub hint: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct LayerReport {
    pub role: Role,
    pub label: String,
    /// The dataset as GDAL was asked to open it (passwords in PG: strings are masked).
    pub source: String,
    pub layer: Option<String>,
    pub driver: Option<String>,
    pub optional: bool,
    /// Features GDAL returned (after the attribute filter).
    pub read: usize,
    /// Features loaded into the region.
    pub loaded: usize,
    pub repaired: usize,
    pub skipped: usize,
    pub warnings: usize,
    pub source_crs: Option<String>,
    /// [min x, min y, max x, max y] in EPSG:25833.
    pub bbox_25833: Option<[f64; 4]>,
    pub issues: Vec<FeatureIssue>,
    /// Set when the layer could not be used at all.
    pub error: Option<String>,
    /// Time to read, repair and reproject the layer.
    pub load_ms: u64,
}

impl LayerReport {
    pub fn new(
        role: Role,
        label: String,
        source: String,
        layer: Option<String>,
        optional: bool,
    ) -> Self {
        LayerReport {
            role,
            label,
            source: mask_password(&source),
            layer,
            driver: None,
            optional,
            read: 0,
            loaded: 0,
            repaired: 0,
            skipped: 0,
            warnings: 0,
            source_crs: None,
            bbox_25833: None,
            issues: Vec::new(),
            error: None,
            load_ms: 0,
        }
    }

    pub fn record(&mut self, issue: FeatureIssue) {
        match issue.kind {
            IssueKind::Repaired => self.repaired += 1,
            IssueKind::Skipped => self.skipped += 1,
            IssueKind::Warning => self.warnings += 1,
        }
        if self.issues.len() < MAX_DETAILED_ISSUES {
            self.issues.push(issue);
        }
    }

    pub fn failed(&self) -> bool {
        self.error.is_some()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RegionReport {
    pub region: String,
    pub config: String,
    pub demonstration: bool,
    /// Hash of the config and the input files (see `ingest::data_version`).
    pub data_version: String,
    pub layers: Vec<LayerReport>,
}

impl RegionReport {
    /// Layers that failed and are not marked optional.
    pub fn failed_required(&self) -> impl Iterator<Item = &LayerReport> {
        self.layers.iter().filter(|l| l.failed() && !l.optional)
    }

    pub fn is_usable(&self) -> bool {
        self.failed_required().next().is_none()
    }
}

/// Hide `password=…` in PostgreSQL connection strings before they reach a report or log.
pub fn mask_password(source: &str) -> String {
    if !source.starts_with("PG:") {
        return source.to_string();
    }
    source
        .split(' ')
        .map(|part| {
            if part.to_lowercase().starts_with("password=") {
                "password=***"
            } else {
                part
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_pg_strings_never_reach_a_report() {
        assert_eq!(
            mask_password("PG:dbname=x password=secret host=h"),
            "PG:dbname=x password=*** host=h"
        );
        assert_eq!(
            mask_password("/data/password=x.gpkg"),
            "/data/password=x.gpkg"
        );
    }

    #[test]
    fn counts_stay_exact_beyond_the_detailed_issue_limit() {
        let mut r = LayerReport::new(Role::Roads, "r".into(), "s".into(), None, false);
        for i in 0..(MAX_DETAILED_ISSUES + 5) {
            r.record(FeatureIssue {
                kind: IssueKind::Skipped,
                feature: i.to_string(),
                field: None,
                message: "m".into(),
                hint: "h".into(),
            });
        }
        assert_eq!(r.skipped, MAX_DETAILED_ISSUES + 5);
        assert_eq!(r.issues.len(), MAX_DETAILED_ISSUES);
    }
}
