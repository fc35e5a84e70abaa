//! `energistasjon bench-network`: the routing workload that `bench/compare_pgrouting.sh`
//! also runs in pgRouting. Writes the graph (edges, corridor nodes) and N candidates with
//! their distance to the nearest corridor, and prints the timings as JSON.
//!
//! Both sides do the same: snap each candidate to its nearest road link (ferries left out),
//! run one Dijkstra from every corridor node at once, and take the cheaper end of the link.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use super::progress::CliProgress;
use super::{CliError, Common};
use crate::network::Network;
use crate::scoring::{candidates, ScoringContext};

#[derive(Serialize)]
struct Timings {
    nodes: usize,
    edges: usize,
    corridor_nodes: usize,
    candidates: usize,
    reached: usize,
    /// Graph, snapping index and corridors from the loaded roads.
    network_build_s: f64,
    /// One multi-source Dijkstra from every corridor node, to all nodes.
    one_to_all_s: f64,
    /// Snapping the candidates and reading their distance off the tree.
    candidates_s: f64,
    /// The two together: what pgRouting's query does.
    distances_s: f64,
}

fn io(e: std::io::Error) -> CliError {
    CliError::Output(e)
}

pub fn run(
    common: &Common,
    n_candidates: usize,
    out: &Path,
    stdout: &mut dyn Write,
) -> Result<(), CliError> {
    let (region, _) = common.load_usable(&CliProgress::new(common.lang))?;
    std::fs::create_dir_all(out).map_err(io)?;
    let t0 = Instant::now();
    let n = Network::build(&region)
        .ok_or_else(|| CliError::Usage("the region config names no corridors file".into()))?;
    let network_build_s = t0.elapsed().as_secs_f64();
    let g = &n.graph;

    // Candidates: every k-th cell of a 250 m grid over the study area that lies within the
    // snapping limit of a road, for an even spread of candidates on the network.
    let ctx = ScoringContext::new(&region);
    let filter = crate::scoring::AreaFilter {
        prefixes: ["03", "31", "32", "33", "39"].map(String::from).to_vec(),
    };
    let on_network: Vec<[f64; 2]> = candidates::grid(&ctx, 250.0, &filter)
        .iter()
        .map(|c| c.point)
        .filter(|&p| n.snap(p, "candidate").is_ok())
        .collect();
    let step = (on_network.len() / n_candidates.max(1)).max(1);
    let points: Vec<[f64; 2]> = on_network
        .into_iter()
        .step_by(step)
        .take(n_candidates)
        .collect();

    let seeds: Vec<(u32, f64, u32)> = n
        .corridors
        .iter()
        .flat_map(|c| c.nodes.iter().map(|&(node, _)| (node, 0.0, 0)))
        .collect();
    let t1 = Instant::now();
    let tree = g.search(&seeds, f64::INFINITY, &|_| true);
    let one_to_all_s = t1.elapsed().as_secs_f64();
    let t2 = Instant::now();
    let dist: Vec<Option<(crate::network::Snap, f64)>> = points
        .iter()
        .map(|&p| {
            let s = n.snap(p, "candidate").ok()?;
            let (d, _) = g.reach(&tree, &s)?;
            Some((s, d))
        })
        .collect();
    let candidates_s = t2.elapsed().as_secs_f64();

    let mut w = BufWriter::new(std::fs::File::create(out.join("edges.csv")).map_err(io)?);
    writeln!(w, "id,source,target,cost,reverse_cost,ferry,wkt").map_err(io)?;
    for e in 0..g.edge_count() as u32 {
        let (a, b) = g.ends(e);
        let edge = g.edge(e);
        let cost = edge.length_m
            + if edge.ferry {
                n.settings.ferry_penalty_km * 1000.0
            } else {
                0.0
            };
        let coords: Vec<String> = g
            .coords(&region, e)
            .iter()
            .map(|c| format!("{} {}", c.x, c.y))
            .collect();
        // pgRouting marks a closed direction with a negative cost.
        let forward = if edge.forward() { cost } else { -1.0 };
        let backward = if edge.backward() { cost } else { -1.0 };
        writeln!(
            w,
            "{e},{a},{b},{forward},{backward},{},\"LINESTRING({})\"",
            edge.ferry,
            coords.join(",")
        )
        .map_err(io)?;
    }
    w.flush().map_err(io)?;
    let mut w = BufWriter::new(std::fs::File::create(out.join("corridor_nodes.csv")).map_err(io)?);
    writeln!(w, "node").map_err(io)?;
    let mut nodes: Vec<u32> = seeds.iter().map(|s| s.0).collect();
    nodes.sort_unstable();
    nodes.dedup();
    for node in &nodes {
        writeln!(w, "{node}").map_err(io)?;
    }
    w.flush().map_err(io)?;
    let mut w = BufWriter::new(std::fs::File::create(out.join("candidates.csv")).map_err(io)?);
    writeln!(w, "id,x,y,edge,distance_m").map_err(io)?;
    for (i, (p, d)) in points.iter().zip(&dist).enumerate() {
        match d {
            Some((s, d)) => writeln!(w, "{i},{},{},{},{d}", p[0], p[1], s.edge),
            None => writeln!(w, "{i},{},{},,", p[0], p[1]),
        }
        .map_err(io)?;
    }
    w.flush().map_err(io)?;
    let t = Timings {
        nodes: g.node_count(),
        edges: g.edge_count(),
        corridor_nodes: nodes.len(),
        candidates: points.len(),
        reached: dist.iter().filter(|d| d.is_some()).count(),
        network_build_s,
        one_to_all_s,
        candidates_s,
        distances_s: one_to_all_s + candidates_s,
    };
    serde_json::to_writer_pretty(&mut *stdout, &t).map_err(std::io::Error::from)?;
    writeln!(stdout)?;
    Ok(())
}
