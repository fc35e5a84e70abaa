//! Shapefile limits, handled: field names of at most 10 characters (mapped, with the
//! mapping written beside the data) and a zip holding .shp, .shx, .dbf, .prj and .cpg.

use std::io::Write;
use std::path::Path;

use super::ExportError;

/// Names a criterion column's suffix shortens to.
const SUFFIXES: [(&str, &str); 7] = [
    ("_raw", "_r"),
    ("_unit", "_u"),
    ("_norm", "_n"),
    ("_points", "_p"),
    ("_reason", "_w"),
    ("_source", "_s"),
    ("_year", "_y"),
];

/// Known long names and their short forms, readable in QGIS's attribute table.
const KNOWN: [(&str, &str); 6] = [
    ("rank_municipality", "rank_kommu"),
    ("kommunenummer", "kommunenr"),
    ("kommunenavn", "kommunenav"),
    ("exclusion_reasons", "excl_why"),
    ("data_version", "data_ver"),
    ("exported_at", "exported"),
];

/// DBF field names of at most 10 characters, unique without regard to case, in the same
/// order as `names`. Short names stay as they are.
pub fn short_names(names: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    let taken = |out: &[String], s: &str| out.iter().any(|o| o.eq_ignore_ascii_case(s));
    for name in names {
        let mut short = if name.chars().count() <= 10 {
            name.clone()
        } else if let Some((_, s)) = KNOWN.iter().find(|(long, _)| long == name) {
            s.to_string()
        } else if let Some((long, s)) = SUFFIXES.iter().find(|(long, _)| name.ends_with(long)) {
            let stem: String = name[..name.len() - long.len()]
                .chars()
                .take(10 - s.len())
                .collect();
            format!("{stem}{s}")
        } else {
            name.chars().take(10).collect()
        };
        // Collisions get a number in place of the last characters.
        let mut k = 1;
        while taken(&out, &short) {
            let suffix = k.to_string();
            let stem: String = short.chars().take(10 - suffix.len()).collect();
            short = format!("{}{suffix}", stem.trim_end_matches(char::is_numeric));
            short = short.chars().take(10).collect();
            k += 1;
        }
        out.push(short);
    }
    out
}

/// Zips the shapefile `stem`.* in `dir` into `out`, with `fields.csv` (name,shapefile_name)
/// and `metadata.json` beside the data.
pub fn package(
    dir: &Path,
    stem: &str,
    mapping: &[(String, String)],
    metadata: &serde_json::Value,
    out: &Path,
) -> Result<(), ExportError> {
    let io_err = |e: std::io::Error| ExportError::Gdal {
        path: out.to_path_buf(),
        message: e.to_string(),
    };
    let zip_err = |e: zip::result::ZipError| ExportError::Gdal {
        path: out.to_path_buf(),
        message: e.to_string(),
    };
    let file = std::fs::File::create(out).map_err(io_err)?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for ext in ["shp", "shx", "dbf", "prj", "cpg"] {
        let path = dir.join(format!("{stem}.{ext}"));
        if !path.exists() {
            continue;
        }
        zip.start_file(format!("{stem}.{ext}"), options)
            .map_err(zip_err)?;
        let mut f = std::fs::File::open(&path).map_err(io_err)?;
        std::io::copy(&mut f, &mut zip).map_err(io_err)?;
    }
    zip.start_file("fields.csv", options).map_err(zip_err)?;
    writeln!(zip, "name,shapefile_name").map_err(io_err)?;
    for (long, short) in mapping {
        writeln!(zip, "{long},{short}").map_err(io_err)?;
    }
    zip.start_file("metadata.json", options).map_err(zip_err)?;
    zip.write_all(
        serde_json::to_string_pretty(metadata)
            .unwrap_or_default()
            .as_bytes(),
    )
    .map_err(io_err)?;
    zip.finish().map_err(zip_err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_shorten_to_ten_unique_characters() {
        let names: Vec<String> = [
            "id",
            "rank_municipality",
            "grid_capacity_raw",
            "grid_capacity_points",
            "grid_distance_raw",
            "heavy_traffic_reason",
            "kommunenavn",
            "a_very_long_name_1",
            "a_very_long_name_2",
        ]
        .map(String::from)
        .to_vec();
        let short = short_names(&names);
        assert_eq!(short[0], "id");
        assert_eq!(short[1], "rank_kommu");
        assert_eq!(short[2], "grid_cap_r");
        assert_eq!(short[3], "grid_cap_p");
        for s in &short {
            assert!(s.chars().count() <= 10, "{s}");
        }
        let mut lower: Vec<String> = short.iter().map(|s| s.to_lowercase()).collect();
        lower.sort();
        lower.dedup();
        assert_eq!(lower.len(), names.len(), "{short:?}");
    }
}
