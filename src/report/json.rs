//! The JSON report (schema version 1).

use std::io::{self, Write};

use serde_json::{json, Value};

use super::Run;
use crate::rules::Severity;

fn finding(f: &crate::finding::Finding) -> Value {
    json!({
        "rule": f.rule,
        "category": f.category.as_str(),
        "severity": f.severity.as_str(),
        "path": f.path,
        "line": f.start.line,
        "column": f.start.column,
        "end_line": f.end.line,
        "end_column": f.end.column,
        "message": f.message,
        "help": f.help,
        "snippet": f.snippet,
        "fingerprint": f.fingerprint,
    })
}

pub fn to_value(run: &Run) -> Value {
    let findings: Vec<Value> = run.findings.iter().map(finding).collect();
    let skipped: Vec<Value> = run
        .skipped
        .iter()
        .map(|s| json!({"path": s.path, "kind": s.kind(), "reason": s.reason}))
        .collect();
    let mut doc = json!({
        "version": 1,
        "tool": {"name": "dbguard", "version": env!("CARGO_PKG_VERSION")},
        "summary": {
            "files_scanned": run.files_scanned,
            "files_skipped": run.skipped.len(),
            "findings": run.findings.len(),
            "by_severity": {
                "error": run.count(Severity::Error),
                "warning": run.count(Severity::Warning),
                "info": run.count(Severity::Info),
            },
            "suppressed": run.suppressed,
            "duration_ms": run.duration_ms,
        },
        "findings": findings,
        "skipped": skipped,
    });
    if let Some(b) = run.baseline {
        doc["summary"]["baselined"] = json!(b.baselined);
        doc["summary"]["baseline_stale"] = json!(b.stale);
    }
    if !run.suppressed_findings.is_empty() {
        doc["suppressed"] = run
            .suppressed_findings
            .iter()
            .map(|s| {
                let mut v = finding(&s.finding);
                v["suppression"] = json!({"kind": s.kind, "reason": s.reason});
                v
            })
            .collect();
    }
    doc
}

pub fn render(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &to_value(run))?;
    writeln!(out)
}
