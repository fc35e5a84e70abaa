//! `energistasjon check-data`: what every layer holds, and what went wrong.

use std::io::Write;

use super::i18n::{Lang, Msg};
use super::progress::CliProgress;
use super::{truncate, CliError, Common};
use crate::ingest::{IssueKind, RegionReport};

/// How many issues per layer the text report lists; `--json` has them all.
const ISSUES_SHOWN: usize = 10;

pub fn run(common: &Common, json: bool, out: &mut dyn Write) -> Result<(), CliError> {
    let progress = CliProgress::new(common.lang);
    let (_, _, report) = common.load(&progress)?;
    if json {
        serde_json::to_writer_pretty(&mut *out, &report).map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else {
        write_text(&report, common.lang, out)?;
    }
    let failed: Vec<String> = report
        .failed_required()
        .map(|l| format!("{} {}", l.role, l.label))
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(CliError::Unusable(format!(
            "{} {}: {}",
            failed.len(),
            common.lang.t(Msg::RequiredFailed),
            failed.join(", ")
        )))
    }
}

fn write_text(report: &RegionReport, lang: Lang, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "{}: {} ({})",
        lang.t(Msg::Region),
        report.region,
        report.config
    )?;
    if report.demonstration {
        writeln!(out, "{}", lang.t(Msg::Demonstration))?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{:<10} {:<28} {:>8} {:>8} {:>8}  {:<34} {}",
        lang.t(Msg::Role),
        lang.t(Msg::Layer),
        lang.t(Msg::Features),
        lang.t(Msg::Repaired),
        lang.t(Msg::Skipped),
        lang.t(Msg::Crs),
        lang.t(Msg::Bbox),
    )?;
    for l in &report.layers {
        let bbox = l
            .bbox_25833
            .map(|b| format!("{:.0} {:.0} {:.0} {:.0}", b[0], b[1], b[2], b[3]))
            .unwrap_or_else(|| "-".into());
        let crs = l.source_crs.clone().unwrap_or_else(|| "-".into());
        let loaded = if l.failed() {
            lang.t(Msg::Failed).to_string()
        } else {
            l.loaded.to_string()
        };
        writeln!(
            out,
            "{:<10} {:<28} {:>8} {:>8} {:>8}  {:<34} {}",
            l.role.as_str(),
            truncate(&l.label, 28),
            loaded,
            l.repaired,
            l.skipped,
            truncate(&crs, 34),
            bbox
        )?;
    }
    for l in &report.layers {
        if let Some(e) = &l.error {
            writeln!(
                out,
                "\n{} {} ({}): {e}",
                lang.t(Msg::Failed),
                l.label,
                l.role
            )?;
        }
        if l.issues.is_empty() {
            continue;
        }
        writeln!(
            out,
            "\n{} ({}) — {}: {}, {}: {}, {}: {}",
            l.label,
            l.source,
            lang.t(Msg::Repaired),
            l.repaired,
            lang.t(Msg::Skipped),
            l.skipped,
            lang.t(Msg::Warnings),
            l.warnings
        )?;
        for i in l.issues.iter().take(ISSUES_SHOWN) {
            let kind = match i.kind {
                IssueKind::Repaired => lang.t(Msg::Repaired),
                IssueKind::Skipped => lang.t(Msg::Skipped),
                IssueKind::Warning => lang.t(Msg::Warning),
            };
            let field = i
                .field
                .as_ref()
                .map(|f| format!(", field '{f}'"))
                .unwrap_or_default();
            writeln!(
                out,
                "  [{kind}] {}, layer '{}', feature {}{field}: {}. Hint: {}",
                l.source,
                l.layer.as_deref().unwrap_or("-"),
                i.feature,
                i.message,
                i.hint
            )?;
        }
        let total = l.repaired + l.skipped + l.warnings;
        if total > ISSUES_SHOWN {
            writeln!(
                out,
                "  … {} {} ({})",
                total - ISSUES_SHOWN,
                lang.t(Msg::AndMore),
                lang.t(Msg::UseJson)
            )?;
        }
    }
    writeln!(out)?;
    let optional_failed = report
        .layers
        .iter()
        .filter(|l| l.failed() && l.optional)
        .count();
    if optional_failed > 0 {
        writeln!(out, "{optional_failed} {}", lang.t(Msg::OptionalFailed))?;
    }
    if report.is_usable() {
        writeln!(out, "{}", lang.t(Msg::AllLayersOk))?;
    }
    Ok(())
}
