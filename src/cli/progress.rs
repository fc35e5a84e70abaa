//! Progress on long loads: bars on a terminal, one plain line per layer otherwise.

use std::io::IsTerminal;
use std::sync::Mutex;

use std::collections::HashMap;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::i18n::{Lang, Msg};
use crate::ingest::{LayerReport, Progress};

pub struct CliProgress {
    lang: Lang,
    terminal: bool,
    multi: MultiProgress,
    bars: Mutex<HashMap<usize, ProgressBar>>,
}

impl CliProgress {
    pub fn new(lang: Lang) -> Self {
        CliProgress {
            lang,
            terminal: std::io::stderr().is_terminal(),
            multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
            bars: Mutex::new(HashMap::new()),
        }
    }

    fn with_bars<T>(&self, f: impl FnOnce(&mut HashMap<usize, ProgressBar>) -> T) -> T {
        // A poisoned lock only means a bar failed to draw; progress is cosmetic.
        let mut guard = match self.bars.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        f(&mut guard)
    }
}

impl Progress for CliProgress {
    fn start_layer(&self, layer: usize, label: &str, total: Option<u64>) {
        if !self.terminal {
            return;
        }
        let bar = self.multi.add(ProgressBar::new(total.unwrap_or(0)));
        let style = ProgressStyle::with_template(
            "{prefix:>24} [{bar:30.cyan/blue}] {human_pos:>7}/{human_len:7} {elapsed_precise}",
        )
        .map(|s| s.progress_chars("█▉ "))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_prefix(format!("{} {label}", self.lang.t(Msg::Loading)));
        self.with_bars(|b| b.insert(layer, bar));
    }

    fn inc(&self, layer: usize, n: u64) {
        self.with_bars(|b| {
            if let Some(bar) = b.get(&layer) {
                bar.inc(n);
            }
        });
    }

    fn finish_layer(&self, layer: usize, r: &LayerReport) {
        let lang = self.lang;
        let line = match &r.error {
            Some(e) => format!("{} {} {}: {e}", lang.t(Msg::Failed), r.role, r.label),
            None => format!(
                "{} {} {}: {} {} ({} {}, {} {})",
                lang.t(Msg::Loaded),
                r.role,
                r.label,
                r.loaded,
                lang.t(Msg::Features),
                r.repaired,
                lang.t(Msg::Repaired),
                r.skipped,
                lang.t(Msg::Skipped),
            ),
        };
        match self.with_bars(|b| b.remove(&layer)) {
            Some(bar) => bar.finish(),
            // Printed above the bars of the layers still loading.
            None if self.terminal => {
                let _ = self.multi.println(line);
            }
            None => eprintln!("{line}"),
        }
    }
}

/// Steps of a longer command: a spinner for work of unknown length, a bar for counted work.
/// On a pipe, one plain line per step instead.
pub struct Steps {
    terminal: bool,
    #[allow(dead_code)]
    lang: Lang,
}

impl Steps {
    pub fn new(lang: Lang) -> Self {
        Steps {
            terminal: std::io::stderr().is_terminal(),
            lang,
        }
    }

    pub fn spin<T>(&self, label: &str, f: impl FnOnce() -> T) -> T {
        let started = std::time::Instant::now();
        let spinner = self.terminal.then(|| {
            let s = ProgressBar::new_spinner();
            s.set_message(label.to_string());
            s.enable_steady_tick(std::time::Duration::from_millis(120));
            s
        });
        let out = f();
        match spinner {
            Some(s) => s.finish_with_message(format!(
                "{label} ({:.1} s)",
                started.elapsed().as_secs_f64()
            )),
            None => eprintln!("{label} ({:.1} s)", started.elapsed().as_secs_f64()),
        }
        out
    }

    pub fn bar(&self, label: &str, total: u64) -> StepBar {
        let bar = self.terminal.then(|| {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{prefix:>24} [{bar:30.cyan/blue}] {human_pos:>9}/{human_len:9} {elapsed_precise} ({eta})",
            )
            .map(|s| s.progress_chars("█▉ "))
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar.set_prefix(label.to_string());
            bar
        });
        StepBar {
            bar,
            label: label.to_string(),
            total,
            started: std::time::Instant::now(),
        }
    }
}

/// A counted step; `inc` is safe from many threads.
pub struct StepBar {
    bar: Option<ProgressBar>,
    label: String,
    total: u64,
    started: std::time::Instant,
}

impl StepBar {
    pub fn inc(&self, n: u64) {
        if let Some(b) = &self.bar {
            b.inc(n);
        }
    }

    pub fn finish(&self) {
        match &self.bar {
            Some(b) => b.finish(),
            None => eprintln!(
                "{}: {} ({:.1} s)",
                self.label,
                self.total,
                self.started.elapsed().as_secs_f64()
            ),
        }
    }
}
