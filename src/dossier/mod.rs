//! The site dossier (saksgrunnlag) for a municipality's case handling: where the site is,
//! its land use, a map, its score per profile and why, what it would close on the AFIR
//! corridors, the grid nearby, the station it needs, logistics nearby, its review and the
//! guide's checklist. Assembled by the API from the region and the store; rendered here
//! as HTML (with print CSS, so a browser prints it to PDF) or Markdown. Pure: no IO.

pub mod map;
mod render;

use serde::Serialize;
use serde_json::Value;

use crate::network::coverage::GapChange;
use crate::scoring::report::CandidateReport;
use crate::scoring::sizing::SiteSizing;

pub use render::{html, markdown};

/// The sections in the order they are printed: id (the HTML anchor), bokmål, English.
pub const SECTIONS: [(&str, &str, &str); 10] = [
    ("sted", "Sted og kommune", "Location and municipality"),
    (
        "arealbruk",
        "Arealbruk og planformål",
        "Land use and zoning",
    ),
    ("kart", "Kart", "Map"),
    (
        "score",
        "Egnethet per stasjonstype",
        "Suitability per station type",
    ),
    ("afir", "Korridorer og AFIR", "Corridors and AFIR"),
    ("nett", "Strømnett", "Grid"),
    ("dimensjonering", "Dimensjonering", "Sizing"),
    ("synergier", "Logistikksynergier", "Logistics synergies"),
    ("behandling", "Behandling", "Review"),
    ("sjekkliste", "Veien til vedtak", "The road to a decision"),
];

#[derive(Debug, Clone, Serialize)]
pub struct Location {
    pub id: String,
    pub name: Option<String>,
    /// candidate, site_area, proposal or grid_cell.
    pub kind: &'static str,
    pub lon: f64,
    pub lat: f64,
    /// The measurement point in EPSG:25833.
    pub point_25833: [f64; 2],
    pub kommunenummer: Option<String>,
    pub kommunenavn: Option<String>,
    pub area_m2: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LandUse {
    /// The land-use class at the site, as the data name it (`industrial`).
    pub class: Option<String>,
    pub label: Option<String>,
    pub label_en: Option<String>,
    /// What the checklist's zoning item says from the data, and why.
    pub zoning_answer: Option<String>,
    pub zoning_reason: Option<String>,
    pub zoning_reason_en: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Afir {
    /// False where the region has no corridors file.
    pub available: bool,
    pub year: u16,
    /// A caveat for this station type, e.g. that a depot is not public.
    pub note: Option<String>,
    pub note_en: Option<String>,
    pub changes: Vec<GapChange>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Substation {
    pub name: Option<String>,
    pub distance_km: f64,
    /// Free capacity for new consumption; None where the grid company does not say.
    pub available_mw: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LegendEntry {
    pub label: String,
    pub fill: &'static str,
    pub stroke: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Dossier {
    /// The profile the dossier was asked for; its score, sizing and checklist lead.
    pub profile: String,
    pub profile_name: String,
    pub guide: String,
    pub guide_url: &'static str,
    /// The region data's version: the same version gives the same dossier.
    pub data_version: String,
    pub location: Location,
    pub landuse: LandUse,
    pub map_svg: String,
    pub legend: Vec<LegendEntry>,
    /// One entry per profile, the asked-for profile first.
    pub scores: Vec<CandidateReport>,
    pub afir: Afir,
    pub substations: Vec<Substation>,
    pub sizing: SiteSizing,
    /// `network::synergy::Synergies`, with names and drive times.
    pub synergies: Value,
    /// Status, votes, comments and history; None on a server without a review store.
    pub review: Option<Value>,
    /// The checklist with data answers and ticks, as `GET /api/sites/{id}/checklist`.
    pub checklist: Value,
}
