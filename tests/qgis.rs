//! QGIS as a real client: the project the service writes (`GET /qgis/project.qgs`), opened
//! in QGIS 3.22 from Debian (`python3-qgis`, headless) by `tests/qgis/check_project.py`.
//! Every layer is valid through QGIS's OGC API Features provider with the API's feature
//! count, and the map renders. The image is kept in `tests/output/qgis/map.png`.

mod common;

#[test]
fn qgis_opens_every_collection_of_the_project_with_the_apis_counts_and_renders_the_map() {
    let server = common::start_server(&[]);
    let base = format!("http://{}", server.addr);
    let out = common::root().join("tests/output/qgis");
    std::fs::create_dir_all(&out).unwrap();
    let (status, head, body) =
        common::http(&server.addr, "GET", "/qgis/project.qgs", &[], None).unwrap();
    assert_eq!(status, 200, "{head}");
    assert!(head.contains("application/x-qgis-project"), "{head}");
    let project = out.join("energistasjon.qgs");
    std::fs::write(&project, &body).unwrap();
    let image = out.join("map.png");
    let _ = std::fs::remove_file(&image);
    // Debian's Python, where python3-qgis installs (a pyenv python3 on PATH has no qgis).
    let run = std::process::Command::new("/usr/bin/python3")
        .arg(common::root().join("tests/qgis/check_project.py"))
        .args([&base, project.to_str().unwrap(), image.to_str().unwrap()])
        .env("QT_QPA_PLATFORM", "offscreen")
        .output()
        .expect("python3 runs");
    let stdout = common::text(&run.stdout);
    assert!(
        run.status.success(),
        "{stdout}\n{}",
        common::text(&run.stderr)
    );
    let report: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap_or(""))
        .unwrap_or_else(|e| {
            panic!(
                "no JSON from the QGIS check ({e}):\n{stdout}\n{}",
                common::text(&run.stderr)
            )
        });
    assert_eq!(report["read"], true, "{report}");
    assert_eq!(report["crs"], "EPSG:25833");
    let layers = report["layers"].as_array().unwrap();
    // Every non-empty collection of the demo region: 19 less the empty ones, at least 14.
    assert!(layers.len() >= 14, "{report}");
    for l in layers {
        assert_eq!(l["valid"], true, "{l}");
        assert_eq!(l["provider"], "OAPIF", "{l}");
        assert_eq!(l["qgis_count"], l["api_count"], "{l}");
        assert!(l["api_count"].as_i64().unwrap() > 0, "{l}");
        let scored = l["collection"].as_str().unwrap().starts_with("candidates-")
            || l["collection"].as_str().unwrap().starts_with("sites-");
        let renderer = if scored {
            "graduatedSymbol"
        } else {
            "singleSymbol"
        };
        assert_eq!(l["renderer"], renderer, "{l}");
    }
    assert!(
        !report["visible"].as_array().unwrap().is_empty(),
        "{report}"
    );
    assert!(
        report["colours"].as_u64().unwrap() > 5,
        "a blank map: {report}"
    );
    assert!(
        std::fs::metadata(&image).unwrap().len() > 10_000,
        "the image is saved"
    );
}
