//! Land-use suitability: the profile's value for the site's land-use class.

use super::Measurement;
use crate::domain::profile::Profile;
use crate::scoring::candidates::Candidate;
use crate::scoring::context::ScoringContext;

pub fn suitability(_ctx: &ScoringContext, profile: &Profile, c: &Candidate) -> Measurement {
    Measurement::of(profile.landuse_value(c.landuse), None)
}

pub fn explain(c: &Candidate, m: &Measurement) -> (String, String) {
    match c.landuse {
        Some(class) => (
            format!("arealbruk {class}: egnethet {:.2}", m.raw),
            format!("land use {class}: suitability {:.2}", m.raw),
        ),
        None => (
            format!("ukjent arealbruk: egnethet {:.2}", m.raw),
            format!("unknown land use: suitability {:.2}", m.raw),
        ),
    }
}
