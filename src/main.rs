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
    /// Serve the region over HTTP.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080", env = "ENERGISTASJON_ADDR")]
        addr: SocketAddr,
    },
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
    let common = Common {
        region: args.region,
        data_dir: args.data_dir,
        lang: args.lang,
    };
    let result = match args.command {
        Command::CheckData { json } => cli::check_data::run(&common, json, &mut std::io::stdout()),
        Command::Serve { addr } => match tokio::runtime::Runtime::new() {
            Ok(rt) => rt.block_on(cli::serve::run(&common, addr)),
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
