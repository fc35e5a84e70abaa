//! The guide's checklist, "veien til vedtak", as data: steps from early clarification to Enova
//! support, each item with its legal or official source, and the items the product can answer
//! from the region's data marked with what answers them. Pure: the text in, a checklist out.

use std::collections::BTreeSet;
use std::ops::Range;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::toml_file::Source;

/// A checklist file that cannot be used: which file, line and key, and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("checklist {file}, line {line}, key `{key}`: {message}")]
pub struct ChecklistError {
    pub file: String,
    pub line: usize,
    pub key: String,
    pub message: String,
}

crate::from_located!(ChecklistError);

/// Where the guide is published: Osloregionen's site, which keeps the current edition.
pub const GUIDE_URL: &str = "https://osloregionen.no/";

/// The guide's steps, in the order a case goes through them.
pub const STEPS: [&str; 6] = ["early", "zoning", "grid", "safety", "permit", "enova"];

/// What in the region's data answers an item.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Answerable {
    /// The land-use class: business, industry or transport (yes), LNF, green, housing (no).
    Landuse,
    /// Outside every area of the exclusion layer.
    Exclusion,
    /// The grid verdict for the 2030 size (default scenario).
    Grid2030,
    /// At least `min_m` from housing and public-service land.
    SafetyDistance { min_m: f64 },
    /// Within `max_m` of an E or R road.
    MainRoad { max_m: f64 },
    /// Hydrogen storage for the 2030 size below storulykkeforskriften's 5 t.
    MajorAccident,
}

impl Answerable {
    pub const NAMES: [&'static str; 6] = [
        "landuse",
        "exclusion",
        "grid_2030",
        "safety_distance",
        "main_road",
        "major_accident",
    ];
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    pub id: String,
    pub text: String,
    pub text_en: String,
    pub source: String,
    /// None: people answer it.
    pub answer: Option<Answerable>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    pub id: String,
    pub name: String,
    pub name_en: String,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Checklist {
    pub id: String,
    pub title: String,
    pub title_en: String,
    /// The guide the checklist follows.
    pub guide: String,
    pub steps: Vec<Step>,
}

impl Checklist {
    pub fn items(&self) -> impl Iterator<Item = (&Step, &Item)> {
        self.steps
            .iter()
            .flat_map(|s| s.items.iter().map(move |i| (s, i)))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChecklist {
    id: Spanned<String>,
    title: String,
    title_en: String,
    guide: Spanned<String>,
    #[serde(default)]
    steps: Vec<Spanned<RawStep>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    id: Spanned<String>,
    name: String,
    name_en: String,
    #[serde(default)]
    items: Vec<Spanned<RawItem>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    id: Spanned<String>,
    text: Spanned<String>,
    text_en: Spanned<String>,
    source: Spanned<String>,
    answer: Option<Spanned<String>>,
    min_m: Option<Spanned<f64>>,
    max_m: Option<Spanned<f64>>,
}

fn err(
    src: &Source,
    span: Range<usize>,
    key: String,
    message: impl Into<String>,
) -> ChecklistError {
    src.at(span, key, message).into()
}

/// A distance an answer needs: present, finite and above 0.
fn distance(
    src: &Source,
    v: &Option<Spanned<f64>>,
    item_span: Range<usize>,
    key: String,
) -> Result<f64, ChecklistError> {
    match v {
        None => Err(err(
            src,
            item_span,
            key,
            "this answer needs a distance in metres",
        )),
        Some(d) if d.get_ref().is_finite() && *d.get_ref() > 0.0 => Ok(*d.get_ref()),
        Some(d) => Err(err(
            src,
            d.span(),
            key,
            format!("{} is not a distance; give metres above 0", d.get_ref()),
        )),
    }
}

pub fn parse_checklist(text: &str, file: &str) -> Result<Checklist, ChecklistError> {
    let src = Source { file, text };
    let raw: RawChecklist =
        toml::from_str(text).map_err(|e| ChecklistError::from(src.syntax(&e)))?;
    if raw.guide.get_ref().trim().is_empty() {
        return Err(err(
            &src,
            raw.guide.span(),
            "guide".into(),
            "name the guide the checklist follows",
        ));
    }
    let mut seen_steps = BTreeSet::new();
    let mut seen_items = BTreeSet::new();
    let mut steps = Vec::new();
    for (si, rs) in raw.steps.iter().enumerate() {
        let rs = rs.get_ref();
        let sid = rs.id.get_ref();
        let skey = |k: &str| format!("steps[{si}].{k}");
        if !STEPS.contains(&sid.as_str()) {
            return Err(err(
                &src,
                rs.id.span(),
                skey("id"),
                format!(
                    "'{sid}' is not a step of the guide; use {}",
                    STEPS.join(", ")
                ),
            ));
        }
        if !seen_steps.insert(sid.clone()) {
            return Err(err(
                &src,
                rs.id.span(),
                skey("id"),
                format!("the step '{sid}' comes twice"),
            ));
        }
        let mut items = Vec::new();
        for (ii, spanned) in rs.items.iter().enumerate() {
            let ri = spanned.get_ref();
            let ikey = |k: &str| format!("steps[{si}].items[{ii}].{k}");
            let iid = ri.id.get_ref();
            if iid.is_empty() || !seen_items.insert(iid.clone()) {
                return Err(err(
                    &src,
                    ri.id.span(),
                    ikey("id"),
                    format!("'{iid}' is empty or used by another item; give each item its own id"),
                ));
            }
            for (v, k) in [
                (&ri.text, "text"),
                (&ri.text_en, "text_en"),
                (&ri.source, "source"),
            ] {
                if v.get_ref().trim().is_empty() {
                    return Err(err(
                        &src,
                        v.span(),
                        ikey(k),
                        if k == "source" {
                            "every item needs its legal or official source"
                        } else {
                            "the text is empty"
                        },
                    ));
                }
            }
            let answer = match &ri.answer {
                None => None,
                Some(a) => Some(match a.get_ref().as_str() {
                    "landuse" => Answerable::Landuse,
                    "exclusion" => Answerable::Exclusion,
                    "grid_2030" => Answerable::Grid2030,
                    "major_accident" => Answerable::MajorAccident,
                    "safety_distance" => Answerable::SafetyDistance {
                        min_m: distance(&src, &ri.min_m, spanned.span(), ikey("min_m"))?,
                    },
                    "main_road" => Answerable::MainRoad {
                        max_m: distance(&src, &ri.max_m, spanned.span(), ikey("max_m"))?,
                    },
                    other => {
                        return Err(err(
                            &src,
                            a.span(),
                            ikey("answer"),
                            format!(
                                "'{other}' is not something the data answer; use {}, or leave `answer` out for an item people answer",
                                Answerable::NAMES.join(", ")
                            ),
                        ))
                    }
                }),
            };
            items.push(Item {
                id: iid.clone(),
                text: ri.text.get_ref().clone(),
                text_en: ri.text_en.get_ref().clone(),
                source: ri.source.get_ref().clone(),
                answer,
            });
        }
        steps.push(Step {
            id: sid.clone(),
            name: rs.name.clone(),
            name_en: rs.name_en.clone(),
            items,
        });
    }
    let missing: Vec<&str> = STEPS
        .iter()
        .copied()
        .filter(|s| !seen_steps.contains(*s))
        .collect();
    if !missing.is_empty() {
        return Err(err(
            &src,
            raw.id.span(),
            "steps".into(),
            format!("the guide's steps {} are missing", missing.join(", ")),
        ));
    }
    // In the guide's order, whatever order the file has.
    steps.sort_by_key(|s| STEPS.iter().position(|x| *x == s.id));
    Ok(Checklist {
        id: raw.id.into_inner(),
        title: raw.title,
        title_en: raw.title_en,
        guide: raw.guide.into_inner(),
        steps,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped(name: &str) -> String {
        std::fs::read_to_string(format!(
            "{}/data/checklists/{name}.toml",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    #[test]
    fn every_shipped_checklist_parses_with_all_six_steps_and_a_source_per_item() {
        for name in ["mcs-corridor", "depot", "hydrogen", "biogas"] {
            let c = parse_checklist(&shipped(name), name).unwrap();
            assert_eq!(c.id, name);
            assert_eq!(
                c.steps.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
                STEPS
            );
            assert!(c.items().all(|(_, i)| !i.source.is_empty()));
            assert!(c
                .items()
                .any(|(_, i)| i.answer == Some(Answerable::Landuse)));
            assert!(c.items().any(|(_, i)| i.answer.is_none()));
        }
        let h = parse_checklist(&shipped("hydrogen"), "h").unwrap();
        assert!(h
            .items()
            .any(|(_, i)| i.answer == Some(Answerable::MajorAccident)));
    }

    #[test]
    fn a_bad_checklist_names_file_line_and_key() {
        let text = shipped("depot");
        for (from, to, key, words) in [
            (
                "id = \"grid\"",
                "id = \"nett\"",
                "steps[2].id",
                "not a step of the guide",
            ),
            (
                "answer = \"landuse\"",
                "answer = \"zoning\"",
                "steps[1].items[0].answer",
                "not something the data answer",
            ),
            (
                "source = \"Plan- og bygningsloven § 20-1",
                "source = \" \"\nx = \"",
                "",
                "",
            ),
            (
                "min_m = 50",
                "min_m = -5",
                "steps[3].items[0].min_m",
                "not a distance",
            ),
        ] {
            let bad = text.replacen(from, to, 1);
            assert_ne!(bad, text, "{from}");
            let e = parse_checklist(&bad, "depot.toml").unwrap_err();
            assert_eq!(e.file, "depot.toml");
            assert!(e.line > 1, "{e}");
            if !key.is_empty() {
                assert_eq!(e.key, key, "{e}");
                assert!(e.message.contains(words), "{e}");
            }
        }
        // A missing source and a missing step.
        let e = parse_checklist(
            &text.replacen(
                "source = \"Plan- og bygningsloven § 20-1",
                "source = \" \" #",
                1,
            ),
            "d",
        )
        .unwrap_err();
        assert!(e.message.contains("legal or official source"), "{e}");
        let cut = &text[..text.find("[[steps]]\nid = \"enova\"").unwrap()];
        let e = parse_checklist(cut, "d").unwrap_err();
        assert!(e.message.contains("enova are missing"), "{e}");
    }
}
