//! SARIF 2.1.0, as GitHub code scanning accepts it.

use std::io::{self, Write};

use serde_json::{json, Value};

use super::Run;
use crate::rules::{self, Severity};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

pub fn render(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    let metas: Vec<_> = rules::all_rules().collect();
    let rules_json: Vec<Value> = metas
        .iter()
        .map(|m| {
            json!({
                "id": m.id,
                "name": m.id,
                "shortDescription": {"text": m.summary},
                "fullDescription": {"text": m.doc.what.trim()},
                "help": {"text": m.help, "markdown": rules::render_doc(m)},
                "defaultConfiguration": {"level": level(m.severity)},
                "properties": {"category": m.category.as_str(), "tags": ["security", "database", m.category.as_str()]},
            })
        })
        .collect();
    // Suppressed findings (`--show-suppressed`) carry SARIF's own `suppressions`.
    let listed = run.findings.iter().map(|f| (f, None)).chain(
        run.suppressed_findings
            .iter()
            .map(|s| (&s.finding, Some(s))),
    );
    let results: Vec<Value> = listed
        .map(|(f, suppressed)| {
            let index = metas.iter().position(|m| m.id == f.rule).unwrap_or(0);
            let mut result = json!({
                "ruleId": f.rule,
                "ruleIndex": index,
                "level": level(f.severity),
                "message": {"text": format!("{}\nhelp: {}", f.message, f.help)},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": f.path, "uriBaseId": "%SRCROOT%"},
                        "region": {
                            "startLine": f.start.line,
                            "startColumn": f.start.column,
                            "endLine": f.end.line,
                            "endColumn": f.end.column,
                            "snippet": {"text": f.snippet},
                        }
                    }
                }],
                "partialFingerprints": {"dbguard/v1": f.fingerprint},
            });
            if let Some(s) = suppressed {
                result["suppressions"] = json!([{
                    "kind": if s.kind == "config" { "external" } else { "inSource" },
                    "justification": s.reason.clone().unwrap_or_default(),
                }]);
            }
            result
        })
        .collect();
    let notifications: Vec<Value> = run
        .skipped
        .iter()
        .map(|s| {
            json!({
                "descriptor": {"id": s.kind()},
                "level": if s.kind() == "internal-error" { "error" } else { "warning" },
                "message": {"text": format!("{}: {}", s.path, s.reason)},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": s.path}}}],
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "dbguard",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://crates.io/crates/dbguard",
                "rules": rules_json,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
            "invocations": [{
                "executionSuccessful": !run.skipped.iter().any(|s| s.kind() == "internal-error"),
                "toolExecutionNotifications": notifications,
            }],
        }]
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
