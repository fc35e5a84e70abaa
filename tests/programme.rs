//! The 2025 action programme as data: counts per focus area and cross-cutting theme as the
//! seed document's measure tables have them, three measures word for word, the membership
//! fee on the real population table, and errors for a malformed file.

mod common;

use energistasjon::domain::programme::{membership_fees, parse_population, Programme, ThemeKind};

fn programme() -> Programme {
    let path = common::root().join("data/programme/2025.toml");
    Programme::parse(&std::fs::read_to_string(&path).unwrap(), "2025.toml").unwrap()
}

/// The seed document with all whitespace runs as single spaces.
fn seed() -> String {
    let text =
        std::fs::read_to_string(common::shared_data().join("../seed/000_5ddad3270ded4f7a.txt"))
            .unwrap();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn every_measure_table_of_the_2025_programme_is_there_with_its_rows() {
    let p = programme();
    assert_eq!(p.year, 2025);
    assert_eq!(
        p.priority_issues,
        ["Jernbane", "Oslofjorden", "Kraft og energi"]
    );
    let focus: Vec<&str> = p
        .themes
        .iter()
        .filter(|t| t.kind == ThemeKind::FocusArea)
        .map(|t| t.name.as_str())
        .collect();
    let cross: Vec<&str> = p
        .themes
        .iter()
        .filter(|t| t.kind == ThemeKind::CrossCutting)
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(focus.len(), 4, "{focus:?}");
    assert_eq!(cross.len(), 5, "{cross:?}");
    // Rows per measure table, counted in the seed document (data/programme/2025-counts.md
    // gives each table's lines).
    let per = p.measures_per_theme();
    for (theme, rows) in [
        ("overall", 6),
        ("konkurransekraft-og-naeringsutvikling", 2),
        ("klima-miljo-og-natur", 2),
        ("transport-og-mobilitet", 4),
        ("by-og-regionutvikling", 3),
        ("sirkularokonomi", 2),
        ("gronn-naeringstransport", 2),
        ("kraft-og-energi", 2),
        ("miljotilstanden-i-oslofjorden", 4),
        ("internasjonal-profilering", 3),
    ] {
        assert_eq!(per.get(theme).copied(), Some(rows), "{theme}");
    }
    assert_eq!(p.measures.len(), 30);
    // Every theme named in the document is one of the themes.
    let doc = seed();
    for t in &p.themes {
        assert!(doc.contains(&t.name), "{} is not in the document", t.name);
    }
    assert_eq!(p.membership_fee_nok_per_inhabitant, 3.0);
    assert!(doc.contains("kr 3,00 pr innbygger"));
}

#[test]
fn three_measures_have_their_partners_and_result_goals_word_for_word() {
    let p = programme();
    let doc = seed();
    for (id, partners, goal) in [
        (
            "OS-3",
            "Kommuner, Fylkeskommuner, akademia og næringsliv",
            "Styrke kunnskapen om og identiteten til Osloregionen",
        ),
        (
            "TM-2",
            "Bane Nor, transportselskaper, kommuner og fylkeskommuner",
            "Trygg og effektiv parkering og overgang mellom transportformer",
        ),
        (
            "OF-4",
            "NTNU og kommuner rundt Mjøsa",
            "Strategisk alliansebygging og forsterket innsats",
        ),
    ] {
        let m = p.measure(id).unwrap();
        assert_eq!(m.partners, partners, "{id}");
        assert_eq!(m.result_goal, goal, "{id}");
        // And each is in the document as written, not just in this test.
        for s in [partners, goal] {
            let words: Vec<&str> = s.split_whitespace().collect();
            assert!(doc.contains(&words.join(" ")), "{id}: {s}");
        }
    }
    // The Klimasats measure carries the energy-station KPIs the service computes.
    let gn1 = p.measure("GN-1").unwrap();
    assert!(gn1.text.contains("Klimasats"));
    assert_eq!(gn1.kpis.iter().filter(|k| k.computed.is_some()).count(), 8);
}

#[test]
fn the_membership_fee_is_population_times_three_kroner_on_the_real_table() {
    let text = std::fs::read_to_string(common::shared_data().join("stats/municipalities_2025.csv"))
        .unwrap();
    let pop = parse_population(&text).unwrap();
    let p = programme();
    let oslo = membership_fees(p.membership_fee_nok_per_inhabitant, &["0301".into()], &pop);
    assert_eq!(pop["0301"], 717_710);
    assert_eq!(oslo.members[0].fee_nok, 717_710.0 * 3.0);
    assert_eq!(oslo.total_nok, 2_153_130.0);
    // The demo region's 29 municipalities as the member list.
    let members: Vec<String> = [
        "0301", "3101", "3103", "3105", "3107", "3112", "3118", "3201", "3203", "3205", "3207",
        "3209", "3212", "3214", "3216", "3218", "3220", "3222", "3224", "3226", "3228", "3230",
        "3232", "3238", "3240", "3301", "3305", "3312", "3903",
    ]
    .map(String::from)
    .to_vec();
    let fees = membership_fees(3.0, &members, &pop);
    assert!(fees.missing.is_empty(), "{:?}", fees.missing);
    let inhabitants: u64 = members.iter().map(|m| pop[m]).sum();
    assert_eq!(fees.total_nok, inhabitants as f64 * 3.0);
    assert_eq!(
        fees.members.iter().map(|f| f.fee_nok).sum::<f64>(),
        fees.total_nok
    );
}

#[test]
fn a_malformed_programme_file_names_the_line_and_the_key() {
    let text = std::fs::read_to_string(common::root().join("data/programme/2025.toml")).unwrap();
    let at = text.find("result_goal = \"Trygg og effektiv").unwrap();
    let line = text[..at].matches('\n').count() + 1;
    let bad = text.replacen(
        "result_goal = \"Trygg og effektiv",
        "resultatmal = \"Trygg og effektiv",
        1,
    );
    let e = Programme::parse(&bad, "2025.toml").unwrap_err().to_string();
    assert!(
        e.contains(&format!("line {line}")) && e.contains("resultatmal") && e.contains("2025.toml"),
        "{e}"
    );
    let bad = text.replacen("status = \"planned\"", "status = \"ongoing\"", 1);
    let e = Programme::parse(&bad, "2025.toml").unwrap_err().to_string();
    assert!(e.contains("ongoing") && e.contains("in_progress"), "{e}");
}

/// `energistasjon --db DB report ARGS…`, for 2025 unless ARGS name a year.
fn report(db: &std::path::Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["--db", db.to_str().unwrap(), "report"];
    if !args.contains(&"--year") {
        all.extend(["--year", "2025"]);
    }
    all.extend(args);
    common::run(&all)
}

#[test]
fn the_report_command_renders_every_format_and_refuses_bad_input_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("review.sqlite");
    for (format, marker) in [
        ("md", "## Klimasats fase II"),
        ("html", "<h2>Klimasats fase II"),
        ("csv", "theme,measure,status"),
    ] {
        let out = dir.path().join(format!("report.{format}"));
        let o = report(&db, &["--format", format, "--out", out.to_str().unwrap()]);
        assert!(o.status.success(), "{format}: {}", common::text(&o.stderr));
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(text.contains(marker), "{format}");
        assert!(
            text.contains("Andel av korridorlengden som oppfyller AFIR-kravet for 2030"),
            "{format}"
        );
    }
    let csv = std::fs::read_to_string(dir.path().join("report.csv")).unwrap();
    // One row per measure without KPIs, one per KPI otherwise: 29 + 8.
    assert_eq!(csv.lines().count(), 1 + 29 + 8);
    // Bad input: an unknown format, a year without a programme, a malformed file.
    let bad_dir = dir.path().join("programmes");
    std::fs::create_dir(&bad_dir).unwrap();
    let text = std::fs::read_to_string(common::root().join("data/programme/2025.toml")).unwrap();
    std::fs::write(
        bad_dir.join("2025.toml"),
        text.replacen("partners = ", "partner = ", 1),
    )
    .unwrap();
    for (args, words) in [
        (vec!["--format", "pdf"], "use md, html or csv"),
        (vec!["--year", "1999"], "no action programme for 1999"),
        (
            vec!["--programme-dir", bad_dir.to_str().unwrap()],
            "unknown field `partner`",
        ),
    ] {
        let o = report(&db, &args);
        common::assert_no_panic(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = common::text(&o.stderr);
        assert!(err.contains(words), "{args:?}: {err}");
        if words.contains("partner") {
            assert!(err.contains("line ") && err.contains("2025.toml"), "{err}");
        }
    }
}

#[test]
fn the_report_lists_each_members_fee_from_the_population_table() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("review.sqlite");
    let table = common::shared_data().join("stats/municipalities_2025.csv");
    let o = report(&db, &["--population", table.to_str().unwrap()]);
    assert!(o.status.success(), "{}", common::text(&o.stderr));
    let md = common::text(&o.stdout);
    let pop = parse_population(&std::fs::read_to_string(&table).unwrap()).unwrap();
    // The demo region's 29 municipalities are the members when the programme lists none.
    let section = md
        .split("## Medlemskontingent")
        .nth(1)
        .expect("a fee section");
    let rows: Vec<&str> = section
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| kommune"))
        .collect();
    assert_eq!(rows.len(), 29);
    let kr = |v: f64| {
        let w = format!("{v:.0}");
        let mut s = String::new();
        for (i, c) in w.chars().enumerate() {
            if i > 0 && (w.len() - i) % 3 == 0 {
                s.push('\u{2009}');
            }
            s.push(c);
        }
        s
    };
    assert!(
        rows.contains(&format!("| 0301 | 717710 | {} |", kr(717_710.0 * 3.0)).as_str()),
        "{rows:?}"
    );
    // Every member's row: its population from the table, times 3.00.
    for row in &rows {
        let k = row.split('|').nth(1).unwrap().trim();
        assert_eq!(
            *row,
            format!("| {k} | {} | {} |", pop[k], kr(pop[k] as f64 * 3.0))
        );
    }
    let total: u64 = rows
        .iter()
        .map(|r| pop[r.split('|').nth(1).unwrap().trim()])
        .sum();
    assert!(
        section.contains(&format!("**{} kr**", kr(total as f64 * 3.0))),
        "{section}"
    );
    // A population file that is not one says which line.
    let bad = dir.path().join("pop.csv");
    std::fs::write(&bad, "kommunenummer,population\n0301,mange\n").unwrap();
    let o = report(&db, &["--population", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = common::text(&o.stderr);
    assert!(
        err.contains("line 2") && err.contains("mange") && err.contains("pop.csv"),
        "{err}"
    );
}
