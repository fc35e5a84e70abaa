//! Normalized land-use classes. Source codes (SOSI arealformål, OSM tags, N1000
//! land cover) map to these through tables in `data/mappings/`, never in code.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LandUseClass {
    /// Næringsbebyggelse.
    Commercial,
    Industrial,
    /// Lager.
    Warehouse,
    /// Bensinstasjon / vegserviceanlegg.
    ServiceStation,
    /// Godsterminal, godslager.
    FreightTerminal,
    Port,
    /// Energianlegg.
    EnergyFacility,
    /// Kombinert bebyggelse og anleggsformål.
    Mixed,
    /// Samferdselsanlegg, veg, jernbane.
    Transport,
    Parking,
    Retail,
    PublicService,
    /// Sentrumsformål and tettbebyggelse: built-up urban area.
    BuiltUp,
    Residential,
    /// Grønnstruktur, parks, recreation.
    GreenSpace,
    /// LNFR: landbruks-, natur- og friluftsformål, farmland.
    Agricultural,
    Forest,
    Bog,
    OpenLand,
    Water,
    Sea,
    /// A code the mapping table does not know. Flagged on load.
    Unclassified,
}

/// How a class suits an energy station for heavy vehicles, before any profile is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Suitability {
    Suitable,
    Conditional,
    Unsuitable,
    Excluded,
}

impl LandUseClass {
    pub const ALL: [LandUseClass; 22] = [
        LandUseClass::Commercial,
        LandUseClass::Industrial,
        LandUseClass::Warehouse,
        LandUseClass::ServiceStation,
        LandUseClass::FreightTerminal,
        LandUseClass::Port,
        LandUseClass::EnergyFacility,
        LandUseClass::Mixed,
        LandUseClass::Transport,
        LandUseClass::Parking,
        LandUseClass::Retail,
        LandUseClass::PublicService,
        LandUseClass::BuiltUp,
        LandUseClass::Residential,
        LandUseClass::GreenSpace,
        LandUseClass::Agricultural,
        LandUseClass::Forest,
        LandUseClass::Bog,
        LandUseClass::OpenLand,
        LandUseClass::Water,
        LandUseClass::Sea,
        LandUseClass::Unclassified,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LandUseClass::Commercial => "commercial",
            LandUseClass::Industrial => "industrial",
            LandUseClass::Warehouse => "warehouse",
            LandUseClass::ServiceStation => "service_station",
            LandUseClass::FreightTerminal => "freight_terminal",
            LandUseClass::Port => "port",
            LandUseClass::EnergyFacility => "energy_facility",
            LandUseClass::Mixed => "mixed",
            LandUseClass::Transport => "transport",
            LandUseClass::Parking => "parking",
            LandUseClass::Retail => "retail",
            LandUseClass::PublicService => "public_service",
            LandUseClass::BuiltUp => "built_up",
            LandUseClass::Residential => "residential",
            LandUseClass::GreenSpace => "green_space",
            LandUseClass::Agricultural => "agricultural",
            LandUseClass::Forest => "forest",
            LandUseClass::Bog => "bog",
            LandUseClass::OpenLand => "open_land",
            LandUseClass::Water => "water",
            LandUseClass::Sea => "sea",
            LandUseClass::Unclassified => "unclassified",
        }
    }

    /// The class as a Norwegian planner names it, for bokmål text.
    pub fn label_nb(self) -> &'static str {
        match self {
            LandUseClass::Commercial => "næringsbebyggelse",
            LandUseClass::Industrial => "industri",
            LandUseClass::Warehouse => "lager",
            LandUseClass::ServiceStation => "bensinstasjon/vegserviceanlegg",
            LandUseClass::FreightTerminal => "godsterminal",
            LandUseClass::Port => "havn",
            LandUseClass::EnergyFacility => "energianlegg",
            LandUseClass::Mixed => "kombinert bebyggelse og anlegg",
            LandUseClass::Transport => "samferdselsanlegg",
            LandUseClass::Parking => "parkering",
            LandUseClass::Retail => "forretning",
            LandUseClass::PublicService => "offentlig eller privat tjenesteyting",
            LandUseClass::BuiltUp => "sentrumsformål/tettbebyggelse",
            LandUseClass::Residential => "boligbebyggelse",
            LandUseClass::GreenSpace => "grønnstruktur",
            LandUseClass::Agricultural => "landbruk",
            LandUseClass::Forest => "skog",
            LandUseClass::Bog => "myr",
            LandUseClass::OpenLand => "åpen fastmark",
            LandUseClass::Water => "ferskvann",
            LandUseClass::Sea => "sjø",
            LandUseClass::Unclassified => "uklassifisert",
        }
    }

    pub fn parse(value: &str) -> Option<LandUseClass> {
        let v = value.trim().to_lowercase().replace([' ', '-'], "_");
        Self::ALL.into_iter().find(|c| c.as_str() == v)
    }

    /// The default suitability. Profiles (issue #3) may override it per station type.
    pub fn default_suitability(self) -> Suitability {
        use LandUseClass as C;
        match self {
            C::Commercial
            | C::Industrial
            | C::Warehouse
            | C::ServiceStation
            | C::FreightTerminal
            | C::Port
            | C::EnergyFacility
            | C::Transport
            | C::Parking => Suitability::Suitable,
            C::Mixed | C::Retail | C::PublicService | C::OpenLand | C::BuiltUp => {
                Suitability::Conditional
            }
            C::Residential | C::GreenSpace | C::Agricultural | C::Forest | C::Unclassified => {
                Suitability::Unsuitable
            }
            C::Bog | C::Water | C::Sea => Suitability::Excluded,
        }
    }
}

impl std::fmt::Display for LandUseClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_class_has_its_own_norwegian_label() {
        let labels: std::collections::BTreeSet<&str> =
            LandUseClass::ALL.iter().map(|c| c.label_nb()).collect();
        assert_eq!(labels.len(), LandUseClass::ALL.len());
        assert_eq!(LandUseClass::Agricultural.label_nb(), "landbruk");
    }

    #[test]
    fn every_class_round_trips_through_its_name() {
        for class in LandUseClass::ALL {
            assert_eq!(LandUseClass::parse(class.as_str()), Some(class));
        }
        assert_eq!(
            LandUseClass::parse("Freight terminal"),
            Some(LandUseClass::FreightTerminal)
        );
        assert_eq!(LandUseClass::parse("spaceport"), None);
    }

    #[test]
    fn logistics_land_is_suitable_and_water_is_excluded() {
        assert_eq!(
            LandUseClass::Warehouse.default_suitability(),
            Suitability::Suitable
        );
        assert_eq!(
            LandUseClass::Sea.default_suitability(),
            Suitability::Excluded
        );
        assert_eq!(
            LandUseClass::Residential.default_suitability(),
            Suitability::Unsuitable
        );
    }
}
