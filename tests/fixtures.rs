//! Fixture tests: every rule has true positives and look-alikes on disk; their findings are
//! snapshotted (the JSON report's findings, without the per-rule help text).

mod common;

use std::path::Path;

use common::{files_below, lint, root};
use dbguard::report::{self, json};
use dbguard::rules::{self, Severity};
use dbguard::walk::Outcome;

fn findings_json(o: &Outcome) -> String {
    let run = report::Run {
        findings: &o.findings,
        sources: &o.sources,
        files_scanned: o.files_scanned,
        skipped: &o.skipped,
        suppressed: o.suppressed.len(),
        suppressed_findings: &[],
        baseline: None,
        duration_ms: 0,
        color: false,
        verbose: false,
    };
    let mut v = json::to_value(&run)["findings"].clone();
    for f in v.as_array_mut().expect("array") {
        f.as_object_mut().expect("object").remove("help");
    }
    serde_json::to_string_pretty(&v).expect("json")
}

#[test]
fn every_rule_has_positive_and_negative_fixtures() {
    // squawk's rules are squawk's, tested by squawk; `fixtures/rules/squawk` tests the group.
    for m in rules::all_rules().filter(|m| !is_squawk(m.id)) {
        for kind in ["positive", "negative"] {
            let dir = root().join("fixtures/rules").join(m.id).join(kind);
            assert!(
                dir.is_dir(),
                "{} has no {kind} fixtures at {}",
                m.id,
                dir.display()
            );
            assert!(!files_below(&dir).is_empty(), "{}: {kind}/ is empty", m.id);
        }
    }
    // No fixture folder for a rule that does not exist.
    for e in std::fs::read_dir(root().join("fixtures/rules")).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        assert!(
            rules::find_rule(&name).is_some() || name == "squawk",
            "fixtures/rules/{name} names no rule"
        );
    }
}

#[test]
fn every_positive_file_is_found() {
    for m in rules::all_rules().filter(|m| !is_squawk(m.id)) {
        let dir = root().join("fixtures/rules").join(m.id).join("positive");
        for file in files_below(&dir) {
            let rel = file.strip_prefix(root()).unwrap();
            // Context that dbguard does not read (a folder's README, a lock file).
            if matches!(
                dbguard::lang::classify_path(rel),
                dbguard::lang::Classified::Unknown
            ) {
                continue;
            }
            let o = lint(&[rel]);
            assert!(
                o.findings
                    .iter()
                    .any(|f| f.rule == m.id && f.severity >= Severity::Warning),
                "{}: no warning/error in {}; got {:#?}",
                m.id,
                rel.display(),
                o.findings
                    .iter()
                    .map(|f| (&f.rule, f.severity, &f.message))
                    .collect::<Vec<_>>()
            );
        }
    }
}

#[test]
fn negative_fixtures_stay_below_warning() {
    let mut dirs: Vec<_> = rules::all_rules()
        .filter(|m| !is_squawk(m.id))
        .map(|m| format!("fixtures/rules/{}/negative", m.id))
        .collect();
    dirs.push("fixtures/hosts/negative".into());
    dirs.push("fixtures/rules/squawk/negative".into());
    for dir in dirs {
        let o = lint(&[Path::new(&dir)]);
        let loud: Vec<_> = o
            .findings
            .iter()
            .filter(|f| f.severity >= Severity::Warning)
            // squawk's advice on a look-alike migration is not what the dir is about.
            .filter(|f| !is_squawk(f.rule) || dir.contains("/squawk/"))
            .map(|f| format!("{}:{}: {} {}", f.path, f.start.line, f.rule, f.message))
            .collect();
        assert!(
            loud.is_empty(),
            "look-alikes reported in {dir}:\n{}",
            loud.join("\n")
        );
        assert!(o.files_scanned > 0, "{dir}: nothing scanned");
    }
}

#[test]
fn rule_fixture_snapshots() {
    for m in rules::all_rules().filter(|m| !is_squawk(m.id)) {
        let o = lint(&[Path::new(&format!("fixtures/rules/{}", m.id))]);
        insta::assert_snapshot!(format!("rule-{}", m.id), findings_json(&o));
    }
    let o = lint(&[Path::new("fixtures/rules/squawk")]);
    insta::assert_snapshot!("rule-squawk", findings_json(&o));
}

fn is_squawk(id: &str) -> bool {
    id.starts_with("squawk/")
}

#[test]
fn squawk_group_runs_on_migrations_only() {
    let o = lint(&[Path::new("fixtures/rules/squawk/positive")]);
    assert!(
        o.findings
            .iter()
            .any(|f| f.rule == "squawk/require-concurrent-index-creation"
                && f.severity == Severity::Warning
                && f.message.contains("blocked")),
        "{:#?}",
        o.findings
    );
    let o = lint(&[Path::new("fixtures/rules/squawk/negative")]);
    assert!(
        o.findings.iter().all(|f| !is_squawk(f.rule)),
        "{:#?}",
        o.findings
    );
}

#[test]
fn host_snapshots() {
    let positive = lint(&[Path::new("fixtures/hosts/positive")]);
    // Every host form of fixtures/hosts/EXPECTED.md, each dangerous command once.
    assert_eq!(
        positive
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count(),
        40
    );
    insta::assert_snapshot!("hosts-positive", findings_json(&positive));
    let negative = lint(&[Path::new("fixtures/hosts/negative")]);
    insta::assert_snapshot!("hosts-negative", findings_json(&negative));
}

#[test]
fn demo_app_snapshot() {
    let o = lint(&[Path::new("fixtures/demo-app")]);
    insta::assert_snapshot!("demo-app", findings_json(&o));
}

/// Every finding's span covers the command it names: positions are mapped back through JSON
/// escapes, YAML block scalars, Makefile continuations and JS templates, not shifted.
#[test]
fn every_finding_points_at_its_command() {
    let o = lint(&[Path::new("fixtures")]);
    assert!(
        o.findings.len() > 100,
        "only {} findings in fixtures/",
        o.findings.len()
    );
    for f in &o.findings {
        let meta = rules::find_rule(f.rule).unwrap();
        // Folder-level findings have no span; squawk's point where squawk says.
        if f.rule == "migration-order" || is_squawk(f.rule) {
            continue;
        }
        // Findings about suppressions point at the directive (or at the rule it names), or
        // at the `[[suppress]]` entry of the config.
        // Findings about the config's own entries point into the entry.
        if f.path.ends_with("dbguard.toml") {
            let source = o.sources.iter().find(|s| s.display == f.path).unwrap();
            let text = &source.text[f.span.clone()];
            assert!(
                text.contains("path") || text.starts_with('"'),
                "{}:{}: [{}] not at a config entry: `{text}`",
                f.path,
                f.start.line,
                f.rule
            );
            continue;
        }
        if f.category == rules::Category::Suppression {
            let source = o.sources.iter().find(|s| s.display == f.path).unwrap();
            let line = source.line_text(f.start.line);
            assert!(
                line.contains("dbguard-ignore") || source.text[f.span.clone()].contains("rule ="),
                "{}:{}: [{}] not at a suppression",
                f.path,
                f.start.line,
                f.rule
            );
            continue;
        }
        let source = o
            .sources
            .iter()
            .find(|s| s.display == f.path)
            .expect("source kept");
        let text = &source.text[f.span.clone()];
        let lower = text.to_ascii_lowercase();
        // `psql -f x.sql`: the finding is about the file's statement, at the command.
        let runs_file = lower.contains(".sql") && f.message.contains(" runs ");
        // A rule without literals (production-host/port) points at what the config lists.
        assert!(
            meta.literals.is_empty()
                || meta.literals.iter().any(|l| lower.contains(l))
                || lower.contains(&program_of(f.rule))
                || runs_file,
            "{}:{}:{} [{}] span `{}` does not contain the command",
            f.path,
            f.start.line,
            f.start.column,
            f.rule,
            text
        );
        // The reported line/column is where the span starts.
        let line = source.line_text(f.start.line);
        let from_col: String = line.chars().skip(f.start.column - 1).collect();
        let first: String = text.chars().take_while(|c| *c != '\n').collect();
        assert!(
            from_col.starts_with(first.trim_end()),
            "{}:{}: `{from_col}` vs `{first}`",
            f.path,
            f.start.line
        );
    }
}

fn program_of(rule: &str) -> String {
    match rule {
        "prisma-migrate-dev-in-deploy" => "prisma".into(),
        r => r.split('-').next().unwrap_or(r).into(),
    }
}

/// The two realistic projects report exactly what their EXPECTED.md lists (squawk's
/// warnings aside), and their JSON is snapshotted.
#[test]
fn project_snapshots() {
    type Expected<'a> = &'a [(&'a str, usize, &'a str, Severity)];
    let expected: &[(&str, Expected)] = &[
        (
            "supabase-app",
            &[
                (
                    "scripts/cleanup.ts",
                    17,
                    "delete-without-where",
                    Severity::Error,
                ),
                (
                    "supabase/migrations/20240120153000_team_helpers.sql",
                    4,
                    "security-definer-without-search-path",
                    Severity::Error,
                ),
                (
                    "supabase/migrations/20240202101000_waitlist.sql",
                    12,
                    "permissive-write-policy",
                    Severity::Error,
                ),
                (
                    "supabase/migrations/20240215110000_analytics_events.sql",
                    3,
                    "table-without-rls",
                    Severity::Error,
                ),
                ("tests/posts.test.ts", 13, "truncate", Severity::Info),
            ],
        ),
        (
            "prisma-app",
            &[
                (
                    "prisma/migrations/20240315083000_remove_post_legacy/migration.sql",
                    8,
                    "drop-column",
                    Severity::Error,
                ),
                (
                    "prisma/migrations/20240320100000_add_tags",
                    1,
                    "migration-order",
                    Severity::Error,
                ),
                ("scripts/reset-demo.sh", 8, "truncate", Severity::Error),
            ],
        ),
        (
            // Issue 4's incident: every line that let test users reach production.
            "test-users-incident",
            &[
                (".env", 2, "committed-env-file", Severity::Error),
                (
                    "jest.setup.ts",
                    2,
                    "test-reads-production-env",
                    Severity::Error,
                ),
                (
                    "scripts/debug-user.ts",
                    5,
                    "missing-environment-guard",
                    Severity::Error,
                ),
                (
                    "src/lib/db.ts",
                    8,
                    "env-fallback-to-production",
                    Severity::Error,
                ),
                (
                    "tests/db-guard.test.ts",
                    6,
                    "hardcoded-database-url",
                    Severity::Info,
                ),
                (
                    "tests/e2e/login.spec.ts",
                    5,
                    "production-port",
                    Severity::Error,
                ),
                (
                    "tests/helpers/users.ts",
                    6,
                    "env-fallback-to-production",
                    Severity::Error,
                ),
                (
                    "tests/helpers/users.ts",
                    6,
                    "test-reads-production-env",
                    Severity::Error,
                ),
            ],
        ),
    ];
    for (project, want) in expected {
        let dir = format!("fixtures/projects/{project}");
        let o = lint(&[Path::new(&dir)]);
        let got: Vec<(String, usize, &str, Severity)> = o
            .findings
            .iter()
            .filter(|f| !is_squawk(f.rule))
            .map(|f| {
                (
                    f.path.strip_prefix(&format!("{dir}/")).unwrap().to_string(),
                    f.start.line,
                    f.rule,
                    f.severity,
                )
            })
            .collect();
        let want: Vec<(String, usize, &str, Severity)> = want
            .iter()
            .map(|(p, l, r, s)| (p.to_string(), *l, *r, *s))
            .collect();
        assert_eq!(got, want, "{project}");
        insta::assert_snapshot!(format!("project-{project}"), findings_json(&o));
    }
}
