//! The `energistasjon` command line: argument parsing only; the work is in the library.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use energistasjon::cli::{self, CliError, Common, Lang};

#[derive(Parser)]
#[command(
    name = "energistasjon",
    version,
    about = "Planlegging av energistasjoner for tungtransport / planning energy stations for heavy transport"
)]
struct Args {
    /// Region config (TOML). Default: the bundled demo region.
    #[arg(long, global = true, env = "ENERGISTASJON_REGION")]
    region: Option<PathBuf>,
    /// The folder that `{data_dir}` in the region config refers to.
    #[arg(long, global = true, env = "ENERGISTASJON_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// The review store: a SQLite file (created when missing).
    #[arg(
        long,
        global = true,
        env = "ENERGISTASJON_DB",
        default_value = "energistasjon.sqlite"
    )]
    db: String,
    /// Language for messages: nb (bokmål) or en.
    #[arg(long, global = true, env = "ENERGISTASJON_LANG", default_value = "nb")]
    lang: Lang,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Load every layer and report counts, CRS, extent and problems.
    CheckData {
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Score candidate sites for a station type and write them ranked, with explanations.
    Score(ScoreCmd),
    /// How big a station must be at a site (chargers, MW, land; kg for fuels) per year and
    /// scenario, and whether the grid nearby can feed it; or the bare queue (--arrivals-per-hour).
    Size(SizeCmd),
    /// The guide's checklist "veien til vedtak" for a site: each step's items with their
    /// sources, and the items the data answer (land use, grid, distances) answered.
    Checklist(ChecklistCmd),
    /// Freight terminals, ports, logistics hubs and approved sites within 15 and 30 minutes'
    /// drive of a site, with drive times and a synergy figure.
    Synergies(SynergiesCmd),
    /// The site dossier (saksgrunnlag) for case handling: location, land use, a map, score
    /// per profile, AFIR gaps it closes, grid, sizing, synergies, review and the checklist.
    Dossier(DossierCmd),
    /// The ÅDT computed from trafikkdata hourly counts (CSV or CSV.gz, a file or a folder),
    /// per counting point, with what each point counts.
    Counts {
        /// A trafikkdata CSV file, or a folder of them.
        source: PathBuf,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// The peer-comparison workload on a grid (see bench/compare_peers.sh); prints timings as JSON.
    BenchWorkload {
        /// Grid spacing in metres.
        #[arg(long, default_value_t = 250.0)]
        grid: f64,
        /// Only municipalities whose kommunenummer starts with one of these; `all` for every one.
        #[arg(long, value_delimiter = ',', default_value = "03,31,32,33,39")]
        municipalities: Vec<String>,
        /// Where to write the rows (CSV, EPSG:25833).
        #[arg(long)]
        out: PathBuf,
    },
    /// The routing workload of bench/compare_pgrouting.sh: candidate-to-corridor distances;
    /// prints timings as JSON and writes the graph and the distances.
    BenchNetwork {
        /// How many candidates.
        #[arg(long, default_value_t = 10_000)]
        candidates: usize,
        /// Folder for edges.csv, corridor_nodes.csv and candidates.csv.
        #[arg(long)]
        out: PathBuf,
    },
    /// Export a profile's candidates or an input layer: GeoJSON, GeoPackage, CSV, FlatGeobuf
    /// or zipped Shapefile, filtered like the map.
    Export(ExportCmd),
    /// Serve the region over HTTP.
    Serve(ServeCmd),
    /// Users of the review workflow.
    #[command(subcommand)]
    User(UserCmd),
    /// Back the review store (--db) up to a file while the service keeps running: SQLite's
    /// online backup (one consistent snapshot), or pg_dump for PostgreSQL.
    Backup {
        /// The backup file to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Bring a backup back as the review store (--db). Stop the service first.
    Restore {
        /// The backup file `energistasjon backup` wrote.
        #[arg(long)]
        from: PathBuf,
        /// Replace an existing SQLite store (it is kept beside it as
        /// <db>.before-restore-<time>).
        #[arg(long)]
        force: bool,
    },
    /// AFIR coverage per corridor: stations counted, gaps with chainage, share covered, pass or fail.
    Corridors(CorridorsCmd),
    /// Choose k site areas that close the AFIR gaps or cover the most heavy traffic.
    Select(SelectCmd),
    /// The best distinct, named site areas of a profile: neighbouring candidates grouped,
    /// then the top k at least a minimum distance apart (the "Locate" step).
    Shortlist(ShortlistCmd),
    /// The yearly action-programme report: measures, statuses, KPIs against targets, and the
    /// Klimasats phase II KPIs computed from the review store.
    Report(ReportCmd),
}

#[derive(clap::Args)]
struct ReportCmd {
    /// The programme year (data/programme/{year}.toml).
    #[arg(long)]
    year: u16,
    /// md, html or csv.
    #[arg(long, default_value = "md")]
    format: String,
    /// Write here instead of to standard output.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Folder holding {year}.toml (default: the shipped data/programme).
    #[arg(long)]
    programme_dir: Option<PathBuf>,
    /// Population table (CSV with kommunenummer and population): adds the membership fees.
    #[arg(long)]
    population: Option<PathBuf>,
}

#[derive(clap::Args)]
struct CorridorsCmd {
    /// Rule year: 2025, 2027 or 2030 (data/afir.toml).
    #[arg(long, default_value_t = 2030)]
    year: u16,
    /// Count these candidates as built (ids from score or export; comma-separate or repeat).
    #[arg(long, value_delimiter = ',')]
    assume: Vec<String>,
    /// Count every heavy-vehicle charging station whatever its power: spacing alone.
    #[arg(long)]
    ignore_power: bool,
    /// Print the report as JSON (with every station and gap).
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
struct ShortlistCmd {
    /// Profile: mcs-corridor, depot, hydrogen, biogas, or a path to a .toml profile.
    #[arg(long)]
    profile: String,
    /// Candidates on a square grid with this spacing in metres, instead of parcels.
    #[arg(long, value_name = "METRES")]
    grid: Option<f64>,
    /// The grid's municipalities: kommunenummer prefixes, or `all`.
    #[arg(long, value_delimiter = ',', default_value = "03,31,32,33,39")]
    municipalities: Vec<String>,
    /// How many areas (default: the profile's `[sites] k`).
    #[arg(long)]
    k: Option<usize>,
    /// Least distance between chosen areas, km, straight line and edge to edge (default: the profile's).
    #[arg(long, allow_hyphen_values = true)]
    min_spacing_km: Option<f64>,
    /// Least area of a chosen area, hectares (default: the profile's).
    #[arg(long, allow_hyphen_values = true)]
    min_area_ha: Option<f64>,
    /// At most this many areas per municipality.
    #[arg(long)]
    max_per_municipality: Option<usize>,
    /// Only candidates in this municipality (kommunenummer, e.g. 0301).
    #[arg(long)]
    municipality: Option<String>,
    /// Only candidates scoring at least this.
    #[arg(long)]
    min_score: Option<f64>,
    /// Custom weights, e.g. grid_capacity=40,main_road=15 (all weights must still sum to 100).
    #[arg(long, value_delimiter = ',', value_parser = parse_weight)]
    weights: Vec<(String, f64)>,
    /// Also write the areas (polygons) to this file: .geojson, .gpkg, .csv, .fgb or .shp.zip.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Overwrite the output file if it exists.
    #[arg(long)]
    force: bool,
    /// Print the shortlist as JSON (outlines in CRS84).
    #[arg(long)]
    json: bool,
    /// The demand scenario each area is sized under (chargers and MW for 2025 and 2030).
    #[arg(long, default_value = "default")]
    scenario: String,
}

#[derive(clap::Args)]
struct SelectCmd {
    /// Profile whose candidates to choose from: mcs-corridor, depot, hydrogen, biogas, or a .toml.
    #[arg(long)]
    profile: String,
    /// How many sites to choose (at most).
    #[arg(long, default_value_t = 5)]
    k: usize,
    /// close-gaps (AFIR spacing) or cover-traffic (heavy vehicles × km within reach).
    #[arg(long, default_value = "close-gaps", value_parser = ["close-gaps", "cover-traffic"])]
    objective: String,
    /// Rule year: 2025, 2027 or 2030.
    #[arg(long, default_value_t = 2030)]
    year: u16,
    /// Candidates on a square grid with this spacing in metres, instead of parcels.
    #[arg(long, value_name = "METRES")]
    grid: Option<f64>,
    /// The grid's municipalities: kommunenummer prefixes, or `all`.
    #[arg(long, value_delimiter = ',', default_value = "03,31,32,33,39")]
    municipalities: Vec<String>,
    /// Only candidates scoring at least this (0–100).
    #[arg(long, default_value_t = 0.0)]
    min_score: f64,
    /// No two picks closer than this many km (straight line).
    #[arg(long, default_value_t = 10.0)]
    min_spacing_km: f64,
    /// cover-traffic: a pick covers roads within this driving distance. Default: half the rule's spacing.
    #[arg(long)]
    radius_km: Option<f64>,
    /// Count these candidates as built before choosing.
    #[arg(long, value_delimiter = ',')]
    assume: Vec<String>,
    /// Count every heavy-vehicle charging station whatever its power.
    #[arg(long)]
    ignore_power: bool,
    /// Print the selection as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["profile", "layer"])))]
struct ExportCmd {
    /// Profile whose candidates to export: mcs-corridor, depot, hydrogen, biogas, or a .toml.
    #[arg(long)]
    profile: Option<String>,
    /// An input layer instead: municipalities, landuse, roads, rail, terminals, hub-clusters, grid, stations, exclusion.
    #[arg(long)]
    layer: Option<String>,
    /// geojson, gpkg, csv, fgb or shp (a zip). Default: from the file name.
    #[arg(long)]
    format: Option<String>,
    /// Candidates on a square grid with this spacing in metres, instead of parcels.
    #[arg(long, value_name = "METRES")]
    grid: Option<f64>,
    /// The grid's municipalities: kommunenummer prefixes, or `all`.
    #[arg(long, value_delimiter = ',', default_value = "03,31,32,33,39")]
    municipalities: Vec<String>,
    /// Only candidates in this municipality (kommunenummer, e.g. 0301).
    #[arg(long)]
    municipality: Option<String>,
    /// Only candidates scoring at least this.
    #[arg(long)]
    min_score: Option<f64>,
    /// Only candidates at this review status (proposed, under_review, recommended, approved,
    /// rejected, built), from the review store (--db).
    #[arg(long)]
    status: Option<String>,
    /// Only features within minLon,minLat,maxLon,maxLat (CRS84).
    #[arg(long, allow_hyphen_values = true)]
    bbox: Option<String>,
    /// Order: a property, with - for descending. Candidates default to -score.
    #[arg(long, allow_hyphen_values = true)]
    sortby: Option<String>,
    /// Output CRS for gpkg, fgb and shp, e.g. EPSG:25832. Default EPSG:25833.
    #[arg(long)]
    crs: Option<String>,
    /// CSV geometry: wkt, or lonlat columns.
    #[arg(long, default_value = "wkt", value_parser = ["wkt", "lonlat"])]
    csv_geometry: String,
    /// Leave out the one-line reasons per criterion (smaller files).
    #[arg(long)]
    no_reasons: bool,
    /// Export the profile's site areas (named polygons, best first) instead of its candidates.
    #[arg(long)]
    sites: bool,
    /// Add sizing columns (chargers, MW, area needed, grid verdict for 2025 and 2030) under
    /// this demand scenario: default, low, high or a .toml path. Model estimates.
    #[arg(long)]
    scenario: Option<String>,
    /// Where to write.
    #[arg(long)]
    out: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    force: bool,
}

#[derive(Subcommand)]
enum UserCmd {
    /// Add a user; the password comes from ENERGISTASJON_PASSWORD or standard input.
    Add {
        #[arg(long)]
        username: String,
        /// municipality, coordinator or admin.
        #[arg(long)]
        role: String,
        /// Kommunenummer the user works in (municipality users); repeat or comma-separate.
        #[arg(long = "kommune", value_delimiter = ',')]
        municipalities: Vec<String>,
    },
}

#[derive(clap::Args)]
struct ServeCmd {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", env = "ENERGISTASJON_ADDR")]
    addr: SocketAddr,
    /// Also measure every profile on a grid of this spacing in metres, for
    /// `POST /api/score` with `"candidates": "grid"`.
    #[arg(long, value_name = "METRES")]
    grid: Option<f64>,
    /// The grid's municipalities: kommunenummer prefixes, or `all` for every municipality
    /// of the region.
    #[arg(long, value_delimiter = ',', default_value = "03,31,32,33,39")]
    municipalities: Vec<String>,
    /// Where the grid's measurements are cached between starts (one file per data version,
    /// grid and set of profiles). Default: $XDG_CACHE_HOME/energistasjon or
    /// ~/.cache/energistasjon.
    #[arg(long, value_name = "DIR", env = "ENERGISTASJON_CACHE_DIR")]
    cache_dir: Option<PathBuf>,
    /// Measure the grid at every start, and neither read nor write the cache.
    #[arg(long)]
    no_cache: bool,
    /// Seconds a request may run before it gets a 503.
    #[arg(long, default_value_t = 30.0, value_name = "SECONDS")]
    timeout: f64,
    /// Allow browsers on this origin to call the API (CORS); repeat for more, `*` for any.
    /// Off when not given.
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    cors_origins: Vec<String>,
    /// Population table (CSV with kommunenummer and population) for the membership fees at
    /// /api/programme/{year}/fees, e.g. ../shared/data/stats/municipalities_2025.csv.
    #[arg(long)]
    population: Option<PathBuf>,
    /// Megabytes of encoded map tiles kept for repeat requests; 0 keeps none.
    #[arg(long, default_value_t = 32, value_name = "MB")]
    tile_cache_mb: u64,
}

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["parcels", "grid", "candidates"])))]
struct ScoreCmd {
    /// Profile: mcs-corridor, depot, hydrogen, biogas, or a path to a .toml profile.
    #[arg(long)]
    profile: String,
    /// Candidates from suitable land-use parcels near main roads.
    #[arg(long)]
    parcels: bool,
    /// Candidates on a square grid with this spacing in metres.
    #[arg(long, value_name = "METRES")]
    grid: Option<f64>,
    /// Candidates from a file (any format GDAL reads); their own attributes are kept.
    #[arg(long, value_name = "FILE")]
    candidates: Option<PathBuf>,
    /// CRS of the candidates file when it has none (CSV), e.g. EPSG:4326.
    #[arg(long, value_name = "CRS")]
    candidates_srs: Option<String>,
    /// Only municipalities whose kommunenummer starts with one of these (comma-separated).
    #[arg(long, value_delimiter = ',')]
    municipalities: Vec<String>,
    /// Output file: .geojson, .gpkg or .csv.
    #[arg(long)]
    out: PathBuf,
    /// Overwrite the output file if it exists.
    #[arg(long)]
    force: bool,
    /// Custom weights, e.g. grid_capacity=40,main_road=15 (all weights must still sum to 100).
    #[arg(long, value_delimiter = ',', value_parser = parse_weight)]
    weights: Vec<(String, f64)>,
    /// Perturb the weights this many times and report rank stability.
    #[arg(long, value_name = "N")]
    sensitivity: Option<usize>,
    /// Seed for the sensitivity draws.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Relative weight perturbation for the sensitivity draws.
    #[arg(long, default_value_t = 0.2)]
    spread: f64,
    /// k for P(top k) in the sensitivity analysis.
    #[arg(long, default_value_t = 10)]
    top_k: usize,
    /// Leave out the one-line reasons per criterion (smaller files).
    #[arg(long)]
    no_reasons: bool,
}

#[derive(clap::Args)]
struct ChecklistCmd {
    /// Profile: mcs-corridor, depot, hydrogen, biogas, or a path to a .toml profile. Its
    /// checklist is data/checklists/<profile>.toml unless --checklist names one.
    #[arg(long)]
    profile: String,
    /// A checklist file (.toml) instead of the profile's own.
    #[arg(long)]
    checklist: Option<String>,
    /// The site as longitude,latitude (WGS 84).
    #[arg(long, value_parser = parse_lonlat, conflicts_with = "site")]
    at: Option<(f64, f64)>,
    /// The site as a grid cell id, a parcel id or a candidate id of the region.
    #[arg(long)]
    site: Option<String>,
    /// JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
struct DossierCmd {
    /// A candidate, site area (s-…), grid cell or proposal id.
    #[arg(long)]
    site: String,
    /// Profile: mcs-corridor, depot, hydrogen or biogas. Its score, sizing and checklist lead.
    #[arg(long)]
    profile: String,
    /// html (printable; a browser prints it to PDF), md or json. Default: from --out's
    /// extension, else html.
    #[arg(long)]
    format: Option<String>,
    /// Where to write it; standard output when left out.
    #[arg(long)]
    out: Option<std::path::PathBuf>,
}

#[derive(clap::Args)]
struct SynergiesCmd {
    /// The site as longitude,latitude (WGS 84).
    #[arg(long, value_parser = parse_lonlat, conflicts_with = "site")]
    at: Option<(f64, f64)>,
    /// The site as a grid cell id, a parcel id, a proposal id or a candidate id of the region.
    #[arg(long)]
    site: Option<String>,
    /// JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
struct SizeCmd {
    /// Profile: mcs-corridor, depot, hydrogen, biogas, or a path to a .toml profile.
    #[arg(long, required_unless_present = "arrivals_per_hour")]
    profile: Option<String>,
    /// The site as longitude,latitude (WGS 84), e.g. 10.8185,59.9005.
    #[arg(long, value_parser = parse_lonlat, conflicts_with = "site")]
    at: Option<(f64, f64)>,
    /// The site as a grid cell id (g261625_6648875), a parcel id (p9_3, as on the map) or a
    /// candidate id of the region.
    #[arg(long)]
    site: Option<String>,
    /// One year of the scenario (2025, 2027, 2030, 2035); all of them when left out.
    #[arg(long)]
    year: Option<i32>,
    /// Scenario: default, low, high, or a path to a .toml scenario.
    #[arg(long, default_value = "default")]
    scenario: String,
    /// The bare queue: arrivals per hour (λ), without a site.
    #[arg(long, requires = "service_minutes", conflicts_with_all = ["profile", "at", "site"])]
    arrivals_per_hour: Option<f64>,
    /// The bare queue: mean service minutes per arrival.
    #[arg(long)]
    service_minutes: Option<f64>,
    /// The bare queue: the wait the service level is about, in minutes.
    #[arg(long, default_value_t = 10.0)]
    max_wait_minutes: f64,
    /// The bare queue: the highest acceptable P(wait > max wait).
    #[arg(long, default_value_t = 0.05)]
    max_wait_probability: f64,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

fn parse_lonlat(s: &str) -> Result<(f64, f64), String> {
    let (a, b) = s
        .split_once(',')
        .ok_or_else(|| format!("'{s}' is not LON,LAT (e.g. 10.8185,59.9005)"))?;
    let n = |t: &str| {
        t.trim()
            .parse::<f64>()
            .map_err(|_| format!("'{t}' in '{s}' is not a number"))
    };
    Ok((n(a)?, n(b)?))
}

fn parse_weight(s: &str) -> Result<(String, f64), String> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| format!("'{s}' is not criterion=weight"))?;
    let w: f64 = v
        .trim()
        .parse()
        .map_err(|_| format!("the weight in '{s}' is not a number"))?;
    Ok((k.trim().to_string(), w))
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ENERGISTASJON_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let db = args.db.clone();
    let common = Common {
        region: args.region,
        data_dir: args.data_dir,
        lang: args.lang,
    };
    let result = match args.command {
        Command::CheckData { json } => cli::check_data::run(&common, json, &mut std::io::stdout()),
        Command::Size(cmd) => match (cmd.arrivals_per_hour, cmd.service_minutes) {
            (Some(lambda), Some(service)) => cli::size::queue(
                lambda,
                service,
                cmd.max_wait_minutes,
                cmd.max_wait_probability,
                cmd.json,
                common.lang,
                &mut std::io::stdout(),
            ),
            _ => {
                let place = match (cmd.at, cmd.site) {
                    (Some((lon, lat)), _) => Ok(cli::size::Place::At(lon, lat)),
                    (None, Some(id)) => Ok(cli::size::Place::Site(id)),
                    (None, None) => Err(CliError::Usage(
                        "size needs --at LON,LAT or --site ID (or --arrivals-per-hour and --service-minutes for the bare queue)".into(),
                    )),
                };
                place.and_then(|place| {
                    cli::size::run(
                        &common,
                        &cli::size::SizeArgs {
                            profile: cmd.profile.unwrap_or_default(),
                            place,
                            year: cmd.year,
                            scenario: cmd.scenario,
                            json: cmd.json,
                        },
                        &mut std::io::stdout(),
                    )
                })
            }
        },
        Command::Checklist(cmd) => {
            let place = place_of(cmd.at, cmd.site, "checklist");
            place.and_then(|place| {
                cli::checklist::run(
                    &common,
                    &cmd.profile,
                    cmd.checklist.as_deref(),
                    &place,
                    cmd.json,
                    &mut std::io::stdout(),
                )
            })
        }
        Command::Dossier(cmd) => cli::dossier::run(
            &common,
            &cli::dossier::DossierArgs {
                site: cmd.site,
                profile: cmd.profile,
                format: cmd.format,
                out: cmd.out,
                db: db.clone(),
            },
            &mut std::io::stdout(),
        ),
        Command::Synergies(cmd) => {
            let place = place_of(cmd.at, cmd.site, "synergies");
            place.and_then(|place| {
                cli::synergies::run(
                    &common,
                    &cli::synergies::SynergiesArgs {
                        place,
                        json: cmd.json,
                        db: Some(db.clone()),
                    },
                    &mut std::io::stdout(),
                )
            })
        }
        Command::Counts { source, json } => {
            cli::counts::run(&source, json, common.lang, &mut std::io::stdout())
        }
        Command::Score(cmd) => {
            let source = match (cmd.parcels, cmd.grid, cmd.candidates) {
                (_, Some(size), _) => cli::score::CandidateSource::Grid(size),
                (_, _, Some(path)) => cli::score::CandidateSource::File {
                    path,
                    srs: cmd.candidates_srs,
                },
                _ => cli::score::CandidateSource::Parcels,
            };
            let args = cli::score::ScoreArgs {
                profile: cmd.profile,
                source,
                municipalities: cmd.municipalities,
                out: cmd.out,
                force: cmd.force,
                weights: cmd.weights.into_iter().collect(),
                sensitivity: cmd.sensitivity,
                seed: cmd.seed,
                spread: cmd.spread,
                top_k: cmd.top_k,
                no_reasons: cmd.no_reasons,
            };
            cli::score::run(&common, &args, &mut std::io::stdout())
        }
        Command::BenchWorkload {
            grid,
            municipalities,
            out,
        } => cli::bench_workload::run(&common, grid, municipalities, &out, &mut std::io::stdout()),
        Command::BenchNetwork { candidates, out } => {
            cli::bench_network::run(&common, candidates, &out, &mut std::io::stdout())
        }
        Command::Export(a) => cli::export::run(
            &common,
            &cli::export::ExportArgs {
                profile: a.profile,
                layer: a.layer,
                format: a.format,
                grid: a.grid,
                grid_municipalities: a.municipalities,
                municipality: a.municipality,
                min_score: a.min_score,
                status: a.status,
                bbox: a.bbox,
                sortby: a.sortby,
                crs: a.crs,
                csv_geometry: if a.csv_geometry == "lonlat" {
                    energistasjon::export::stream::CsvGeometry::LonLat
                } else {
                    energistasjon::export::stream::CsvGeometry::Wkt
                },
                no_reasons: a.no_reasons,
                out: a.out,
                force: a.force,
                db: Some(db.clone()),
                sites: a.sites,
                scenario: a.scenario,
            },
            &mut std::io::stdout(),
        ),
        Command::Backup { out } => cli::backup::backup(&db, &out, &mut std::io::stdout()),
        Command::Restore { from, force } => {
            cli::backup::restore(&from, &db, force, &mut std::io::stdout())
        }
        Command::User(UserCmd::Add {
            username,
            role,
            municipalities,
        }) => cli::user::add(
            &db,
            &cli::user::UserAdd {
                username,
                role,
                municipalities,
            },
            &mut std::io::stdin().lock(),
            &mut std::io::stdout(),
        ),
        Command::Corridors(a) => cli::corridors::run(
            &common,
            &cli::corridors::CorridorsArgs {
                year: a.year,
                assume: a.assume,
                ignore_power: a.ignore_power,
                json: a.json,
                db: Some(db.clone()),
            },
            &mut std::io::stdout(),
        ),
        Command::Report(a) => cli::report::run(
            &common,
            &cli::report::ReportArgs {
                year: a.year,
                format: a.format,
                out: a.out,
                db: db.clone(),
                programme_dir: a.programme_dir,
                population: a.population,
            },
            &mut std::io::stdout(),
        ),
        Command::Select(a) => cli::corridors::run_select(
            &common,
            &cli::corridors::SelectArgs {
                profile: a.profile,
                k: a.k,
                objective: if a.objective == "cover-traffic" {
                    energistasjon::network::select::Objective::CoverTraffic
                } else {
                    energistasjon::network::select::Objective::CloseGaps
                },
                year: a.year,
                grid: a.grid,
                grid_municipalities: a.municipalities,
                min_score: a.min_score,
                min_spacing_km: a.min_spacing_km,
                radius_km: a.radius_km,
                assume: a.assume,
                ignore_power: a.ignore_power,
                json: a.json,
                db: Some(db.clone()),
            },
            &mut std::io::stdout(),
        ),
        Command::Shortlist(a) => cli::shortlist::run(
            &common,
            &cli::shortlist::ShortlistArgs {
                profile: a.profile,
                grid: a.grid,
                grid_municipalities: a.municipalities,
                k: a.k,
                min_spacing_km: a.min_spacing_km,
                min_area_ha: a.min_area_ha,
                max_per_municipality: a.max_per_municipality,
                municipality: a.municipality,
                min_score: a.min_score,
                weights: a.weights.into_iter().collect(),
                out: a.out,
                force: a.force,
                json: a.json,
                scenario: a.scenario,
            },
            &mut std::io::stdout(),
        ),
        Command::Serve(args) => match tokio::runtime::Runtime::new() {
            Ok(rt) => rt.block_on(cli::serve::run(
                &common,
                cli::serve::ServeArgs {
                    addr: args.addr,
                    grid: args.grid,
                    municipalities: args.municipalities,
                    timeout: args.timeout,
                    cors_origins: args.cors_origins,
                    population: args.population,
                    tile_cache_bytes: args.tile_cache_mb.saturating_mul(1 << 20),
                    db: db.clone(),
                    cache_dir: if args.no_cache {
                        None
                    } else {
                        args.cache_dir.or_else(cli::serve::default_cache_dir)
                    },
                },
            )),
            Err(e) => Err(CliError::Serve(e)),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("energistasjon: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

/// The site a command works on: `--at LON,LAT` or `--site ID`, one of them required.
fn place_of(
    at: Option<(f64, f64)>,
    site: Option<String>,
    command: &str,
) -> Result<cli::size::Place, CliError> {
    match (at, site) {
        (Some((lon, lat)), _) => Ok(cli::size::Place::At(lon, lat)),
        (None, Some(id)) => Ok(cli::size::Place::Site(id)),
        (None, None) => Err(CliError::Usage(format!(
            "{command} needs --at LON,LAT or --site ID"
        ))),
    }
}
