//! `energistasjon counts`: the ÅDT this product computes from trafikkdata hourly counts, per
//! counting point, with what each point counts, so a planner can check it against their own.

use std::io::Write;
use std::path::Path;

use super::i18n::Lang;
use super::{truncate, CliError};
use crate::ingest::trafikkdata::read_points;
use crate::scoring::criteria::traffic::thousands;

pub fn run(source: &Path, json: bool, lang: Lang, out: &mut dyn Write) -> Result<(), CliError> {
    let points: Vec<_> = read_points(&source.display().to_string())?
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    if json {
        serde_json::to_writer_pretty(&mut *out, &points).map_err(std::io::Error::from)?;
        writeln!(out)?;
        return Ok(());
    }
    let nb = lang == Lang::Nb;
    writeln!(
        out,
        "{:<14} {:<36} {:>5} {:<23} {:>8} {:>8} {:>8}  {}",
        if nb { "tellepunkt" } else { "point" },
        if nb { "navn" } else { "name" },
        if nb { "døgn" } else { "days" },
        if nb { "periode" } else { "period" },
        if nb { "virkedag" } else { "weekday" },
        if nb { "helg" } else { "weekend" },
        if nb { "ÅDT" } else { "AADT" },
        if nb { "teller" } else { "counts" },
    )?;
    let n = |v: Option<f64>| v.map(thousands).unwrap_or_else(|| "-".into());
    for p in &points {
        writeln!(
            out,
            "{:<14} {:<36} {:>5} {:<23} {:>8} {:>8} {:>8}  {}",
            truncate(&p.id, 14),
            truncate(&p.name, 36),
            p.days.map(|d| d.to_string()).unwrap_or_else(|| "0".into()),
            p.period.as_deref().unwrap_or("-"),
            n(p.weekday),
            n(p.weekend),
            n(p.aadt),
            p.counts,
        )?;
    }
    Ok(())
}
