//! The mutation-contract test repository (fixtures/projects/contract-app): the findings its
//! EXPECTED.md lists, from the file rules and from the config rules (reported at
//! dbguard.toml by the run).

mod common;

use std::path::Path;

use common::{lint, root};
use dbguard::config::Config;
use dbguard::rules::{contract, Severity};

const DIR: &str = "fixtures/projects/contract-app";

#[test]
fn contract_app_reports_what_expected_md_lists() {
    let o = lint(&[Path::new(DIR)]);
    let got: Vec<(String, usize, usize, &str, Severity)> = o
        .findings
        .iter()
        .filter(|f| !f.rule.starts_with("squawk/"))
        .map(|f| {
            (
                f.path.strip_prefix(&format!("{DIR}/")).unwrap().to_string(),
                f.start.line,
                f.start.column,
                f.rule,
                f.severity,
            )
        })
        .collect();
    let want = [
        (
            "dbguard.toml",
            20,
            8,
            "stale-contract-entry",
            Severity::Warning,
        ),
        (
            "scripts/backfill-service-owners.ts",
            9,
            23,
            "contract-table-violation",
            Severity::Error,
        ),
        (
            "scripts/fix-user-emails.ts",
            8,
            11,
            "uncontracted-mutation-script",
            Severity::Error,
        ),
    ];
    let want: Vec<(String, usize, usize, &str, Severity)> = want
        .iter()
        .map(|(p, l, c, r, s)| (p.to_string(), *l, *c, *r, *s))
        .collect();
    assert_eq!(got, want);
    let messages: Vec<&str> = o.findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "contract entry `scripts/migrate-legacy-billing.ts` matches no file (the glob is relative to the folder of this config)",
            "`scripts/backfill-service-owners.ts` writes `user`, but its `[[contract.scripts]]` entry lists only `services`",
            "`scripts/fix-user-emails.ts` writes `user`, but no `[[contract.scripts]]` entry lists it",
        ]
    );
}

#[test]
fn contract_app_config_findings() {
    let file = root().join(DIR).join("dbguard.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let config = Config::load(&file).unwrap();
    let hits = contract::check_config(&config);
    let got: Vec<(&str, usize, &str)> = hits
        .iter()
        .map(|h| {
            let line = text[..h.span.start].matches('\n').count() + 1;
            (h.meta.id, line, &text[h.span.clone()])
        })
        .collect();
    assert_eq!(
        got,
        [(
            "stale-contract-entry",
            20,
            "\"scripts/migrate-legacy-billing.ts\""
        )]
    );
}
