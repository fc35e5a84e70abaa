//! Sites that are not in the stations layer but count for the corridors: candidates the
//! coordination group approved or marked built, and candidates a planner assumes. Finds
//! where each lies from the candidate sets and the proposals.

use std::sync::Arc;

use crate::domain::layers::StationKind;
use crate::domain::review::Status;
use crate::network::coverage::{point_of, Origin, Planned};
use crate::store::{Proposal, SiteState};

use crate::scoring::Candidate;

use super::Scored;

/// Candidate sets to look ids up in, each with its profile's station kind.
pub type Sets<'a> = Vec<(&'a [Candidate], StationKind)>;

pub fn sets(scored: &[Arc<Scored>]) -> Sets<'_> {
    scored
        .iter()
        .map(|s| (s.raw.candidates.as_slice(), s.profile.station_kind))
        .collect()
}

/// Where a site id lies (EPSG:25833), and its station kind where a profile says so. Review
/// status is per site, not per fuel, and parcels are candidates of every profile: a site
/// that a charging profile has counts as charging, else as the first profile's kind.
pub fn locate(
    id: &str,
    sets: &Sets,
    proposals: &[Proposal],
) -> Option<([f64; 2], Option<StationKind>)> {
    let mut found: Option<([f64; 2], StationKind)> = None;
    for (cands, kind) in sets {
        if let Some(c) = cands.iter().find(|c| c.id == id) {
            if *kind == StationKind::Charging {
                return Some((c.point, Some(*kind)));
            }
            found.get_or_insert((c.point, *kind));
        }
    }
    if let Some((p, k)) = found {
        return Some((p, Some(k)));
    }
    if let Some(p) = proposals.iter().find(|p| p.id == id) {
        return point_of(&p.native_geometry().ok()?).map(|pt| (pt, None));
    }
    // Grid cells are named by their centre: g{x}_{y} in EPSG:25833.
    let (x, y) = id.strip_prefix('g')?.split_once('_')?;
    Some(([x.parse().ok()?, y.parse().ok()?], None))
}

/// Approved and built sites, each counted as a station of its profile's kind (proposals and
/// grid cells, which belong to no single profile, as charging).
pub fn from_review(sites: &[SiteState], sets: &Sets, proposals: &[Proposal]) -> Vec<Planned> {
    sites
        .iter()
        .filter_map(|s| {
            let origin = match s.status {
                Status::Approved => Origin::Approved,
                Status::Built => Origin::Built,
                _ => return None,
            };
            let (point, kind) = locate(&s.site, sets, proposals)?;
            Some(Planned {
                id: s.site.clone(),
                name: proposals
                    .iter()
                    .find(|p| p.id == s.site)
                    .map(|p| p.name.clone()),
                point,
                kind: kind.unwrap_or(StationKind::Charging),
                origin,
            })
        })
        .collect()
}

/// Sites the planner assumes built, as stations of `kind`. Unknown ids are returned as the error.
pub fn assumed(
    ids: &[String],
    kind: StationKind,
    sets: &Sets,
    proposals: &[Proposal],
) -> Result<Vec<Planned>, Vec<String>> {
    let mut out = Vec::new();
    let mut unknown = Vec::new();
    for id in ids {
        match locate(id, sets, proposals) {
            Some((point, _)) => out.push(Planned {
                id: id.clone(),
                name: None,
                point,
                kind,
                origin: Origin::Assumed,
            }),
            None => unknown.push(id.clone()),
        }
    }
    if unknown.is_empty() {
        Ok(out)
    } else {
        Err(unknown)
    }
}
