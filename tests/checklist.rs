//! The guide's checklist "veien til vedtak" for a site: the items the data answer, on the demo
//! region (an LNFR field and a business parcel), and bad checklist files.

mod common;

use serde_json::Value;

fn checklist(args: &[&str]) -> Value {
    let mut all = vec!["checklist"];
    all.extend_from_slice(args);
    all.push("--json");
    let o = common::run(&all);
    common::assert_no_panic(&o);
    assert!(o.status.success(), "{}", common::text(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn answer<'a>(v: &'a Value, item: &str) -> &'a Value {
    v["answers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["item"] == item)
        .unwrap_or_else(|| panic!("no answer to {item}: {v}"))
}

#[test]
fn a_site_in_an_lnf_area_gets_no_on_zoning_with_the_reason() {
    // The middle of "Søråsjordet LNFR-område" (arealformål 5000) in the demo land use.
    let v = checklist(&["--profile", "depot", "--at", "10.7683,59.66649"]);
    let zoning = answer(&v, "arealformal");
    assert_eq!(zoning["answer"], "no", "{zoning}");
    let reason = zoning["reason"].as_str().unwrap();
    assert!(
        reason.contains("LNF") && reason.contains("§ 19-2"),
        "{reason}"
    );
    // Every step of the guide is there, each item with its source.
    let steps: Vec<&str> = v["checklist"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        ["early", "zoning", "grid", "safety", "permit", "enova"]
    );
    // People answer the rest: only items marked in the file are answered.
    let items = v["checklist"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["items"].as_array().unwrap().clone())
        .collect::<Vec<_>>();
    let marked = items.iter().filter(|i| !i["answer"].is_null()).count();
    assert_eq!(v["answers"].as_array().unwrap().len(), marked);
    assert!(marked < items.len());
}

#[test]
fn a_business_parcel_gets_yes_on_zoning_and_the_grid_answer_follows_the_sizing() {
    let v = checklist(&["--profile", "mcs-corridor", "--site", "p9_3"]);
    assert_eq!(answer(&v, "arealformal")["answer"], "yes", "{v}");
    // The grid item says what /api/sizing says for 2030 (feasible: 3.2 MW of 35 MW free).
    let grid = answer(&v, "nett-2030");
    assert_eq!(grid["answer"], "yes", "{grid}");
    assert!(
        grid["reason"].as_str().unwrap().contains("3.2 MW"),
        "{grid}"
    );
    let road = answer(&v, "tilgang-e-r-veg");
    assert_eq!(road["answer"], "yes", "{road}");
    assert!(road["reason"].as_str().unwrap().contains("E6"), "{road}");
}

#[test]
fn a_bad_checklist_file_is_refused_with_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(common::root().join("data/checklists/depot.toml")).unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(
        &path,
        text.replacen("answer = \"landuse\"", "answer = \"zoning\"", 1),
    )
    .unwrap();
    let o = common::run(&[
        "checklist",
        "--profile",
        "depot",
        "--checklist",
        path.to_str().unwrap(),
        "--at",
        "10.7683,59.66649",
    ]);
    common::assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(2));
    let err = common::text(&o.stderr);
    assert!(
        err.contains("bad.toml, line ")
            && err.contains("key `steps[1].items[0].answer`")
            && err.contains("'zoning' is not something the data answer"),
        "{err}"
    );
}
