//! `energistasjon bench-workload`: the peer-comparison workload (see
//! `bench/compare_peers.sh`), timed by stage, with rows written as CSV for checking.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

use super::progress::CliProgress;
use super::{CliError, Common};
use crate::scoring::workload::Workload;
use crate::scoring::AreaFilter;

#[derive(Serialize)]
struct Timings {
    candidates: usize,
    load_s: f64,
    workload_s: f64,
    index_s: f64,
    grid_s: f64,
    query_s: f64,
    write_s: f64,
    peak_rss_mb: Option<f64>,
    threads: usize,
}

/// Writes `v` with four decimals, exactly as `format!("{v:.4}")` does. Rust formats exact
/// decimals with a slow big-number path; a value whose tenths of a thousandth are not within
/// a few ulps of a tie rounds the same from its product with 10,000, in integers.
fn fixed4(v: f64, out: &mut Vec<u8>) {
    let s = v * 10_000.0;
    let r = s.round();
    let tie = ((s - s.trunc()).abs() - 0.5).abs() <= s.abs() * 1e-15 + 1e-12;
    let negative_or_nan = v.is_nan() || v < 0.0 || v.is_sign_negative();
    if negative_or_nan || !s.is_finite() || s >= 9.0e15 || tie {
        let _ = write!(out, "{v:.4}");
        return;
    }
    let r = r as u64;
    let _ = write!(out, "{}.{:04}", r / 10_000, r % 10_000);
}

/// Peak resident memory of this process so far (Linux), in MiB.
pub fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

pub fn run(
    common: &Common,
    size: f64,
    municipalities: Vec<String>,
    out: &Path,
    stdout: &mut dyn Write,
) -> Result<(), CliError> {
    let t0 = Instant::now();
    // Only the layers the workload reads, as the peers read only theirs.
    let mut config = common.config()?;
    config.layers.retain(|l| {
        use crate::domain::layers::Role::*;
        matches!(
            l.role,
            Boundary | Landuse | Roads | Rail | Terminals | Grid | Exclusion
        )
    });
    let options = crate::ingest::LoadOptions {
        data_dir: common.data_dir.clone(),
    };
    let (region, report) =
        crate::ingest::load_region(&config, &options, &CliProgress::new(common.lang));
    if !report.is_usable() {
        return Err(CliError::Unusable(
            common.lang.t(super::i18n::Msg::NotStarting).to_string(),
        ));
    }
    let load_s = t0.elapsed().as_secs_f64();

    let t1 = Instant::now();
    let workload = Workload::new(&region);
    let index_s = t1.elapsed().as_secs_f64();
    let t2 = Instant::now();
    let cells = workload.cells(
        &region,
        size,
        &AreaFilter {
            prefixes: municipalities,
        },
    );
    let grid_s = t2.elapsed().as_secs_f64();
    let t3 = Instant::now();
    let rows = workload.run(&region, &cells);
    let query_s = t3.elapsed().as_secs_f64();
    let workload_s = t1.elapsed().as_secs_f64();

    let t4 = Instant::now();
    let mut w = BufWriter::new(std::fs::File::create(out)?);
    writeln!(
        w,
        "x,y,kommunenummer,d_main_road,d_road,d_rail,d_port,d_grid,landcover,protected"
    )?;
    // Rows are formatted in parallel blocks and written in order.
    let blocks: Vec<Vec<u8>> = cells
        .par_chunks(8192)
        .zip(rows.par_chunks(8192))
        .map(|(cells, rows)| {
            let mut w = csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(Vec::with_capacity(cells.len() * 80));
            let mut field = Vec::with_capacity(32);
            for ((p, _), r) in cells.iter().zip(rows) {
                let _ = w.write_field(p[0].to_string());
                let _ = w.write_field(p[1].to_string());
                let _ = w.write_field(r.kommunenummer.as_deref().unwrap_or(""));
                for d in [r.d_main_road, r.d_road, r.d_rail, r.d_port, r.d_grid] {
                    field.clear();
                    fixed4(d, &mut field);
                    let _ = w.write_field(&field);
                }
                let _ = w.write_field(r.landcover.unwrap_or(""));
                let _ = w.write_field(if r.protected { "1" } else { "0" });
                let _ = w.write_record(None::<&[u8]>);
            }
            w.into_inner().unwrap_or_default()
        })
        .collect();
    for b in &blocks {
        w.write_all(b)?;
    }
    w.flush()?;
    let write_s = t4.elapsed().as_secs_f64();
    let timings = Timings {
        candidates: cells.len(),
        load_s,
        workload_s,
        index_s,
        grid_s,
        query_s,
        write_s,
        peak_rss_mb: peak_rss_mb(),
        threads: rayon::current_num_threads(),
    };
    serde_json::to_writer(&mut *stdout, &timings).map_err(std::io::Error::from)?;
    writeln!(stdout)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_decimals_are_written_as_the_standard_formatter_writes_them() {
        let mut values = vec![
            0.0,
            -0.0,
            0.00005,
            0.00015,
            0.00025,
            1.23445,
            2.5,
            1e-9,
            123456.78905,
            9.99995,
            f64::INFINITY,
            f64::NAN,
            -1.5,
            1e300,
            4_503_599_627_370.496,
        ];
        // Distances as the workload makes them, and values on and near ties.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let v = (x >> 11) as f64 / (1u64 << 53) as f64 * 400_000.0;
            values.push(v);
            values.push((v * 10_000.0).floor() / 10_000.0 + 0.00005);
        }
        for v in values {
            let mut got = Vec::new();
            fixed4(v, &mut got);
            assert_eq!(String::from_utf8(got).unwrap(), format!("{v:.4}"), "{v:e}");
        }
    }
}
