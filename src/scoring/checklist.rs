//! The checklist items the region's data answer, for one site: land use, exclusion areas, the
//! grid for the 2030 size, distance to housing, distance to a main road and the hydrogen
//! storage threshold. Each answer says yes, no or unknown, and why.

use std::cell::OnceCell;

use serde::Serialize;

use crate::domain::checklist::{Answerable, Checklist};
use crate::domain::landuse::LandUseClass;
use crate::domain::profile::Profile;
use crate::domain::sizing::{Grid, Sizing, HYDROGEN_LOWER_TIER_KG};

use super::candidates::Candidate;
use super::context::ScoringContext;
use super::criteria::metres;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Yes,
    No,
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataAnswer {
    pub item: String,
    pub answer: Verdict,
    pub reason: String,
    pub reason_en: String,
}

/// Land-use classes that are business, industry or transport in the municipal plan
/// (plan- og bygningsloven § 11-7 nr. 1 and 2).
const ZONED_FOR_IT: [LandUseClass; 9] = [
    LandUseClass::Commercial,
    LandUseClass::Industrial,
    LandUseClass::Warehouse,
    LandUseClass::ServiceStation,
    LandUseClass::FreightTerminal,
    LandUseClass::Port,
    LandUseClass::EnergyFacility,
    LandUseClass::Transport,
    LandUseClass::Parking,
];

/// Business, industry or transport land in the municipal plan: where a station fits.
pub fn zoned_for_it(class: LandUseClass) -> bool {
    ZONED_FOR_IT.contains(&class)
}

/// LNF (§ 11-7 nr. 5): landbruks-, natur- og friluftsformål.
const LNF: [LandUseClass; 4] = [
    LandUseClass::Agricultural,
    LandUseClass::Forest,
    LandUseClass::Bog,
    LandUseClass::OpenLand,
];

/// Land where people live or are served: what safety distances are kept from.
const SENSITIVE: [LandUseClass; 2] = [LandUseClass::Residential, LandUseClass::PublicService];

fn said(answer: Verdict, nb: String, en: String) -> (Verdict, String, String) {
    (answer, nb, en)
}

/// Every data-answered item of `checklist` for the site `c` under `profile`.
pub fn answers(
    ctx: &ScoringContext,
    profile: &Profile,
    checklist: &Checklist,
    c: &Candidate,
) -> Vec<DataAnswer> {
    // The grid and the storage items read the same 2030 size: sized once, when first asked.
    let sized = OnceCell::new();
    checklist
        .items()
        .filter_map(|(_, item)| {
            let (answer, reason, reason_en) = answer_with(ctx, profile, c, item.answer?, &sized);
            Some(DataAnswer {
                item: item.id.clone(),
                answer,
                reason,
                reason_en,
            })
        })
        .collect()
}

pub fn answer(
    ctx: &ScoringContext,
    profile: &Profile,
    c: &Candidate,
    what: Answerable,
) -> (Verdict, String, String) {
    answer_with(ctx, profile, c, what, &OnceCell::new())
}

fn answer_with(
    ctx: &ScoringContext,
    profile: &Profile,
    c: &Candidate,
    what: Answerable,
    sized: &OnceCell<Option<Sizing>>,
) -> (Verdict, String, String) {
    let in_2030 = || {
        sized
            .get_or_init(|| super::sizing::in_2030(ctx, profile, c.point))
            .as_ref()
    };
    match what {
        Answerable::Landuse => match c.landuse {
            Some(class) if ZONED_FOR_IT.contains(&class) => said(
                Verdict::Yes,
                format!("arealbruken er {}", class.label_nb()),
                format!("the land use is {class}"),
            ),
            Some(class) if LNF.contains(&class) => said(
                Verdict::No,
                format!("arealbruken er {}, et LNF-formål (pbl. § 11-7 nr. 5): krever endring av kommuneplanen eller dispensasjon (§ 19-2)", class.label_nb()),
                format!("the land use is {class}, an LNF purpose (pbl. § 11-7 no. 5): needs a change of the municipal plan or a dispensation (§ 19-2)"),
            ),
            Some(
                class @ (LandUseClass::GreenSpace
                | LandUseClass::Residential
                | LandUseClass::PublicService
                | LandUseClass::Water
                | LandUseClass::Sea),
            ) => said(
                Verdict::No,
                format!("arealbruken er {}: krever endring av planen eller dispensasjon (pbl. § 19-2)", class.label_nb()),
                format!("the land use is {class}: needs a change of the plan or a dispensation (pbl. § 19-2)"),
            ),
            Some(class) => said(
                Verdict::Unknown,
                format!("arealbruken er {}: om formålet tillater en energistasjon, avklares med kommunen", class.label_nb()),
                format!("the land use is {class}: whether it allows an energy station is for the municipality to say"),
            ),
            None => said(
                Verdict::Unknown,
                "arealbruken er ukjent i dataene".into(),
                "the land use is not in the data".into(),
            ),
        },
        Answerable::Exclusion => {
            let hits = ctx.exclusion.containing(c.point);
            match hits.first() {
                None => said(
                    Verdict::Yes,
                    "ligger utenfor alle områder i utelukkelseslaget".into(),
                    "lies outside every area of the exclusion layer".into(),
                ),
                Some(&i) => {
                    let e = &ctx.region.exclusion[i as usize];
                    let name = e.attrs.name.clone().unwrap_or_else(|| e.id.clone());
                    said(
                        Verdict::No,
                        format!("ligger i {name}"),
                        format!("lies in {name}"),
                    )
                }
            }
        }
        Answerable::Grid2030 => match in_2030() {
            None => said(
                Verdict::Unknown,
                "stasjonen kunne ikke dimensjoneres".into(),
                "the station could not be sized".into(),
            ),
            Some(s) => {
                let (nb, en) = s.grid.describe();
                let prefix = (
                    format!("trenger anslagsvis {:.1} MW i 2030; ", s.peak_mw),
                    format!("needs an estimated {:.1} MW in 2030; ", s.peak_mw),
                );
                let verdict = match s.grid {
                    Grid::Feasible { .. } => Verdict::Yes,
                    Grid::Short { .. } => Verdict::No,
                    Grid::Unknown => Verdict::Unknown,
                };
                said(verdict, prefix.0 + &nb, prefix.1 + &en)
            }
        },
        Answerable::SafetyDistance { min_m } => {
            let near = ctx
                .landuse
                .within(c.point, min_m)
                .into_iter()
                .filter(|(i, _)| SENSITIVE.contains(&ctx.region.landuse[*i as usize].attrs.class))
                .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
            match near {
                None => said(
                    Verdict::Yes,
                    format!("ingen bolig eller offentlig tjenesteyting innen {}", metres(min_m)),
                    format!("no housing or public services within {}", metres(min_m)),
                ),
                Some((i, d)) => {
                    let class = ctx.region.landuse[i as usize].attrs.class;
                    said(
                        Verdict::No,
                        format!("{} til {}; kravet er {}", metres(d), class.label_nb(), metres(min_m)),
                        format!("{} to {class}; the requirement is {}", metres(d), metres(min_m)),
                    )
                }
            }
        }
        Answerable::MainRoad { max_m } => match ctx.main_roads.index.nearest(c.point) {
            Some((i, d)) => {
                let road = &ctx.region.roads[ctx.main_roads.original(i)].attrs;
                let name = road.reference().unwrap_or_else(|| road.category.code().to_string());
                let verdict = if d <= max_m { Verdict::Yes } else { Verdict::No };
                said(
                    verdict,
                    format!("{} til {name} (grense {})", metres(d), metres(max_m)),
                    format!("{} to {name} (limit {})", metres(d), metres(max_m)),
                )
            }
            None => said(
                Verdict::No,
                "ingen E- eller R-veg i dataene".into(),
                "no E or R road in the data".into(),
            ),
        },
        Answerable::MajorAccident => {
            match in_2030().and_then(|s| s.storage_kg) {
                None => said(
                    Verdict::Unknown,
                    "ingen hydrogenlager i dimensjoneringen".into(),
                    "no hydrogen storage in the sizing".into(),
                ),
                Some(kg) => said(
                    if kg < HYDROGEN_LOWER_TIER_KG { Verdict::Yes } else { Verdict::No },
                    format!("lager for 2030 anslått til {kg:.0} kg; terskelen er 5 000 kg"),
                    format!("storage for 2030 estimated at {kg:.0} kg; the threshold is 5,000 kg"),
                ),
            }
        }
    }
}
