//! `energistasjon checklist`: the guide's "veien til vedtak" for a site, step by step, with
//! each item's source and the items the region's data answer.

use std::io::Write;

use super::i18n::Lang;
use super::progress::CliProgress;
use super::size::{point_of, Place};
use super::{CliError, Common};
use crate::config::{load_checklist, load_profile};
use crate::scoring::checklist::{answers, Verdict};
use crate::scoring::ScoringContext;

pub fn run(
    common: &Common,
    profile: &str,
    checklist: Option<&str>,
    place: &Place,
    json: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let profile = load_profile(profile)?;
    let list = load_checklist(checklist.unwrap_or(&profile.id))
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let progress = CliProgress::new(common.lang);
    let (region, _) = common.load_usable(&progress)?;
    let ctx = ScoringContext::new(&region);
    let point = point_of(&ctx, &profile, place)?;
    let site = crate::scoring::candidates::at_point(&ctx, "site", point);
    let answered = answers(&ctx, &profile, &list, &site);
    if json {
        let body = serde_json::json!({
            "checklist": list,
            "point_25833": point,
            "answers": answered,
        });
        serde_json::to_writer_pretty(&mut *out, &body).map_err(std::io::Error::from)?;
        writeln!(out)?;
        return Ok(());
    }
    let en = common.lang == Lang::En;
    writeln!(out, "{}", if en { &list.title_en } else { &list.title })?;
    writeln!(
        out,
        "{}: {}\n",
        if en { "After" } else { "Etter" },
        list.guide
    )?;
    for step in &list.steps {
        writeln!(out, "{}", if en { &step.name_en } else { &step.name })?;
        for item in &step.items {
            let text = if en { &item.text_en } else { &item.text };
            match answered.iter().find(|a| a.item == item.id) {
                Some(a) => {
                    let word = match (a.answer, en) {
                        (Verdict::Yes, false) => "ja",
                        (Verdict::No, false) => "nei",
                        (Verdict::Unknown, false) => "ukjent",
                        (Verdict::Yes, true) => "yes",
                        (Verdict::No, true) => "no",
                        (Verdict::Unknown, true) => "unknown",
                    };
                    let reason = if en { &a.reason_en } else { &a.reason };
                    writeln!(out, "  [{word}] {text}: {reason}")?;
                }
                None => writeln!(
                    out,
                    "  [ ] {text} ({})",
                    if en {
                        "answered by people"
                    } else {
                        "besvares av kommunen"
                    }
                )?,
            }
            writeln!(
                out,
                "      {}: {}",
                if en { "Source" } else { "Kilde" },
                item.source
            )?;
        }
        writeln!(out)?;
    }
    Ok(())
}
