//! The action programme (handlingsprogram) of a year: vision, goals, priority issues,
//! strategies, focus areas and cross-cutting themes, measures (tiltak) with partners,
//! result goals, responsible group, status and KPIs, budget lines, and the membership fee.
//! Read from `data/programme/{year}.toml`; no IO here.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::review::Status;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ProgrammeError {
    #[error("{file}: line {line}: {message}")]
    Toml {
        file: String,
        line: usize,
        message: String,
    },
    #[error("{file}: {what} '{id}' {problem}")]
    Reference {
        file: String,
        what: &'static str,
        id: String,
        problem: String,
    },
    #[error("population table: line {line}: {message}")]
    Population { line: usize, message: String },
    /// A change that cannot apply; `parameter` names the field at fault.
    #[error("{message}")]
    Change {
        parameter: &'static str,
        message: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord, Hash)]
#[serde(rename_all = "snake_case")]
pub enum MeasureStatus {
    Planned,
    InProgress,
    Done,
    Postponed,
    Cancelled,
}

impl MeasureStatus {
    pub const ALL: [MeasureStatus; 5] = [
        MeasureStatus::Planned,
        MeasureStatus::InProgress,
        MeasureStatus::Done,
        MeasureStatus::Postponed,
        MeasureStatus::Cancelled,
    ];

    pub fn name(self) -> &'static str {
        match self {
            MeasureStatus::Planned => "planned",
            MeasureStatus::InProgress => "in_progress",
            MeasureStatus::Done => "done",
            MeasureStatus::Postponed => "postponed",
            MeasureStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<MeasureStatus> {
        Self::ALL.into_iter().find(|x| x.name() == s)
    }

    /// Bokmål, for reports.
    pub fn label(self) -> &'static str {
        match self {
            MeasureStatus::Planned => "Planlagt",
            MeasureStatus::InProgress => "Pågår",
            MeasureStatus::Done => "Gjennomført",
            MeasureStatus::Postponed => "Utsatt",
            MeasureStatus::Cancelled => "Avlyst",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupKind {
    Representantskap,
    Styre,
    Sekretariat,
    Faggruppe,
    Prosjektgruppe,
    Annet,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThemeKind {
    FocusArea,
    CrossCutting,
}

/// KPIs the service computes from its own data, for the energy-station work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Computed {
    /// Member municipalities with at least one site recommended, approved or built.
    MunicipalitiesWithSite,
    /// Sites proposed (every proposal and every touched candidate).
    SitesProposed,
    /// Sites a coordinator has moved past `proposed`.
    SitesReviewed,
    /// Sites approved or built.
    SitesApproved,
    /// Share of core and comprehensive corridor length meeting the AFIR 2030 spacing.
    #[serde(rename = "afir_corridor_share_2030")]
    AfirCorridorShare2030,
    /// Free grid capacity (MW) at the substations of approved sites, each substation once.
    FreeGridMwApproved,
    /// Peak MW in 2030 of the MCS stations at approved and built sites (sizing, default
    /// scenario): what is planned. Its target, unless set by hand, is the 2030 need.
    #[serde(rename = "planned_mw_2030")]
    PlannedMw2030,
    /// Peak MW in 2030 of the MCS shortlist (the corridor profile's default areas, default
    /// scenario): the region's 2030 need as the product estimates it.
    #[serde(rename = "needed_mw_2030")]
    NeededMw2030,
}

impl Computed {
    pub fn name(self) -> &'static str {
        match self {
            Computed::MunicipalitiesWithSite => "municipalities_with_site",
            Computed::SitesProposed => "sites_proposed",
            Computed::SitesReviewed => "sites_reviewed",
            Computed::SitesApproved => "sites_approved",
            Computed::AfirCorridorShare2030 => "afir_corridor_share_2030",
            Computed::FreeGridMwApproved => "free_grid_mw_approved",
            Computed::PlannedMw2030 => "planned_mw_2030",
            Computed::NeededMw2030 => "needed_mw_2030",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub id: String,
    pub name: String,
    pub kind: GroupKind,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Strategy {
    pub id: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Theme {
    pub id: String,
    pub kind: ThemeKind,
    pub name: String,
    #[serde(default)]
    pub goal: String,
    #[serde(default)]
    pub strategies: Vec<String>,
}

/// One reading of a KPI: entered by hand, or computed with when and from what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KpiValue {
    /// ISO date or date-time.
    pub at: String,
    pub value: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// For a computed value: what data it was computed from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Kpi {
    pub id: String,
    pub name: String,
    pub unit: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<f64>,
    /// Set for a KPI the service computes; absent for one entered by hand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub computed: Option<Computed>,
    /// The map view that shows the data behind a computed KPI (a URL path and query).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub map_view: Option<String>,
    #[serde(default)]
    pub values: Vec<KpiValue>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusNote {
    pub date: String,
    pub status: MeasureStatus,
    pub text: String,
    #[serde(default)]
    pub by: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Measure {
    pub id: String,
    /// `overall` or a theme id.
    pub theme: String,
    pub text: String,
    pub partners: String,
    pub result_goal: String,
    /// The responsible group's id, where the programme names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    pub status: MeasureStatus,
    #[serde(default)]
    pub notes: Vec<StatusNote>,
    #[serde(default)]
    pub kpis: Vec<Kpi>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetKind {
    Income,
    Cost,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetLine {
    pub kind: BudgetKind,
    pub post: String,
    /// Thousand NOK.
    pub budget_knok: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual_knok: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Programme {
    pub year: u16,
    pub title: String,
    pub source: String,
    pub vision: String,
    pub goals: Vec<String>,
    pub priority_issues: Vec<String>,
    pub membership_fee_nok_per_inhabitant: f64,
    /// Member kommunenummer; empty means every municipality of the region.
    #[serde(default)]
    pub members: Vec<String>,
    #[serde(default)]
    pub budget: Vec<BudgetLine>,
    #[serde(default)]
    pub groups: Vec<Group>,
    #[serde(default)]
    pub strategies: Vec<Strategy>,
    #[serde(default)]
    pub themes: Vec<Theme>,
    #[serde(default)]
    pub measures: Vec<Measure>,
}

/// Line of a byte offset, 1-based.
fn line_at(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

impl Programme {
    /// Parses and checks a programme file; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Programme, ProgrammeError> {
        let p: Programme = toml::from_str(text).map_err(|e| ProgrammeError::Toml {
            file: file.to_string(),
            line: e.span().map(|s| line_at(text, s.start)).unwrap_or(0),
            message: e.message().trim().to_string(),
        })?;
        p.check(file)?;
        Ok(p)
    }

    /// Ids are unique, and every measure's theme and group exist.
    fn check(&self, file: &str) -> Result<(), ProgrammeError> {
        let err = |what, id: &str, problem: String| ProgrammeError::Reference {
            file: file.to_string(),
            what,
            id: id.to_string(),
            problem,
        };
        let themes: BTreeSet<&str> = self.themes.iter().map(|t| t.id.as_str()).collect();
        let groups: BTreeSet<&str> = self.groups.iter().map(|g| g.id.as_str()).collect();
        let mut seen = BTreeSet::new();
        for m in &self.measures {
            if !seen.insert(m.id.as_str()) {
                return Err(err("measure", &m.id, "appears twice".into()));
            }
            if m.theme != "overall" && !themes.contains(m.theme.as_str()) {
                return Err(err(
                    "measure",
                    &m.id,
                    format!(
                        "names theme '{}'; the themes are overall, {}",
                        m.theme,
                        themes.iter().copied().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
            if let Some(g) = &m.group {
                if !groups.contains(g.as_str()) {
                    return Err(err(
                        "measure",
                        &m.id,
                        format!(
                            "names group '{g}', which the file does not define under [[groups]]"
                        ),
                    ));
                }
            }
            let mut kpis = BTreeSet::new();
            for k in &m.kpis {
                if !kpis.insert(k.id.as_str()) {
                    return Err(err("KPI", &k.id, format!("appears twice in {}", m.id)));
                }
            }
        }
        Ok(())
    }

    pub fn measure(&self, id: &str) -> Option<&Measure> {
        self.measures.iter().find(|m| m.id == id)
    }

    pub fn measure_mut(&mut self, id: &str) -> Option<&mut Measure> {
        self.measures.iter_mut().find(|m| m.id == id)
    }

    /// A theme's name, or "Overordnede strategier" for `overall`.
    pub fn theme_name(&self, id: &str) -> String {
        if id == "overall" {
            return "Overordnede strategier".into();
        }
        self.themes
            .iter()
            .find(|t| t.id == id)
            .map(|t| t.name.clone())
            .unwrap_or_else(|| id.to_string())
    }

    /// Measures per theme id, in file order (`overall` first).
    pub fn measures_per_theme(&self) -> BTreeMap<&str, usize> {
        let mut out = BTreeMap::new();
        for m in &self.measures {
            *out.entry(m.theme.as_str()).or_insert(0) += 1;
        }
        out
    }
}

/// A change the secretariat makes to a year's programme (or, `Computed`, a KPI reading the
/// service records). Stored in order and replayed over the TOML file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Change {
    /// A new status with a dated note.
    MeasureStatus {
        measure: String,
        status: MeasureStatus,
        note: String,
        /// YYYY-MM-DD; the day it is recorded when absent.
        #[serde(default)]
        date: Option<String>,
    },
    /// Corrected text, partners, result goal or responsible group.
    MeasureText {
        measure: String,
        #[serde(default)]
        text: Option<String>,
        #[serde(default)]
        partners: Option<String>,
        #[serde(default)]
        result_goal: Option<String>,
        #[serde(default)]
        group: Option<String>,
    },
    /// A KPI value entered by hand.
    KpiValue {
        measure: String,
        kpi: String,
        value: f64,
        /// YYYY-MM-DD; the day it is recorded when absent.
        #[serde(default)]
        at: Option<String>,
        #[serde(default)]
        note: Option<String>,
    },
    KpiTarget {
        measure: String,
        kpi: String,
        target: Option<f64>,
    },
    /// The accounts' figure for a budget post, in thousand NOK.
    BudgetActual { post: String, actual_knok: f64 },
    /// A computed KPI's reading, recorded by the service when it changes.
    Computed {
        measure: String,
        kpi: String,
        value: f64,
        at: String,
        from: String,
    },
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && (1..=12).contains(&s[5..7].parse::<u8>().unwrap_or(0))
        && (1..=31).contains(&s[8..10].parse::<u8>().unwrap_or(0))
}

fn change_err(parameter: &'static str, message: String) -> ProgrammeError {
    ProgrammeError::Change { parameter, message }
}

impl Programme {
    fn measure_for_change(&mut self, id: &str) -> Result<&mut Measure, ProgrammeError> {
        let known: Vec<String> = self.measures.iter().map(|m| m.id.clone()).collect();
        self.measure_mut(id).ok_or_else(|| {
            change_err(
                "measure",
                format!("no measure '{id}'; the measures are {}", known.join(", ")),
            )
        })
    }

    /// Applies one change; `by` and `today` (YYYY-MM-DD) fill in who and when.
    pub fn apply(&mut self, c: &Change, by: &str, today: &str) -> Result<(), ProgrammeError> {
        let date_of = |d: &Option<String>, parameter| match d {
            Some(d) if !is_date(d) => Err(change_err(
                parameter,
                format!("'{d}' is not a date; write YYYY-MM-DD, e.g. 2025-06-30"),
            )),
            Some(d) => Ok(d.clone()),
            None => Ok(today.to_string()),
        };
        let finite = |v: f64, parameter| {
            if v.is_finite() {
                Ok(v)
            } else {
                Err(change_err(
                    parameter,
                    format!("{parameter} must be a number"),
                ))
            }
        };
        let groups: BTreeSet<String> = self.groups.iter().map(|g| g.id.clone()).collect();
        match c {
            Change::MeasureStatus {
                measure,
                status,
                note,
                date,
            } => {
                let date = date_of(date, "date")?;
                if note.trim().is_empty() {
                    return Err(change_err(
                        "note",
                        "say in a note why the status changes".into(),
                    ));
                }
                let m = self.measure_for_change(measure)?;
                m.status = *status;
                m.notes.push(StatusNote {
                    date,
                    status: *status,
                    text: note.trim().to_string(),
                    by: by.to_string(),
                });
            }
            Change::MeasureText {
                measure,
                text,
                partners,
                result_goal,
                group,
            } => {
                if let Some(g) = group {
                    if !groups.contains(g) {
                        return Err(change_err(
                            "group",
                            format!(
                                "no group '{g}'; the groups are {}",
                                groups.iter().cloned().collect::<Vec<_>>().join(", ")
                            ),
                        ));
                    }
                }
                let m = self.measure_for_change(measure)?;
                if let Some(t) = text {
                    m.text = t.clone();
                }
                if let Some(t) = partners {
                    m.partners = t.clone();
                }
                if let Some(t) = result_goal {
                    m.result_goal = t.clone();
                }
                if let Some(g) = group {
                    m.group = Some(g.clone());
                }
            }
            Change::KpiValue {
                measure,
                kpi,
                value,
                at,
                note,
            } => {
                let at = date_of(at, "at")?;
                let value = finite(*value, "value")?;
                let k = kpi_of(self.measure_for_change(measure)?, kpi)?;
                if k.computed.is_some() {
                    return Err(change_err(
                        "kpi",
                        format!("KPI '{kpi}' is computed by the service from its own data; it cannot be entered by hand"),
                    ));
                }
                k.values.push(KpiValue {
                    at,
                    value,
                    note: note.clone(),
                    from: None,
                });
            }
            Change::KpiTarget {
                measure,
                kpi,
                target,
            } => {
                if let Some(t) = target {
                    finite(*t, "target")?;
                }
                kpi_of(self.measure_for_change(measure)?, kpi)?.target = *target;
            }
            Change::BudgetActual { post, actual_knok } => {
                let v = finite(*actual_knok, "actual_knok")?;
                let known: Vec<String> = self.budget.iter().map(|b| b.post.clone()).collect();
                let b = self
                    .budget
                    .iter_mut()
                    .find(|b| &b.post == post)
                    .ok_or_else(|| {
                        change_err(
                            "post",
                            format!(
                                "no budget post '{post}'; the posts are {}",
                                known.join(", ")
                            ),
                        )
                    })?;
                b.actual_knok = Some(v);
            }
            Change::Computed {
                measure,
                kpi,
                value,
                at,
                from,
            } => {
                kpi_of(self.measure_for_change(measure)?, kpi)?
                    .values
                    .push(KpiValue {
                        at: at.clone(),
                        value: *value,
                        note: None,
                        from: Some(from.clone()),
                    });
            }
        }
        Ok(())
    }
}

fn kpi_of<'a>(m: &'a mut Measure, id: &str) -> Result<&'a mut Kpi, ProgrammeError> {
    let known: Vec<String> = m.kpis.iter().map(|k| k.id.clone()).collect();
    let measure = m.id.clone();
    m.kpis.iter_mut().find(|k| k.id == id).ok_or_else(|| {
        change_err(
            "kpi",
            format!(
                "measure {measure} has no KPI '{id}'; its KPIs are {}",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            ),
        )
    })
}

/// Population per kommunenummer from a CSV with a header holding `kommunenummer` and
/// `population` columns (as `stats/municipalities_2025.csv`).
pub fn parse_population(text: &str) -> Result<BTreeMap<String, u64>, ProgrammeError> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines
        .next()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .ok_or_else(|| ProgrammeError::Population {
                line: 1,
                message: format!("no column '{name}'; the header has {}", header.join(", ")),
            })
    };
    let (k, p) = (col("kommunenummer")?, col("population")?);
    let mut out = BTreeMap::new();
    for (i, line) in lines.enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split(',').map(str::trim).collect();
        let (Some(nr), Some(pop)) = (f.get(k), f.get(p)) else {
            return Err(ProgrammeError::Population {
                line: i + 2,
                message: "too few columns".into(),
            });
        };
        let pop = pop.parse::<u64>().map_err(|_| ProgrammeError::Population {
            line: i + 2,
            message: format!("population '{pop}' of {nr} is not a whole number"),
        })?;
        out.insert(nr.to_string(), pop);
    }
    Ok(out)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fee {
    pub kommunenummer: String,
    pub population: u64,
    pub fee_nok: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fees {
    pub nok_per_inhabitant: f64,
    pub members: Vec<Fee>,
    pub total_nok: f64,
    /// Members the population table does not list.
    pub missing: Vec<String>,
}

/// Each member's fee (population × the rate) and the total.
pub fn membership_fees(rate: f64, members: &[String], population: &BTreeMap<String, u64>) -> Fees {
    let mut out = Vec::new();
    let mut missing = Vec::new();
    for m in members {
        match population.get(m) {
            Some(&p) => out.push(Fee {
                kommunenummer: m.clone(),
                population: p,
                fee_nok: p as f64 * rate,
            }),
            None => missing.push(m.clone()),
        }
    }
    // Summed over whole inhabitants, then priced: no rounding drift over 65 members.
    let inhabitants: u64 = out.iter().map(|f| f.population).sum();
    Fees {
        nok_per_inhabitant: rate,
        total_nok: inhabitants as f64 * rate,
        members: out,
        missing,
    }
}

/// What a computed KPI is computed from: each site's municipality, review status and the
/// free grid capacity at its substation, the corridor result, and the region's members.
#[derive(Debug, Clone)]
pub struct SiteFact {
    pub kommunenummer: String,
    pub status: Status,
    /// Substation (its id) serving the site and its free MW, where known.
    pub substation: Option<(String, f64)>,
    /// The site's MCS peak MW in 2030 (an estimate); sized for approved and built sites.
    pub mw_2030: Option<f64>,
}

#[derive(Debug, Clone, Default)]
pub struct KpiInputs {
    pub members: Vec<String>,
    pub sites: Vec<SiteFact>,
    pub afir_share_2030: Option<f64>,
    /// The region's MCS need in 2030 (MW); None where the product cannot estimate it.
    pub need_mw_2030: Option<f64>,
}

/// A computed KPI's value and, for counts of sites, the value per municipality.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reading {
    pub value: f64,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub per_municipality: BTreeMap<String, f64>,
}

pub fn compute(kind: Computed, inputs: &KpiInputs) -> Option<Reading> {
    let members: BTreeSet<&str> = inputs.members.iter().map(String::as_str).collect();
    let count = |keep: &dyn Fn(Status) -> bool| {
        let mut per = BTreeMap::new();
        for s in inputs.sites.iter().filter(|s| keep(s.status)) {
            *per.entry(s.kommunenummer.clone()).or_insert(0.0) += 1.0;
        }
        // Counted, not summed: an empty f64 sum is -0.
        let n = inputs.sites.iter().filter(|s| keep(s.status)).count();
        Reading {
            value: n as f64,
            per_municipality: per,
        }
    };
    let accepted = |s: Status| matches!(s, Status::Recommended | Status::Approved | Status::Built);
    let approved = |s: Status| matches!(s, Status::Approved | Status::Built);
    Some(match kind {
        Computed::MunicipalitiesWithSite => {
            let with: BTreeSet<&str> = inputs
                .sites
                .iter()
                .filter(|s| accepted(s.status) && members.contains(s.kommunenummer.as_str()))
                .map(|s| s.kommunenummer.as_str())
                .collect();
            Reading {
                value: with.len() as f64,
                per_municipality: BTreeMap::new(),
            }
        }
        Computed::SitesProposed => count(&|_| true),
        Computed::SitesReviewed => count(&|s| s != Status::Proposed),
        Computed::SitesApproved => count(&approved),
        Computed::AfirCorridorShare2030 => Reading {
            value: inputs.afir_share_2030?,
            per_municipality: BTreeMap::new(),
        },
        Computed::NeededMw2030 => Reading {
            value: inputs.need_mw_2030?,
            per_municipality: BTreeMap::new(),
        },
        Computed::PlannedMw2030 => {
            let mut per = BTreeMap::new();
            let mut total = 0.0;
            for s in inputs.sites.iter().filter(|s| approved(s.status)) {
                let mw = s.mw_2030.unwrap_or(0.0);
                *per.entry(s.kommunenummer.clone()).or_insert(0.0) += mw;
                total += mw;
            }
            Reading {
                // Rounded to kW: sums of estimates carry no more.
                value: (total * 1000.0).round() / 1000.0 + 0.0,
                per_municipality: per,
            }
        }
        Computed::FreeGridMwApproved => {
            let stations: BTreeMap<&str, f64> = inputs
                .sites
                .iter()
                .filter(|s| approved(s.status))
                .filter_map(|s| s.substation.as_ref().map(|(n, mw)| (n.as_str(), *mw)))
                .collect();
            Reading {
                // + 0.0: an empty f64 sum is -0.
                value: stations.values().sum::<f64>() + 0.0,
                per_municipality: BTreeMap::new(),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"
year = 2025
title = "T"
source = "s"
vision = "v"
goals = ["g"]
priority_issues = ["Jernbane"]
membership_fee_nok_per_inhabitant = 3.0

[[groups]]
id = "sek"
name = "Sekretariatet"
kind = "sekretariat"

[[themes]]
id = "gn"
kind = "cross_cutting"
name = "Grønn næringstransport"

[[measures]]
id = "GN-1"
theme = "gn"
text = "t"
partners = "p"
result_goal = "r"
group = "sek"
status = "planned"
"#;

    #[test]
    fn a_small_programme_parses_and_counts_measures_per_theme() {
        let p = Programme::parse(SMALL, "p.toml").unwrap();
        assert_eq!(p.measures_per_theme()["gn"], 1);
        assert_eq!(p.theme_name("gn"), "Grønn næringstransport");
    }

    #[test]
    fn a_bad_key_or_reference_names_the_line_and_the_key() {
        let bad = SMALL.replace("result_goal = \"r\"", "resultat = \"r\"");
        match Programme::parse(&bad, "p.toml") {
            Err(ProgrammeError::Toml { line, message, .. }) => {
                assert!(message.contains("resultat"), "{message}");
                assert!(line > 20, "{line}");
            }
            other => panic!("{other:?}"),
        }
        let bad = SMALL.replace("group = \"sek\"", "group = \"styret\"");
        let e = Programme::parse(&bad, "p.toml").unwrap_err().to_string();
        assert!(e.contains("GN-1") && e.contains("styret"), "{e}");
        let bad = SMALL.replace("status = \"planned\"", "status = \"begun\"");
        let e = Programme::parse(&bad, "p.toml").unwrap_err().to_string();
        assert!(e.contains("line 27") && e.contains("begun"), "{e}");
    }

    #[test]
    fn fees_are_population_times_the_rate_and_missing_members_are_named() {
        let pop = parse_population(
            "kommunenummer,name,population\n0301,Oslo,717710\n3201,Bærum,130000\n",
        )
        .unwrap();
        let f = membership_fees(3.0, &["0301".into(), "3201".into(), "9999".into()], &pop);
        assert_eq!(f.members[0].fee_nok, 2_153_130.0);
        assert_eq!(f.total_nok, 847_710.0 * 3.0);
        assert_eq!(f.missing, vec!["9999".to_string()]);
        let e = parse_population("kommunenummer,population\n0301,many\n").unwrap_err();
        assert!(e.to_string().contains("line 2"), "{e}");
    }

    #[test]
    fn computed_kpis_count_accepted_sites_per_member_and_each_substation_once() {
        let site = |k: &str, s: &str, sub: Option<(&str, f64)>| SiteFact {
            kommunenummer: k.into(),
            status: Status::parse(s).unwrap(),
            substation: sub.map(|(n, mw)| (n.to_string(), mw)),
            mw_2030: Some(3.2),
        };
        let inputs = KpiInputs {
            members: vec!["0301".into(), "3201".into()],
            sites: vec![
                site("0301", "approved", Some(("Alna", 20.0))),
                site("0301", "built", Some(("Alna", 20.0))),
                site("3201", "proposed", None),
                site("3301", "approved", Some(("Drammen", 5.0))),
            ],
            afir_share_2030: Some(0.4),
            need_mw_2030: Some(40.0),
        };
        let v = |k| compute(k, &inputs).unwrap().value;
        // Three approved or built sites of 3.2 MW each; the proposal is not planned.
        assert!((v(Computed::PlannedMw2030) - 9.6).abs() < 1e-9);
        assert_eq!(v(Computed::NeededMw2030), 40.0);
        // 3301 is not a member.
        assert_eq!(v(Computed::MunicipalitiesWithSite), 1.0);
        assert_eq!(v(Computed::SitesProposed), 4.0);
        assert_eq!(v(Computed::SitesReviewed), 3.0);
        assert_eq!(v(Computed::SitesApproved), 3.0);
        assert_eq!(v(Computed::FreeGridMwApproved), 25.0);
        assert_eq!(v(Computed::AfirCorridorShare2030), 0.4);
        assert_eq!(
            compute(Computed::SitesApproved, &inputs)
                .unwrap()
                .per_municipality["0301"],
            2.0
        );
    }
}
