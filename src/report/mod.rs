//! Report: findings (already sorted) rendered in one of five formats.

mod concise;
mod github;
mod human;
pub mod json;
mod sarif;

use std::io::{self, Write};
use std::sync::Arc;

use crate::finding::Finding;
use crate::rules::Severity;
use crate::source::SourceFile;
use crate::walk::Skipped;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Source snippets with labels and help (default on a terminal).
    #[value(alias = "full")]
    Human,
    /// `PATH:LINE:COL: SEVERITY [RULE] MESSAGE` (default when not a terminal).
    Concise,
    Json,
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

/// What `--baseline` did.
#[derive(Debug, Clone, Copy, Default)]
pub struct BaselineCounts {
    pub baselined: usize,
    pub stale: usize,
}

/// Everything a reporter needs.
pub struct Run<'a> {
    pub findings: &'a [Finding],
    pub sources: &'a [Arc<SourceFile>],
    pub files_scanned: usize,
    pub skipped: &'a [Skipped],
    /// How many findings suppressions hid.
    pub suppressed: usize,
    /// The hidden findings, listed with `--show-suppressed` (empty otherwise).
    pub suppressed_findings: &'a [crate::suppress::Suppressed],
    /// How many findings a baseline hid, and how many baseline entries matched nothing
    /// (`None`: no baseline).
    pub baseline: Option<BaselineCounts>,
    pub duration_ms: u128,
    pub color: bool,
    pub verbose: bool,
}

impl Run<'_> {
    pub fn count(&self, s: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == s).count()
    }

    /// One human line: files, findings by severity, time.
    pub fn summary_line(&self) -> String {
        let plural = |n: usize, w: &str| {
            if n == 1 {
                format!("{n} {w}")
            } else {
                format!("{n} {w}s")
            }
        };
        let mut s = format!("dbguard: {} scanned", plural(self.files_scanned, "file"));
        if !self.skipped.is_empty() {
            s.push_str(&format!(", {} skipped", self.skipped.len()));
        }
        s.push_str(&format!(
            " · {}, {}, {} info",
            plural(self.count(Severity::Error), "error"),
            plural(self.count(Severity::Warning), "warning"),
            self.count(Severity::Info)
        ));
        if self.suppressed > 0 {
            s.push_str(&format!(", {} suppressed", self.suppressed));
        }
        if let Some(b) = self.baseline {
            s.push_str(&format!(", {} in baseline", b.baselined));
            if b.stale > 0 {
                s.push_str(&format!(
                    " ({} baseline {} no longer {} anything: run `dbguard baseline` to prune)",
                    b.stale,
                    if b.stale == 1 { "entry" } else { "entries" },
                    if b.stale == 1 { "matches" } else { "match" }
                ));
            }
        }
        s.push_str(&format!(" · {} ms", self.duration_ms));
        s
    }

    /// Suppressed findings, one per line (`--show-suppressed`): not in the
    /// `PATH:LINE:COL: SEVERITY` shape, so problem matchers do not take them for findings.
    pub fn suppressed_lines(&self) -> Vec<String> {
        self.suppressed_findings
            .iter()
            .map(|s| {
                let f = &s.finding;
                format!(
                    "suppressed ({}): {}:{}:{}: [{}] {} — {}",
                    s.kind,
                    f.path,
                    f.start.line,
                    f.start.column,
                    f.rule,
                    f.message.replace(['\n', '\r'], " "),
                    s.reason.as_deref().unwrap_or("no reason given")
                )
            })
            .collect()
    }

    /// Skipped files, one per line (for `--verbose` and the human format).
    pub fn skipped_lines(&self) -> Vec<String> {
        self.skipped
            .iter()
            .map(|s| match s.kind() {
                "internal-error" => format!("error: {}: {}", s.path, s.reason),
                _ => format!("skipped {}: {}", s.path, s.reason),
            })
            .collect()
    }
}

/// Writes the report to `out`; the human summary of machine formats goes to `err`.
pub fn render(
    format: Format,
    run: &Run,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Human => human::render(run, out)?,
        Format::Concise => {
            concise::render(run, out)?;
            for line in run.suppressed_lines() {
                writeln!(out, "{line}")?;
            }
            write_notes(run, err)?;
            writeln!(err, "{}", run.summary_line())?;
        }
        Format::Json => json::render(run, out)?,
        Format::Sarif => sarif::render(run, out)?,
        Format::Github => {
            github::render(run, out)?;
            write_notes(run, err)?;
            writeln!(err, "{}", run.summary_line())?;
        }
    }
    if run.verbose && matches!(format, Format::Json | Format::Sarif) {
        write_notes(run, err)?;
    }
    Ok(())
}

/// Files that were not (fully) linted, one line each: never silent.
fn write_notes(run: &Run, err: &mut dyn Write) -> io::Result<()> {
    for line in run.skipped_lines() {
        writeln!(err, "{line}")?;
    }
    Ok(())
}
