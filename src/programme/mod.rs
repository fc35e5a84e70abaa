//! The yearly programme report: per theme each measure's status, latest note and KPI values
//! against targets, then the Klimasats phase II section with the KPIs the service computes.
//! Rendered as Markdown, printable HTML (with inline SVG charts) or CSV. Text only; the
//! caller loads the programme and fills in the computed values.

use std::fmt::Write;

use crate::domain::programme::{Fees, Kpi, Measure, Programme};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Html,
    Csv,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "md" | "markdown" => Some(Format::Markdown),
            "html" => Some(Format::Html),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Markdown => "text/markdown; charset=utf-8",
            Format::Html => "text/html; charset=utf-8",
            Format::Csv => "text/csv; charset=utf-8",
        }
    }
}

/// The programme file a year is read from, under `dir`.
pub fn file_of(dir: &std::path::Path, year: u16) -> std::path::PathBuf {
    dir.join(format!("{year}.toml"))
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e12 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

fn latest(k: &Kpi) -> Option<&crate::domain::programme::KpiValue> {
    k.values.last()
}

fn kpi_line(k: &Kpi) -> String {
    let value = latest(k)
        .map(|v| format!("{} {} ({})", number(v.value), k.unit, v.at))
        .unwrap_or_else(|| "ingen verdi ennå".into());
    let target = k
        .target
        .map(|t| format!(", mål {} {}", number(t), k.unit))
        .unwrap_or_default();
    format!("{}: {value}{target}", k.name)
}

fn latest_note(m: &Measure) -> String {
    m.notes
        .last()
        .map(|n| format!("{} ({}): {}", n.date, n.status.label(), n.text))
        .unwrap_or_default()
}

/// Themes in report order: overall first, then as the file lists them.
fn themes(p: &Programme) -> Vec<(String, String)> {
    let mut out = vec![("overall".to_string(), p.theme_name("overall"))];
    out.extend(p.themes.iter().map(|t| (t.id.clone(), t.name.clone())));
    out
}

/// The Klimasats measure: the one whose KPIs the service computes.
fn klimasats(p: &Programme) -> Option<&Measure> {
    p.measures
        .iter()
        .find(|m| m.kpis.iter().any(|k| k.computed.is_some()))
}

/// The report; with `fees`, Markdown and HTML end with the membership fees.
pub fn render(p: &Programme, fees: Option<&Fees>, format: Format) -> String {
    match format {
        Format::Markdown => {
            let mut s = markdown(p);
            if let Some(f) = fees {
                s.push_str(&fees_markdown(f));
            }
            s
        }
        Format::Html => {
            let s = html(p);
            match fees {
                Some(f) => s.replace(
                    "</body></html>\n",
                    &format!("{}</body></html>\n", fees_html(f)),
                ),
                None => s,
            }
        }
        Format::Csv => csv(p),
    }
}

fn kroner(v: f64) -> String {
    // Whole kroner with thin-space thousands, as Norwegian reports write them.
    let whole = format!("{:.0}", v);
    let mut out = String::new();
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push('\u{2009}');
        }
        out.push(ch);
    }
    out
}

/// "3,00": a rate in kroner as Norwegian documents write it.
fn rate(v: f64) -> String {
    format!("{v:.2}").replace('.', ",")
}

fn fees_markdown(f: &Fees) -> String {
    let mut s = format!(
        "\n## Medlemskontingent\n\n{} kr per innbygger, {} medlemmer: **{} kr**\n\n| kommune | innbyggere | kontingent (kr) |\n|---|---|---|\n",
        rate(f.nok_per_inhabitant),
        f.members.len(),
        kroner(f.total_nok)
    );
    for m in &f.members {
        let _ = writeln!(
            s,
            "| {} | {} | {} |",
            m.kommunenummer,
            m.population,
            kroner(m.fee_nok)
        );
    }
    if !f.missing.is_empty() {
        let _ = writeln!(
            s,
            "\nMangler i befolkningstabellen: {}",
            f.missing.join(", ")
        );
    }
    s
}

fn fees_html(f: &Fees) -> String {
    let mut s = format!(
        "<h2>Medlemskontingent</h2><p>{} kr per innbygger, {} medlemmer: <strong>{} kr</strong></p><table><thead><tr><th>kommune</th><th>innbyggere</th><th>kontingent (kr)</th></tr></thead><tbody>",
        rate(f.nok_per_inhabitant),
        f.members.len(),
        kroner(f.total_nok)
    );
    for m in &f.members {
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&m.kommunenummer),
            m.population,
            kroner(m.fee_nok)
        );
    }
    s.push_str("</tbody></table>");
    s
}

fn markdown(p: &Programme) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Årsrapport {}: {}\n", p.year, p.title);
    let _ = writeln!(s, "{}\n", p.vision);
    for (id, name) in themes(p) {
        let measures: Vec<&Measure> = p.measures.iter().filter(|m| m.theme == id).collect();
        if measures.is_empty() {
            continue;
        }
        let _ = writeln!(s, "## {name}\n");
        for m in measures {
            let _ = writeln!(s, "### {} · {}\n", m.id, m.status.label());
            let _ = writeln!(s, "{}\n", m.text);
            let _ = writeln!(s, "- Resultatmål: {}", m.result_goal);
            let _ = writeln!(s, "- Partnere: {}", m.partners);
            let note = latest_note(m);
            if !note.is_empty() {
                let _ = writeln!(s, "- Siste merknad: {note}");
            }
            for k in &m.kpis {
                let _ = writeln!(s, "- {}", kpi_line(k));
            }
            s.push('\n');
        }
    }
    if let Some(m) = klimasats(p) {
        let _ = writeln!(s, "## Klimasats fase II: energistasjoner ({})\n", m.id);
        let _ = writeln!(
            s,
            "| KPI | verdi | mål | beregnet | fra |\n|---|---|---|---|---|"
        );
        for k in m.kpis.iter().filter(|k| k.computed.is_some()) {
            let (v, at, from) = latest(k)
                .map(|v| {
                    (
                        format!("{} {}", number(v.value), k.unit),
                        v.at.clone(),
                        v.from.clone().unwrap_or_default(),
                    )
                })
                .unwrap_or_default();
            let t = k.target.map(number).unwrap_or_default();
            let _ = writeln!(s, "| {} | {v} | {t} | {at} | {from} |", k.name);
        }
        s.push('\n');
    }
    if !p.budget.is_empty() {
        let _ = writeln!(s, "## Budsjett (tusen kroner)\n");
        let _ = writeln!(
            s,
            "| post | type | budsjett | regnskap |\n|---|---|---|---|"
        );
        for b in &p.budget {
            let kind = match b.kind {
                crate::domain::programme::BudgetKind::Income => "inntekt",
                crate::domain::programme::BudgetKind::Cost => "kostnad",
            };
            let actual = b.actual_knok.map(number).unwrap_or_else(|| "–".into());
            let _ = writeln!(
                s,
                "| {} | {kind} | {} | {actual} |",
                b.post,
                number(b.budget_knok)
            );
        }
    }
    s
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A KPI's values over time as an inline SVG line chart, with the target as a dashed line.
fn chart(k: &Kpi) -> String {
    let (w, h, pad) = (320.0, 120.0, 24.0);
    let values: Vec<f64> = k.values.iter().map(|v| v.value).collect();
    let top = values
        .iter()
        .copied()
        .chain(k.target)
        .fold(0.0f64, f64::max)
        .max(1.0);
    let x = |i: usize| {
        if values.len() <= 1 {
            w / 2.0
        } else {
            pad + (w - 2.0 * pad) * i as f64 / (values.len() - 1) as f64
        }
    };
    let y = |v: f64| h - pad - (h - 2.0 * pad) * v / top;
    let mut svg = format!(
        r#"<svg class="chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{}">"#,
        esc(&k.name)
    );
    let _ = write!(
        svg,
        r##"<line x1="{pad}" y1="{}" x2="{}" y2="{}" stroke="#999"/>"##,
        h - pad,
        w - pad,
        h - pad
    );
    if let Some(t) = k.target {
        let _ = write!(
            svg,
            r##"<line x1="{pad}" y1="{0}" x2="{1}" y2="{0}" stroke="#c0392b" stroke-dasharray="4 3"/><text x="{1}" y="{2}" font-size="10" text-anchor="end" fill="#7a0019">mål {3}</text>"##,
            y(t),
            w - pad,
            y(t) - 3.0,
            number(t)
        );
    }
    let points: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v)))
        .collect();
    if points.len() > 1 {
        let _ = write!(
            svg,
            r##"<polyline fill="none" stroke="#0b3954" stroke-width="2" points="{}"/>"##,
            points.join(" ")
        );
    }
    for (i, v) in values.iter().enumerate() {
        let _ = write!(
            svg,
            r##"<circle cx="{:.1}" cy="{:.1}" r="3" fill="#0b3954"><title>{}: {}</title></circle>"##,
            x(i),
            y(*v),
            esc(&k.values[i].at),
            number(*v)
        );
    }
    svg.push_str("</svg>");
    svg
}

fn html(p: &Programme) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<!doctype html><html lang="nb"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Årsrapport {year}</title><link rel="icon" href="data:,"><style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; }}
h1 {{ color: #0b3954; }} h2 {{ border-bottom: 2px solid #0b3954; padding-bottom: .2rem; }}
.measure {{ break-inside: avoid; border-left: 4px solid #ccc; padding: .2rem .8rem; margin: .8rem 0; }}
.status-planned {{ border-color: #999; }} .status-in_progress {{ border-color: #0072b2; }} .status-done {{ border-color: #009e73; }}
.status-postponed {{ border-color: #e69f00; }} .status-cancelled {{ border-color: #d55e00; }}
.badge {{ font-size: .8rem; background: #eee; padding: .1rem .4rem; border-radius: .2rem; }}
table {{ border-collapse: collapse; width: 100%; }} th, td {{ text-align: left; border-bottom: 1px solid #ddd; padding: .3rem; vertical-align: top; }}
.muted {{ color: #555; font-size: .85rem; }}
@media print {{ body {{ margin: 0; max-width: none; }} a {{ color: inherit; }} }}
</style></head><body><h1>Årsrapport {year}: {title}</h1><p>{vision}</p>"#,
        year = p.year,
        title = esc(&p.title),
        vision = esc(&p.vision)
    );
    for (id, name) in themes(p) {
        let measures: Vec<&Measure> = p.measures.iter().filter(|m| m.theme == id).collect();
        if measures.is_empty() {
            continue;
        }
        let _ = write!(s, "<h2>{}</h2>", esc(&name));
        for m in measures {
            let _ = write!(
                s,
                r#"<section class="measure status-{}" id="{}"><h3>{} <span class="badge">{}</span></h3><p>{}</p><p class="muted">Resultatmål: {}<br>Partnere: {}</p>"#,
                m.status.name(),
                esc(&m.id),
                esc(&m.id),
                m.status.label(),
                esc(&m.text),
                esc(&m.result_goal),
                esc(&m.partners)
            );
            let note = latest_note(m);
            if !note.is_empty() {
                let _ = write!(s, "<p>Siste merknad: {}</p>", esc(&note));
            }
            for k in &m.kpis {
                let _ = write!(s, "<p>{}</p>", esc(&kpi_line(k)));
            }
            s.push_str("</section>");
        }
    }
    if let Some(m) = klimasats(p) {
        let _ = write!(
            s,
            "<h2>Klimasats fase II: energistasjoner ({})</h2><table><thead><tr><th>KPI</th><th>verdi</th><th>mål</th><th>beregnet</th><th>fra</th><th>utvikling</th></tr></thead><tbody>",
            esc(&m.id)
        );
        for k in m.kpis.iter().filter(|k| k.computed.is_some()) {
            let v = latest(k);
            let name = match &k.map_view {
                Some(view) => format!(r#"<a href="{}">{}</a>"#, esc(view), esc(&k.name)),
                None => esc(&k.name),
            };
            let _ = write!(
                s,
                "<tr><td>{name}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"muted\">{}</td><td>{}</td></tr>",
                v.map(|v| format!("{} {}", number(v.value), esc(&k.unit)))
                    .unwrap_or_default(),
                k.target.map(number).unwrap_or_default(),
                v.map(|v| esc(&v.at)).unwrap_or_default(),
                v.and_then(|v| v.from.as_deref()).map(esc).unwrap_or_default(),
                chart(k)
            );
        }
        s.push_str("</tbody></table>");
    }
    if !p.budget.is_empty() {
        s.push_str("<h2>Budsjett (tusen kroner)</h2><table><thead><tr><th>post</th><th>budsjett</th><th>regnskap</th></tr></thead><tbody>");
        for b in &p.budget {
            let _ = write!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&b.post),
                number(b.budget_knok),
                b.actual_knok.map(number).unwrap_or_else(|| "–".into())
            );
        }
        s.push_str("</tbody></table>");
    }
    s.push_str("</body></html>\n");
    s
}

/// One row per measure and KPI (a measure without KPIs gets one row).
fn csv(p: &Programme) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to memory cannot fail; a row that could not be written would show as missing.
    let _ = w.write_record([
        "theme",
        "measure",
        "status",
        "latest_note",
        "kpi",
        "unit",
        "value",
        "target",
        "at",
        "from",
    ]);
    for m in &p.measures {
        let base = [
            p.theme_name(&m.theme),
            m.id.clone(),
            m.status.name().to_string(),
            latest_note(m),
        ];
        if m.kpis.is_empty() {
            let mut row = base.to_vec();
            row.extend(std::iter::repeat_n(String::new(), 6));
            let _ = w.write_record(&row);
        }
        for k in &m.kpis {
            let v = latest(k);
            let mut row = base.to_vec();
            row.extend([
                k.name.clone(),
                k.unit.clone(),
                v.map(|v| number(v.value)).unwrap_or_default(),
                k.target.map(number).unwrap_or_default(),
                v.map(|v| v.at.clone()).unwrap_or_default(),
                v.and_then(|v| v.from.clone()).unwrap_or_default(),
            ]);
            let _ = w.write_record(&row);
        }
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}
