//! Review state laid over scored candidates: status, version, vote counts and comment
//! count per site, so the items endpoint and the export can show and filter them. Built by
//! the caller from the store; a site nobody touched is `proposed` with no votes.

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use crate::store::SiteState;

/// Properties the overlay adds to a candidate.
pub const FIELDS: [&str; 6] = [
    "status",
    "version",
    "comments",
    "votes_support",
    "votes_oppose",
    "votes_needs_info",
];

#[derive(Debug, Clone, Default)]
pub struct ReviewOverlay {
    sites: HashMap<String, SiteState>,
}

impl ReviewOverlay {
    pub fn new(states: Vec<SiteState>) -> Self {
        ReviewOverlay {
            sites: states.into_iter().map(|s| (s.site.clone(), s)).collect(),
        }
    }

    /// A site's review status; `proposed` for one nobody touched.
    pub fn status(&self, site: &str) -> crate::domain::review::Status {
        self.sites
            .get(site)
            .map_or(crate::domain::review::Status::Proposed, |s| s.status)
    }

    /// One review property of a site; None for a name that is not one.
    pub fn value(&self, site: &str, name: &str) -> Option<Value> {
        let s = self.sites.get(site);
        let n = |f: fn(&SiteState) -> i64| json!(s.map(f).unwrap_or(0));
        Some(match name {
            "status" => json!(s.map(|s| s.status.name()).unwrap_or("proposed")),
            "version" => n(|s| s.version),
            "comments" => n(|s| s.comments),
            "votes_support" => n(|s| s.support),
            "votes_oppose" => n(|s| s.oppose),
            "votes_needs_info" => n(|s| s.needs_info),
            _ => return None,
        })
    }

    /// Every review property of a site, added to `props`.
    pub fn extend(&self, site: &str, props: &mut Map<String, Value>) {
        for f in FIELDS {
            if let Some(v) = self.value(site, f) {
                props.insert(f.to_string(), v);
            }
        }
    }
}
