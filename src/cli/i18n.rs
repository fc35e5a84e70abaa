//! Every user-facing CLI string, in bokmål and English. Add a string to both.

use clap::ValueEnum;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Lang {
    /// Norsk bokmål (standard).
    #[default]
    Nb,
    /// English.
    En,
}

#[derive(Debug, Clone, Copy)]
pub enum Msg {
    Region,
    Demonstration,
    Role,
    Layer,
    Source,
    Features,
    Crs,
    Bbox,
    Repaired,
    Skipped,
    Warnings,
    Warning,
    Failed,
    Loaded,
    AndMore,
    UseJson,
    AllLayersOk,
    RequiredFailed,
    OptionalFailed,
    Listening,
    StopHint,
    ShuttingDown,
    Loading,
    NotStarting,
}

impl Lang {
    pub fn t(self, m: Msg) -> &'static str {
        use Msg::*;
        match (self, m) {
            (Lang::Nb, Region) => "Region",
            (Lang::En, Region) => "Region",
            (Lang::Nb, Demonstration) => "DEMONSTRASJONSDATA: omtrentlige koordinater, ikke til planlegging",
            (Lang::En, Demonstration) => "DEMONSTRATION DATA: approximate coordinates, not for planning",
            (Lang::Nb, Role) => "rolle",
            (Lang::En, Role) => "role",
            (Lang::Nb, Layer) => "lag",
            (Lang::En, Layer) => "layer",
            (Lang::Nb, Source) => "kilde",
            (Lang::En, Source) => "source",
            (Lang::Nb, Features) => "objekter",
            (Lang::En, Features) => "features",
            (Lang::Nb, Crs) => "kilde-CRS",
            (Lang::En, Crs) => "source CRS",
            (Lang::Nb, Bbox) => "utstrekning (EPSG:25833)",
            (Lang::En, Bbox) => "extent (EPSG:25833)",
            (Lang::Nb, Repaired) => "reparert",
            (Lang::En, Repaired) => "repaired",
            (Lang::Nb, Skipped) => "hoppet over",
            (Lang::En, Skipped) => "skipped",
            (Lang::Nb, Warnings) => "advarsler",
            (Lang::En, Warnings) => "warnings",
            (Lang::Nb, Warning) => "advarsel",
            (Lang::En, Warning) => "warning",
            (Lang::Nb, Failed) => "FEILET",
            (Lang::En, Failed) => "FAILED",
            (Lang::Nb, Loaded) => "lastet",
            (Lang::En, Loaded) => "loaded",
            (Lang::Nb, AndMore) => "og flere",
            (Lang::En, AndMore) => "and more",
            (Lang::Nb, UseJson) => "--json viser alle",
            (Lang::En, UseJson) => "--json shows all",
            (Lang::Nb, AllLayersOk) => "Alle påkrevde lag kan brukes.",
            (Lang::En, AllLayersOk) => "Every required layer is usable.",
            (Lang::Nb, RequiredFailed) => "påkrevde lag kan ikke brukes",
            (Lang::En, RequiredFailed) => "required layers cannot be used",
            (Lang::Nb, OptionalFailed) => "valgfrie lag feilet og er utelatt",
            (Lang::En, OptionalFailed) => "optional layers failed and are left out",
            (Lang::Nb, Listening) => "Lytter på",
            (Lang::En, Listening) => "Listening on",
            (Lang::Nb, StopHint) => "Ctrl+C stopper tjenesten.",
            (Lang::En, StopHint) => "Ctrl+C stops the service.",
            (Lang::Nb, ShuttingDown) => "Stopper …",
            (Lang::En, ShuttingDown) => "Shutting down …",
            (Lang::Nb, Loading) => "Laster",
            (Lang::En, Loading) => "Loading",
            (Lang::Nb, NotStarting) => "Tjenesten starter ikke fordi påkrevde lag ikke kan brukes. Kjør `energistasjon check-data` for detaljer.",
            (Lang::En, NotStarting) => "The service does not start because required layers cannot be used. Run `energistasjon check-data` for details.",
        }
    }
}
