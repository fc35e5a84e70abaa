//! `energistasjon bench-workload`: the peer-comparison workload (see
//! `bench/compare_peers.sh`), timed by stage, with rows written as CSV for checking.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

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
    let (region, _) = common.load_usable(&CliProgress::new(common.lang))?;
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
    for ((p, _), r) in cells.iter().zip(&rows) {
        writeln!(
            w,
            "{},{},{},{:.4},{:.4},{:.4},{:.4},{:.4},{},{}",
            p[0],
            p[1],
            r.kommunenummer.as_deref().unwrap_or(""),
            r.d_main_road,
            r.d_road,
            r.d_rail,
            r.d_port,
            r.d_grid,
            r.landcover.unwrap_or(""),
            u8::from(r.protected)
        )?;
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
