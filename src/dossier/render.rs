//! The dossier as an HTML page (print CSS; a browser prints it to PDF) and as Markdown.
//! Both walk the same sections in the same order with the same numbers.

use std::fmt::Write;

use serde_json::Value;

use super::map::escape;
use super::{Dossier, SECTIONS};

/// Bokmål or English, one choice per dossier.
#[derive(Clone, Copy)]
struct T {
    en: bool,
}

impl T {
    fn s<'a>(self, nb: &'a str, en: &'a str) -> &'a str {
        if self.en {
            en
        } else {
            nb
        }
    }
}

fn num(v: f64, decimals: usize) -> String {
    format!("{v:.decimals$}")
}

fn opt(v: Option<f64>, decimals: usize, unit: &str, t: T) -> String {
    match v {
        Some(v) => format!("{} {unit}", num(v, decimals))
            .trim_end()
            .to_string(),
        None => t.s("ukjent", "unknown").to_string(),
    }
}

/// A data answer (`yes`, `no`, `unknown`) in the dossier's language.
fn yes_no(a: &str, t: T) -> &str {
    match a {
        "yes" => t.s("ja", "yes"),
        "no" => t.s("nei", "no"),
        "unknown" => t.s("ukjent", "unknown"),
        other => other,
    }
}

fn vstr<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// A table: header cells and rows of already formatted cells (plain text).
struct Table {
    head: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// One section's content in a form both renderers write.
enum Block {
    Para(String),
    /// Label and value pairs.
    Facts(Vec<(String, String)>),
    Table(Table),
    /// Raw SVG and its legend (HTML only; Markdown gets a note).
    Map(String, Vec<(String, &'static str)>),
    Heading(String),
}

fn sections(d: &Dossier, t: T) -> Vec<(&'static str, String, Vec<Block>)> {
    let mut out = Vec::new();
    for (id, nb, en) in SECTIONS {
        let blocks = match id {
            "sted" => location(d, t),
            "arealbruk" => landuse(d, t),
            "kart" => vec![Block::Map(
                d.map_svg.clone(),
                d.legend.iter().map(|l| (l.label.clone(), l.fill)).collect(),
            )],
            "score" => scores(d, t),
            "afir" => afir(d, t),
            "nett" => grid(d, t),
            "dimensjonering" => sizing(d, t),
            "synergier" => synergies(d, t),
            "behandling" => review(d, t),
            _ => checklist(d, t),
        };
        out.push((id, t.s(nb, en).to_string(), blocks));
    }
    out
}

fn location(d: &Dossier, t: T) -> Vec<Block> {
    let l = &d.location;
    let kind = match l.kind {
        "site_area" => t.s("område fra kortlisten", "shortlisted site area"),
        "proposal" => t.s("forslag fra kommunen", "municipal proposal"),
        "grid_cell" => t.s("rutenettcelle", "grid cell"),
        _ => t.s("kandidat", "candidate"),
    };
    let mut facts = vec![
        ("Id".to_string(), l.id.clone()),
        (
            t.s("Navn", "Name").into(),
            l.name.clone().unwrap_or_else(|| "–".into()),
        ),
        (t.s("Type", "Kind").into(), kind.into()),
        (
            t.s("Kommune", "Municipality").into(),
            match (&l.kommunenavn, &l.kommunenummer) {
                (Some(n), Some(k)) => format!("{n} ({k})"),
                (None, Some(k)) => k.clone(),
                _ => t
                    .s(
                        "utenfor regionens kommuner",
                        "outside the region's municipalities",
                    )
                    .into(),
            },
        ),
        (
            t.s("Posisjon (WGS 84)", "Position (WGS 84)").into(),
            format!("{:.5}, {:.5}", l.lat, l.lon),
        ),
        (
            "EPSG:25833".into(),
            format!("{:.0} Ø, {:.0} N", l.point_25833[0], l.point_25833[1]),
        ),
    ];
    if let Some(a) = l.area_m2 {
        facts.push((t.s("Areal", "Area").into(), format!("{} m²", num(a, 0))));
    }
    vec![Block::Facts(facts)]
}

fn landuse(d: &Dossier, t: T) -> Vec<Block> {
    let l = &d.landuse;
    let label = if t.en { &l.label_en } else { &l.label };
    let mut facts = vec![(
        t.s("Arealbruk i datagrunnlaget", "Land use in the data")
            .to_string(),
        label
            .clone()
            .unwrap_or_else(|| t.s("ukjent", "unknown").into()),
    )];
    if let Some(a) = &l.zoning_answer {
        let reason = if t.en {
            &l.zoning_reason_en
        } else {
            &l.zoning_reason
        };
        facts.push((
            t.s(
                "Formål i kommuneplanen egner seg",
                "Zoned for it in the municipal plan",
            )
            .into(),
            format!("{}: {}", yes_no(a, t), reason.clone().unwrap_or_default()),
        ));
    }
    vec![
        Block::Facts(facts),
        Block::Para(
            t.s(
                "Planstatus må bekreftes mot gjeldende kommuneplan og reguleringsplan.",
                "Confirm the plan status against the current municipal and zoning plans.",
            )
            .into(),
        ),
    ]
}

fn scores(d: &Dossier, t: T) -> Vec<Block> {
    let mut out = Vec::new();
    let head = vec![
        t.s("Stasjonstype", "Station type").to_string(),
        t.s("Poeng (0–100)", "Score (0–100)").into(),
        t.s("Rangering", "Rank").into(),
        t.s("Utelukket av", "Excluded by").into(),
    ];
    let rows = d
        .scores
        .iter()
        .map(|r| {
            vec![
                r.profile.clone(),
                opt(r.score, 1, "", t),
                r.rank.map(|x| x.to_string()).unwrap_or_else(|| "–".into()),
                if r.exclusions.is_empty() {
                    "–".into()
                } else {
                    r.exclusions
                        .iter()
                        .map(|e| {
                            if t.en {
                                e.reason_en.clone()
                            } else {
                                e.reason.clone()
                            }
                        })
                        .collect::<Vec<_>>()
                        .join("; ")
                },
            ]
        })
        .collect();
    out.push(Block::Table(Table { head, rows }));
    if let Some(r) = d.scores.first() {
        out.push(Block::Heading(format!(
            "{} {}",
            t.s("Slik er poengene regnet for", "How the score adds up for"),
            r.profile
        )));
        out.push(Block::Table(Table {
            head: vec![
                t.s("Kriterium", "Criterion").into(),
                t.s("Målt", "Measured").into(),
                t.s("Vekt", "Weight").into(),
                t.s("Poeng", "Points").into(),
                t.s("Begrunnelse", "Reason").into(),
            ],
            rows: r
                .criteria
                .iter()
                .map(|c| {
                    let raw = match c.raw {
                        Some(v) => format!("{} {}", num(v, 1), c.unit),
                        None => t.s("mangler", "missing").into(),
                    };
                    vec![
                        if t.en {
                            c.label_en.clone()
                        } else {
                            c.label.clone()
                        },
                        if c.estimated {
                            format!("{raw} ({})", t.s("anslått", "estimated"))
                        } else {
                            raw
                        },
                        num(c.weight, 0),
                        num(c.points, 1),
                        if t.en {
                            c.reason_en.clone()
                        } else {
                            c.reason.clone()
                        },
                    ]
                })
                .collect(),
        }));
    }
    out
}

fn afir(d: &Dossier, t: T) -> Vec<Block> {
    let a = &d.afir;
    let mut out = Vec::new();
    if !a.available {
        out.push(Block::Para(
            t.s(
                "Regionen har ingen korridorfil, så AFIR-kravene er ikke vurdert.",
                "The region has no corridors file, so the AFIR rules were not checked.",
            )
            .into(),
        ));
        return out;
    }
    if let Some(n) = if t.en { &a.note_en } else { &a.note } {
        out.push(Block::Para(n.clone()));
    }
    if a.changes.is_empty() {
        out.push(Block::Para(format!(
            "{} {}.",
            t.s(
                "Stedet ligger ikke nær nok en AFIR-korridor til å telle for kravene i",
                "The site is not close enough to an AFIR corridor to count for the rules of"
            ),
            a.year
        )));
        return out;
    }
    let rows = a
        .changes
        .iter()
        .map(|c| {
            let closes = if c.closes.is_empty() {
                t.s("ingen luke her", "no gap here").to_string()
            } else {
                c.closes
                    .iter()
                    .map(|g| {
                        format!(
                            "{}–{} km ({} km)",
                            num(g.from_km, 1),
                            num(g.to_km, 1),
                            num(g.length_km, 1)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let left = if c.left.is_empty() {
                t.s("lukket", "closed").to_string()
            } else {
                c.left
                    .iter()
                    .map(|g| format!("{}–{} km", num(g.from_km, 1), num(g.to_km, 1)))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            vec![
                c.corridor.clone(),
                format!("{} {}", c.rule, c.year),
                format!("{} km", num(c.chainage_km, 1)),
                closes,
                left,
                format!(
                    "{} % → {} %",
                    num(c.share_before * 100.0, 1),
                    num(c.share_after * 100.0, 1)
                ),
            ]
        })
        .collect();
    out.push(Block::Table(Table {
        head: vec![
            t.s("Korridor", "Corridor").into(),
            t.s("Regel", "Rule").into(),
            t.s("Ved km", "At km").into(),
            t.s("Luke i dag", "Gap today").into(),
            t.s("Luke med stedet", "Gap with the site").into(),
            t.s("Dekket", "Covered").into(),
        ],
        rows,
    }));
    out
}

fn grid(d: &Dossier, t: T) -> Vec<Block> {
    if d.substations.is_empty() {
        return vec![Block::Para(
            t.s(
                "Ingen nettstasjon i datagrunnlaget i nærheten.",
                "No substation in the data nearby.",
            )
            .into(),
        )];
    }
    vec![Block::Table(Table {
        head: vec![
            t.s("Nettstasjon", "Substation").into(),
            t.s("Avstand", "Distance").into(),
            t.s("Ledig kapasitet", "Free capacity").into(),
        ],
        rows: d
            .substations
            .iter()
            .map(|s| {
                vec![
                    s.name.clone().unwrap_or_else(|| "–".into()),
                    format!("{} km", num(s.distance_km, 1)),
                    opt(s.available_mw, 1, "MW", t),
                ]
            })
            .collect(),
    })]
}

fn sizing(d: &Dossier, t: T) -> Vec<Block> {
    let s = &d.sizing;
    let traffic = if t.en { &s.traffic_en } else { &s.traffic };
    vec![
        Block::Para(format!(
            "{} {} ({}). {}",
            t.s("Modellanslag, scenario", "Model estimate, scenario"),
            s.scenario_name,
            s.scenario,
            traffic
        )),
        Block::Table(Table {
            head: vec![
                t.s("År", "Year").into(),
                t.s("Ladere / dispensere", "Chargers / dispensers").into(),
                t.s("Effekt", "Power").into(),
                t.s("Areal", "Area").into(),
                t.s("Ankomster i makstimen", "Arrivals in the peak hour")
                    .into(),
                t.s("Nettet", "Grid").into(),
            ],
            rows: s
                .years
                .iter()
                .map(|y| {
                    let (nb, en) = y.grid.describe();
                    vec![
                        y.year.to_string(),
                        format!("{} × {} kW", y.chargers, num(y.power_kw_each, 0)),
                        format!("{} MW", num(y.peak_mw, 2)),
                        format!("{} m²", num(y.area_m2, 0)),
                        num(y.arrivals_peak_hour, 2),
                        if t.en { en } else { nb },
                    ]
                })
                .collect(),
        }),
    ]
}

fn synergies(d: &Dossier, t: T) -> Vec<Block> {
    let s = &d.synergies;
    let list = |key: &str, above: f64| -> Vec<Vec<String>> {
        s.get(key)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter(|r| r.get("minutes").and_then(Value::as_f64).unwrap_or(0.0) > above)
                    .map(|r| {
                        vec![
                            vstr(r, if t.en { "kind_label_en" } else { "kind_label" }).to_string(),
                            vstr(r, "name").to_string(),
                            format!(
                                "{} min",
                                num(r.get("minutes").and_then(Value::as_f64).unwrap_or(0.0), 1)
                            ),
                        ]
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let head = || {
        vec![
            t.s("Type", "Kind").to_string(),
            t.s("Navn", "Name").into(),
            t.s("Kjøretid", "Drive time").into(),
        ]
    };
    let mut out = vec![Block::Para(format!(
        "{}: {}",
        t.s("Synergitall", "Synergy figure"),
        num(s.get("figure").and_then(Value::as_f64).unwrap_or(0.0), 1)
    ))];
    out.push(Block::Heading(
        t.s("Innen 15 minutter", "Within 15 minutes").into(),
    ));
    let near = list("within_15", -1.0);
    if near.is_empty() {
        out.push(Block::Para(t.s("Ingen.", "None.").into()));
    } else {
        out.push(Block::Table(Table {
            head: head(),
            rows: near,
        }));
    }
    out.push(Block::Heading(
        t.s("Innen 15–30 minutter", "Within 15–30 minutes").into(),
    ));
    let far = list("within_30", 15.0);
    if far.is_empty() {
        out.push(Block::Para(t.s("Ingen.", "None.").into()));
    } else {
        out.push(Block::Table(Table {
            head: head(),
            rows: far,
        }));
    }
    out
}

fn review(d: &Dossier, t: T) -> Vec<Block> {
    let Some(r) = &d.review else {
        return vec![Block::Para(
            t.s(
                "Tjenesten kjører uten behandlingslager, så status, stemmer og kommentarer vises ikke.",
                "The service runs without a review store, so status, votes and comments are not shown.",
            )
            .into(),
        )];
    };
    let site = &r["site"];
    let n = |k: &str| site.get(k).and_then(Value::as_i64).unwrap_or(0).to_string();
    let mut out = vec![Block::Facts(vec![
        ("Status".into(), vstr(site, "status").to_string()),
        (t.s("Versjon", "Version").into(), n("version")),
        (t.s("Støtter", "Support").into(), n("support")),
        (t.s("Imot", "Oppose").into(), n("oppose")),
        (
            t.s("Trenger mer informasjon", "Needs information").into(),
            n("needs_info"),
        ),
    ])];
    let comments: Vec<Vec<String>> = r["comments"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| vec![vstr(c, "author").to_string(), vstr(c, "text").to_string()])
                .collect()
        })
        .unwrap_or_default();
    out.push(Block::Heading(t.s("Kommentarer", "Comments").into()));
    if comments.is_empty() {
        out.push(Block::Para(
            t.s("Ingen kommentarer ennå.", "No comments yet.").into(),
        ));
    } else {
        out.push(Block::Table(Table {
            head: vec![t.s("Av", "By").into(), t.s("Kommentar", "Comment").into()],
            rows: comments,
        }));
    }
    let history: Vec<Vec<String>> = r["history"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| vec![vstr(e, "actor").to_string(), vstr(e, "action").to_string()])
                .collect()
        })
        .unwrap_or_default();
    out.push(Block::Heading(t.s("Historikk", "History").into()));
    if history.is_empty() {
        out.push(Block::Para(
            t.s("Ingen endringer ennå.", "No changes yet.").into(),
        ));
    } else {
        out.push(Block::Table(Table {
            head: vec![t.s("Av", "By").into(), t.s("Endring", "Change").into()],
            rows: history,
        }));
    }
    out
}

fn checklist(d: &Dossier, t: T) -> Vec<Block> {
    let c = &d.checklist;
    let mut out = vec![Block::Para(format!(
        "{} {} ({}). {}/{} {}.",
        t.s("Etter", "After"),
        d.guide,
        d.guide_url,
        c["done"].as_u64().unwrap_or(0),
        c["total"].as_u64().unwrap_or(0),
        t.s("punkter er krysset av", "items are ticked")
    ))];
    let items = c["items"].as_array().cloned().unwrap_or_default();
    for step in c["steps"].as_array().cloned().unwrap_or_default() {
        out.push(Block::Heading(
            vstr(&step, if t.en { "name_en" } else { "name" }).to_string(),
        ));
        let rows = items
            .iter()
            .filter(|i| i["step"] == step["id"])
            .map(|i| {
                let data = match i["data"].get("answer").and_then(Value::as_str) {
                    Some(a) => format!(
                        "{}: {}",
                        yes_no(a, t),
                        vstr(&i["data"], if t.en { "reason_en" } else { "reason" })
                    ),
                    None => t.s("besvares av kommunen", "answered by people").into(),
                };
                let tick = match i["tick"].get("done").and_then(Value::as_bool) {
                    Some(done) => format!(
                        "{}{}",
                        if done { "☑" } else { "☐" },
                        i["tick"]
                            .get("comment")
                            .and_then(Value::as_str)
                            .map(|c| format!(" {c}"))
                            .unwrap_or_default()
                    ),
                    None => "☐".into(),
                };
                vec![
                    vstr(i, if t.en { "text_en" } else { "text" }).to_string(),
                    data,
                    tick,
                    vstr(i, "source").to_string(),
                ]
            })
            .collect();
        out.push(Block::Table(Table {
            head: vec![
                t.s("Punkt", "Item").into(),
                t.s("Fra data", "From the data").into(),
                t.s("Kommunen", "Municipality").into(),
                t.s("Kilde", "Source").into(),
            ],
            rows,
        }));
    }
    out
}

const CSS: &str = "body{font-family:system-ui,sans-serif;color:#1a1a1a;max-width:60rem;margin:1.5rem auto;padding:0 1rem;line-height:1.45}\
h1{font-size:1.6rem;margin-bottom:.2rem}h2{border-bottom:2px solid #2b5d34;padding-bottom:.2rem;margin-top:2rem}\
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #bbb;padding:.3rem .45rem;text-align:left;vertical-align:top}\
th{background:#eef2ec}dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{font-weight:600}dd{margin:0}\
.legend{display:flex;flex-wrap:wrap;gap:.4rem 1rem;list-style:none;padding:0}.legend span{display:inline-block;width:1rem;height:.8rem;border:1px solid #555;margin-right:.3rem;vertical-align:middle}\
nav ol{columns:2}.note{color:#444}a{color:#1d4f91}\
@media print{nav,.no-print{display:none}body{margin:0;max-width:none}section{break-inside:avoid-page}h2{break-after:avoid}}";

fn html_block(out: &mut String, b: &Block) {
    match b {
        Block::Para(p) => {
            let _ = write!(out, "<p>{}</p>", escape(p));
        }
        Block::Heading(h) => {
            let _ = write!(out, "<h3>{}</h3>", escape(h));
        }
        Block::Facts(f) => {
            out.push_str("<dl>");
            for (k, v) in f {
                let _ = write!(out, "<dt>{}</dt><dd>{}</dd>", escape(k), escape(v));
            }
            out.push_str("</dl>");
        }
        Block::Table(t) => {
            out.push_str("<table><thead><tr>");
            for h in &t.head {
                let _ = write!(out, "<th scope=\"col\">{}</th>", escape(h));
            }
            out.push_str("</tr></thead><tbody>");
            for r in &t.rows {
                out.push_str("<tr>");
                for c in r {
                    let _ = write!(out, "<td>{}</td>", escape(c));
                }
                out.push_str("</tr>");
            }
            out.push_str("</tbody></table>");
        }
        Block::Map(svg, legend) => {
            let _ = write!(out, "<figure>{svg}<figcaption><ul class=\"legend\">");
            for (label, fill) in legend {
                let _ = write!(
                    out,
                    "<li><span style=\"background:{fill}\"></span>{}</li>",
                    escape(label)
                );
            }
            out.push_str("</ul></figcaption></figure>");
        }
    }
}

/// The dossier as a printable HTML page; `en` for English.
pub fn html(d: &Dossier, en: bool) -> String {
    let t = T { en };
    let title = format!(
        "{}: {}",
        t.s("Saksgrunnlag", "Site dossier"),
        d.location.name.as_deref().unwrap_or(&d.location.id)
    );
    let mut out = String::new();
    let _ = write!(
        out,
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><link rel=\"icon\" href=\"data:,\"><title>{}</title><style>{CSS}</style></head><body><header><h1>{}</h1><p class=\"note\">{} {} · {} {} · {}</p></header>",
        if en { "en" } else { "nb" },
        escape(&title),
        escape(&title),
        t.s("Stasjonstype:", "Station type:"),
        escape(&d.profile_name),
        t.s("datagrunnlag", "data version"),
        escape(&d.data_version),
        t.s(
            "Tall merket anslått er modellanslag, ikke målinger.",
            "Figures marked estimated are model estimates, not measurements."
        ),
    );
    let secs = sections(d, t);
    let _ = write!(
        out,
        "<nav aria-label=\"{}\"><ol>",
        t.s("Innhold", "Contents")
    );
    for (id, name, _) in &secs {
        let _ = write!(out, "<li><a href=\"#{id}\">{}</a></li>", escape(name));
    }
    out.push_str("</ol></nav><main>");
    for (id, name, blocks) in &secs {
        let _ = write!(
            out,
            "<section id=\"{id}\" aria-labelledby=\"h-{id}\"><h2 id=\"h-{id}\">{}</h2>",
            escape(name)
        );
        for b in blocks {
            html_block(&mut out, b);
        }
        out.push_str("</section>");
    }
    let _ = writeln!(
        out,
        "</main><footer><p class=\"note\">{} <a href=\"{}\">{}</a></p></footer></body></html>",
        t.s("Veilederen:", "The guide:"),
        d.guide_url,
        escape(&d.guide)
    );
    out
}

/// Markdown cells cannot hold a pipe or a line break.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The dossier as Markdown, for a case file or a wiki; `en` for English.
pub fn markdown(d: &Dossier, en: bool) -> String {
    let t = T { en };
    let mut out = format!(
        "# {}: {}\n\n{} {} · {} {}. {}\n",
        t.s("Saksgrunnlag", "Site dossier"),
        d.location.name.as_deref().unwrap_or(&d.location.id),
        t.s("Stasjonstype:", "Station type:"),
        d.profile_name,
        t.s("Datagrunnlag", "Data version"),
        d.data_version,
        t.s(
            "Tall merket anslått er modellanslag, ikke målinger.",
            "Figures marked estimated are model estimates, not measurements."
        ),
    );
    for (_, name, blocks) in sections(d, t) {
        let _ = write!(out, "\n## {name}\n");
        for b in blocks {
            match b {
                Block::Para(p) => {
                    let _ = write!(out, "\n{p}\n");
                }
                Block::Heading(h) => {
                    let _ = write!(out, "\n### {h}\n");
                }
                Block::Facts(f) => {
                    out.push('\n');
                    for (k, v) in f {
                        let _ = writeln!(out, "- **{k}:** {v}");
                    }
                }
                Block::Table(tb) => {
                    let _ = write!(
                        out,
                        "\n| {} |\n|",
                        tb.head
                            .iter()
                            .map(|h| cell(h))
                            .collect::<Vec<_>>()
                            .join(" | ")
                    );
                    out.push_str(&" --- |".repeat(tb.head.len()));
                    out.push('\n');
                    for r in &tb.rows {
                        let _ = writeln!(
                            out,
                            "| {} |",
                            r.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")
                        );
                    }
                }
                Block::Map(_, legend) => {
                    let _ = write!(
                        out,
                        "\n{} {}\n",
                        t.s(
                            "Kartet følger HTML-utgaven (format=html). Tegnforklaring:",
                            "The map is in the HTML edition (format=html). Legend:"
                        ),
                        legend
                            .iter()
                            .map(|(l, _)| l.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    );
                }
            }
        }
    }
    let _ = write!(
        out,
        "\n{} [{}]({})\n",
        t.s("Veilederen:", "The guide:"),
        d.guide,
        d.guide_url
    );
    out
}
