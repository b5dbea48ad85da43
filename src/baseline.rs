//! Baseline: `dbguard baseline` records the findings a repository has today;
//! `dbguard check --baseline FILE` (or `[baseline] path`) reports only findings that are not in
//! it, so a team can adopt dbguard without fixing everything first.
//!
//! A record is (rule, path, fingerprint). The path is relative to the baseline file's folder
//! and the fingerprint hashes the rule, that path, the offending text and its occurrence index
//! in the file: moving code within a file or adding lines above it keeps a finding matched;
//! changing the offending text makes it new. The file is sorted and has no timestamps, so it
//! diffs cleanly.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use miette::Report;
use serde::{Deserialize, Serialize};

use crate::finding::{fingerprint, Finding};

/// The default file name.
pub const FILE_NAME: &str = ".dbguard-baseline.json";

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<Record>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    pub rule: String,
    pub path: String,
    pub fingerprint: String,
}

/// The folder paths in a baseline are relative to.
fn base_dir(file: &Path) -> PathBuf {
    let parent = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::canonicalize(parent).unwrap_or_else(|_| parent.to_path_buf())
}

/// A finding's path relative to `base` (`display` is relative to `cwd`).
fn relative(display: &str, base: &Path, cwd: &Path) -> String {
    let abs = crate::source::absolute(Path::new(display), cwd);
    match abs.strip_prefix(base) {
        Ok(rel) => rel.to_string_lossy().replace('\\', "/"),
        Err(_) => display.to_string(),
    }
}

fn record(f: &Finding, base: &Path, cwd: &Path) -> Record {
    let path = relative(&f.path, base, cwd);
    Record {
        rule: f.rule.to_string(),
        fingerprint: fingerprint(f.rule, &path, &f.snippet, f.occurrence),
        path,
    }
}

/// Writes the baseline of `findings` to `file`; returns how many records it holds.
pub fn write(file: &Path, findings: &[Finding], cwd: &Path) -> Result<usize, Report> {
    let cwd = std::fs::canonicalize(cwd).unwrap_or_else(|_| cwd.to_path_buf());
    let base = base_dir(file);
    let mut records: Vec<Record> = findings.iter().map(|f| record(f, &base, &cwd)).collect();
    records.sort();
    let doc = Baseline {
        version: 1,
        findings: records,
    };
    let mut text = serde_json::to_string_pretty(&doc).expect("a baseline serializes");
    text.push('\n');
    std::fs::write(file, text)
        .map_err(|e| miette::miette!("cannot write baseline {}: {e}", file.display()))?;
    Ok(doc.findings.len())
}

pub fn load(file: &Path) -> Result<Baseline, Report> {
    let text = std::fs::read_to_string(file).map_err(|e| {
        miette::miette!(
            help = "create it with `dbguard baseline`",
            "cannot read baseline {}: {e}",
            file.display()
        )
    })?;
    let doc: Baseline = serde_json::from_str(&text)
        .map_err(|e| miette::miette!("invalid baseline {}: {e}", file.display()))?;
    if doc.version != 1 {
        return Err(miette::miette!(
            "baseline {} has version {}; this dbguard reads version 1",
            file.display(),
            doc.version
        ));
    }
    Ok(doc)
}

/// What filtering against a baseline did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Filtered {
    /// Findings the baseline holds (not reported).
    pub baselined: usize,
    /// Baseline records that matched no finding, in files this run linted (or that are gone).
    pub stale: usize,
}

/// Removes from `findings` those the baseline of `file` holds. `scanned` are the display paths
/// of the files this run linted.
pub fn filter(
    findings: &mut Vec<Finding>,
    baseline: &Baseline,
    file: &Path,
    scanned: &[String],
    cwd: &Path,
) -> Filtered {
    let cwd = std::fs::canonicalize(cwd).unwrap_or_else(|_| cwd.to_path_buf());
    let base = base_dir(file);
    let mut counts: BTreeMap<&Record, usize> = BTreeMap::new();
    for r in &baseline.findings {
        *counts.entry(r).or_insert(0) += 1;
    }
    let mut out = Filtered::default();
    findings.retain(|f| {
        let r = record(f, &base, &cwd);
        match counts.get_mut(&r) {
            Some(n) if *n > 0 => {
                *n -= 1;
                out.baselined += 1;
                false
            }
            _ => true,
        }
    });
    let linted: BTreeSet<String> = scanned.iter().map(|p| relative(p, &base, &cwd)).collect();
    out.stale = counts
        .iter()
        .filter(|(r, _)| linted.contains(&r.path) || !base.join(&r.path).exists())
        .map(|(_, n)| *n)
        .sum();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Severity;
    use crate::source::LineCol;

    fn finding(path: &str, line: usize, snippet: &str, occurrence: usize) -> Finding {
        Finding {
            rule: "dropdb",
            category: crate::rules::Category::DestructiveCommand,
            severity: Severity::Error,
            path: path.into(),
            start: LineCol { line, column: 1 },
            end: LineCol { line, column: 5 },
            span: 0..0,
            message: String::new(),
            help: String::new(),
            snippet: snippet.into(),
            fingerprint: String::new(),
            occurrence,
        }
    }

    #[test]
    fn round_trip_ignores_line_moves_and_counts_stale_entries() {
        let dir = tempfile::tempdir().unwrap();
        let cwd = dir.path();
        std::fs::write(cwd.join("a.sh"), "").unwrap();
        let file = cwd.join(FILE_NAME);
        let before = [
            finding("a.sh", 3, "dropdb x", 0),
            finding("gone.sh", 1, "dropdb y", 0),
        ];
        assert_eq!(write(&file, &before, cwd).unwrap(), 2);
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.contains("\"path\": \"a.sh\"") && !text.contains("line"),
            "{text}"
        );
        let baseline = load(&file).unwrap();
        // The same finding ten lines lower, plus a second identical one (new).
        let mut now = vec![
            finding("a.sh", 13, "dropdb x", 0),
            finding("a.sh", 14, "dropdb x", 1),
        ];
        let got = filter(&mut now, &baseline, &file, &["a.sh".into()], cwd);
        assert_eq!(
            got,
            Filtered {
                baselined: 1,
                stale: 1
            }
        );
        assert_eq!(now.len(), 1);
        assert_eq!(now[0].start.line, 14);
    }
}
