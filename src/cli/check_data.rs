//! `energistasjon check-data`: what every layer holds, and what went wrong.

use std::io::Write;

use super::i18n::{Lang, Msg};
use super::progress::CliProgress;
use super::{truncate, CliError, Common};
use crate::domain::corridor::NetworkSettings;
use crate::ingest::{IssueKind, RegionReport};
use crate::network::{Network, RoadGraph, Summary};
use crate::scoring::traffic::Summary as TrafficSummary;

/// How many issues per layer the text report lists; `--json` has them all.
const ISSUES_SHOWN: usize = 10;

pub fn run(common: &Common, json: bool, out: &mut dyn Write) -> Result<(), CliError> {
    let progress = CliProgress::new(common.lang);
    let (_, region, report) = common.load(&progress)?;
    let network = Network::build(&region);
    let fallback;
    let graph = match &network {
        Some(n) => &n.graph,
        None => {
            fallback = RoadGraph::build(&region, NetworkSettings::default().snap_m);
            &fallback
        }
    };
    let summary = (!region.roads.is_empty()).then(|| Summary::of(graph, network.as_ref()));
    let traffic = (!region.traffic.is_empty()).then(|| TrafficSummary::of(&region));
    if json {
        #[derive(serde::Serialize)]
        struct Out<'a> {
            #[serde(flatten)]
            report: &'a RegionReport,
            network: Option<&'a Summary>,
            traffic: Option<&'a TrafficSummary>,
        }
        let body = Out {
            report: &report,
            network: summary.as_ref(),
            traffic: traffic.as_ref(),
        };
        serde_json::to_writer_pretty(&mut *out, &body).map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else {
        write_text(&report, common.lang, out)?;
        if let Some(s) = &summary {
            write_network(s, region.corridors.is_some(), common.lang, out)?;
        }
        if let Some(t) = &traffic {
            write_traffic(t, common.lang, out)?;
        }
    }
    let failed: Vec<String> = report
        .failed_required()
        .map(|l| format!("{} {}", l.role, l.label))
        .collect();
    let problems = summary.as_ref().map_or(0, |s| s.problems.len());
    if !failed.is_empty() {
        Err(CliError::Unusable(format!(
            "{} {}: {}",
            failed.len(),
            common.lang.t(Msg::RequiredFailed),
            failed.join(", ")
        )))
    } else if problems > 0 {
        Err(CliError::Unusable(format!(
            "{problems} {}",
            common.lang.t(Msg::CorridorProblems)
        )))
    } else {
        Ok(())
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

fn write_traffic(t: &TrafficSummary, lang: Lang, out: &mut dyn Write) -> std::io::Result<()> {
    let nb = lang == Lang::Nb;
    writeln!(
        out,
        "\n{}: {} {}, {} {}; {} {}, {} {}",
        if nb { "Trafikk" } else { "Traffic" },
        t.segments,
        if nb { "strekninger" } else { "segments" },
        t.points,
        if nb {
            "tellepunkter"
        } else {
            "counting points"
        },
        t.attached.len(),
        if nb {
            "festet til en E- eller R-veg"
        } else {
            "attached to an E or R road"
        },
        t.unattached.len(),
        if nb { "ikke" } else { "not" },
    )?;
    for a in &t.attached {
        writeln!(
            out,
            "  {:<27} {:<34} {:>7} {}  {:<5} {:>2} {} ({:.1} km)  {}",
            truncate(&a.id, 27),
            truncate(a.name.as_deref().unwrap_or(""), 34),
            crate::scoring::criteria::traffic::thousands(a.aadt),
            if nb { "ÅDT" } else { "AADT" },
            a.road.as_deref().unwrap_or(""),
            a.links,
            if nb { "lenker" } else { "links" },
            a.km,
            a.period.as_deref().unwrap_or(""),
        )?;
    }
    for u in &t.unattached {
        writeln!(
            out,
            "  {} {} ({}): {}",
            if nb { "ikke festet:" } else { "not attached:" },
            u.id,
            u.name.as_deref().unwrap_or(""),
            u.reason
        )?;
    }
    Ok(())
}

fn write_network(
    s: &Summary,
    has_file: bool,
    lang: Lang,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let (nodes, links) = match lang {
        Lang::Nb => ("noder", "lenker"),
        Lang::En => ("nodes", "links"),
    };
    writeln!(
        out,
        "\n{}: {} {nodes}, {} {links}, {} {} m, {} {}",
        lang.t(Msg::Network),
        s.nodes,
        s.edges,
        lang.t(Msg::SnapTolerance),
        s.snap_m,
        s.components,
        lang.t(Msg::Components)
    )?;
    for (i, c) in s.largest.iter().enumerate() {
        writeln!(
            out,
            "  {:>2}. {:>9.1} km ({:>8.1} km E/R), {} {nodes}, {} {links}",
            i + 1,
            c.length_km,
            c.main_length_km,
            c.nodes,
            c.edges
        )?;
    }
    writeln!(
        out,
        "  {}: {:.1} % {}",
        lang.t(Msg::Largest),
        s.main_share_largest * 100.0,
        lang.t(Msg::OfMainRoads)
    )?;
    if !has_file {
        return writeln!(out, "{}", lang.t(Msg::NoCorridorsFile));
    }
    writeln!(out, "\n{}:", lang.t(Msg::Corridors))?;
    for c in &s.corridors {
        writeln!(
            out,
            "  {:<28} {:<13} {:>7.1} km  {}",
            truncate(&c.name, 28),
            c.tent.to_string(),
            c.length_km,
            c.refs.join(", ")
        )?;
    }
    for p in &s.problems {
        writeln!(out, "  {}: {p}", lang.t(Msg::Failed))?;
    }
    Ok(())
}
