//! Progress and timings of long compiles: an indicatif spinner naming the
//! compiler phase, drawn on the terminal's standard error only when the
//! binary says it is a terminal (and not `--quiet`), and the `--timings`
//! table of per-phase durations.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use verdict_compiler::Phase;

/// A spinner, or nothing when progress is off.
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A spinner on standard error when `enabled`, else a no-op.
    pub fn new(enabled: bool) -> Progress {
        if !enabled {
            return Progress { bar: None };
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} {elapsed}") {
            bar.set_style(style);
        }
        bar.enable_steady_tick(Duration::from_millis(100));
        Progress { bar: Some(bar) }
    }

    /// Shows the phase that starts now.
    pub fn phase(&self, phase: Phase) {
        if let Some(bar) = &self.bar {
            bar.set_message(describe(phase));
        }
    }

    /// Removes the spinner.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

fn describe(phase: Phase) -> &'static str {
    match phase {
        Phase::Lower => "reading, parsing and validating the sources",
        Phase::Lint => "linting the policies",
        Phase::Build => "computing the decision table",
        Phase::Explain => "recording provenance",
        Phase::Encode => "encoding the table",
    }
}

/// The `--timings` report: one line per phase, then the total.
pub fn timings(phases: &[(&str, Duration)]) -> String {
    let mut out = String::from("timings:\n");
    let mut total = Duration::ZERO;
    for (name, took) in phases {
        total += *took;
        out.push_str(&format!("  {name:<8}{:>12}\n", millis(*took)));
    }
    out.push_str(&format!("  {:<8}{:>12}\n", "total", millis(total)));
    out
}

fn millis(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn timings_table() {
        let text = super::timings(&[
            ("lower", std::time::Duration::from_micros(1500)),
            ("write", std::time::Duration::from_micros(250)),
        ]);
        assert_eq!(
            text,
            "timings:\n  lower       1.500 ms\n  write       0.250 ms\n  total       1.750 ms\n"
        );
    }
}
