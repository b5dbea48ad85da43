//! CLI behaviour: every output format, exit codes, config handling, determinism.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command as StdCommand, Stdio};

use common::{dbguard, root, run, Out};
use serde_json::Value;

fn check(args: &[&str]) -> Out {
    run(dbguard().arg("check").args(args))
}

const DEMO: &str = "fixtures/demo-app";

#[test]
fn concise_is_one_parsable_line_per_finding() {
    let o = check(&[DEMO, "--format", "concise"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let re =
        regex::Regex::new(r"^[^:]+:\d+:\d+: (error|warning|info) \[[a-z0-9/-]+\] .+$").unwrap();
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert_eq!(lines.len(), 11, "{}", o.stdout);
    for l in &lines {
        assert!(re.is_match(l), "not concise: {l}");
    }
    assert!(lines.contains(&"fixtures/demo-app/package.json:23:18: error [prisma-migrate-reset] `prisma migrate reset --force` drops and recreates the database: it loads .env (whatever that file holds)"), "{}", o.stdout);
    assert!(
        o.stderr.contains("dbguard: "),
        "summary on stderr: {}",
        o.stderr
    );
    assert!(
        o.stderr.contains("8 errors, 0 warnings, 3 info"),
        "{}",
        o.stderr
    );
}

#[test]
fn json_follows_the_schema() {
    let o = check(&[DEMO, "--format", "json"]);
    assert_eq!(o.code, 1);
    let v: Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["tool"]["name"], "dbguard");
    assert_eq!(v["tool"]["version"], env!("CARGO_PKG_VERSION"));
    let s = &v["summary"];
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(s["findings"].as_u64().unwrap() as usize, findings.len());
    let by = &s["by_severity"];
    assert_eq!(by["error"], 8);
    assert_eq!(by["warning"], 0);
    assert_eq!(by["info"], 3);
    assert!(s["files_scanned"].as_u64().unwrap() >= 10);
    assert_eq!(s["files_skipped"], 0);
    assert_eq!(s["suppressed"], 0);
    assert!(s["duration_ms"].is_u64());
    for f in findings {
        for key in [
            "rule",
            "category",
            "severity",
            "path",
            "line",
            "column",
            "end_line",
            "end_column",
            "message",
            "help",
            "snippet",
            "fingerprint",
        ] {
            assert!(!f[key].is_null(), "finding lacks {key}: {f}");
        }
        let category = f["category"].as_str().unwrap();
        let rule = dbguard::rules::find_rule(f["rule"].as_str().unwrap()).unwrap();
        assert_eq!(category, rule.category.as_str());
        assert!(f["line"].as_u64().unwrap() >= 1 && f["column"].as_u64().unwrap() >= 1);
        assert!(f["end_line"].as_u64() >= f["line"].as_u64());
        assert_eq!(f["fingerprint"].as_str().unwrap().len(), 16);
    }
}

#[test]
fn sarif_is_what_code_scanning_reads() {
    let o = check(&[DEMO, "--format", "sarif"]);
    assert_eq!(o.code, 1);
    let v: Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    assert!(v["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "dbguard");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), dbguard::rules::all_rules().count());
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 11);
    for r in results {
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], r["ruleId"]);
        assert!(["error", "warning", "note"].contains(&r["level"].as_str().unwrap()));
        let loc = &r["locations"][0]["physicalLocation"];
        assert!(loc["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .starts_with("fixtures/demo-app/"));
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
        assert!(r["partialFingerprints"]["dbguard/v1"].is_string());
    }
    for rule in rules {
        assert!(rule["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("## Why it is dangerous"));
    }
}

#[test]
fn github_annotations_are_escaped_workflow_commands() {
    let o = check(&[DEMO, "--format", "github"]);
    assert_eq!(o.code, 1);
    let re = regex::Regex::new(r"^::(error|warning|notice) file=[^,:]+,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=[^,:]+::[^\r\n]+$").unwrap();
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert_eq!(lines.len(), 11);
    for l in &lines {
        assert!(re.is_match(l), "bad annotation: {l}");
        assert!(l.contains("%0Ahelp%3A ") || l.contains("%0Ahelp: "), "{l}");
    }
    assert!(lines.iter().any(|l| l.starts_with("::notice ")));
}

#[test]
fn human_shows_the_source_line_and_help() {
    let o = check(&[DEMO, "--format", "human"]);
    assert_eq!(o.code, 1);
    assert!(
        o.stdout.contains("error(prisma-migrate-reset)"),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout
            .contains(r#""db:reset": "dotenv -e .env -- prisma migrate reset --force""#),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("help: pin the target"), "{}", o.stdout);
    assert!(
        o.stdout.contains("fixtures/demo-app/package.json:23:18"),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout.lines().last().unwrap().starts_with("dbguard: "),
        "{}",
        o.stdout
    );
}

#[test]
fn exit_codes_follow_fail_on() {
    assert_eq!(check(&[DEMO, "--fail-on", "never"]).code, 0);
    let neg = "fixtures/hosts/negative";
    assert_eq!(check(&[neg]).code, 0, "info does not fail by default");
    assert_eq!(check(&[neg, "--fail-on", "warning"]).code, 0);
    assert_eq!(check(&[neg, "--fail-on", "info"]).code, 1);
    let warnings_only = repo(&[(
        "package.json",
        r#"{"scripts": {"db:push": "supabase db push"}}"#,
    )]);
    assert_eq!(
        check_in(&warnings_only, &[]).code,
        0,
        "warnings do not fail by default"
    );
    assert_eq!(check_in(&warnings_only, &["--fail-on", "warning"]).code, 1);
    assert_eq!(check(&["no/such/path"]).code, 2);
    assert_eq!(check(&[DEMO, "--format", "nope"]).code, 2);
    assert_eq!(check(&[DEMO, "--fail-on", "sometimes"]).code, 2);
}

#[test]
fn a_clean_repository_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("package.json"), r#"{"scripts": {"db:migrate": "prisma migrate deploy", "reset": "echo prisma migrate reset"}}"#).unwrap();
    std::fs::write(dir.path().join("README.md"), "run `prisma migrate reset`\n").unwrap();
    let o = run(dbguard()
        .current_dir(dir.path())
        .args(["check", "--format", "concise"]));
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert_eq!(o.stdout, "");
    assert!(o.stderr.contains("1 file scanned"), "{}", o.stderr);
}

fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

fn check_in(dir: &tempfile::TempDir, args: &[&str]) -> Out {
    run(dbguard()
        .current_dir(dir.path())
        .arg("check")
        .args(args)
        .args(["--format", "concise"]))
}

#[test]
fn config_disables_and_overrides() {
    let script = (
        "scripts/reset.sh",
        "prisma migrate reset --force\ndropdb app\n",
    );
    let d = repo(&[
        script,
        (
            "dbguard.toml",
            "[rules]\ndisable = [\"prisma-migrate-reset\"]\nseverity = { dropdb = \"warning\" }\n",
        ),
    ]);
    let o = check_in(&d, &[]);
    assert_eq!(o.code, 0, "{}", o.stdout);
    assert_eq!(o.stdout, "scripts/reset.sh:2:1: warning [dropdb] `dropdb app` deletes the database: no host is given, so PGHOST or the connection service decides\n");
    let d = repo(&[
        script,
        (
            ".dbguard.toml",
            "[rules]\ndisable = [\"destructive-command\"]\n",
        ),
    ]);
    assert_eq!(check_in(&d, &[]).stdout, "");
}

#[test]
fn nearest_config_wins() {
    let d = repo(&[
        ("dbguard.toml", "[rules]\ndisable = [\"dropdb\"]\n"),
        ("a/x.sh", "dropdb app\n"),
        ("b/dbguard.toml", ""),
        ("b/x.sh", "dropdb app\n"),
    ]);
    let o = check_in(&d, &[]);
    assert_eq!(o.stdout.lines().collect::<Vec<_>>(), ["b/x.sh:1:1: error [dropdb] `dropdb app` deletes the database: no host is given, so PGHOST or the connection service decides"]);
    // --config overrides discovery.
    let o = check_in(&d, &["--config", "dbguard.toml"]);
    assert_eq!(o.stdout, "");
}

#[test]
fn excludes_ignores_and_explicit_files() {
    let d = repo(&[
        ("dbguard.toml", "[files]\nexclude = [\"legacy/**\"]\n"),
        ("legacy/old.sh", "dropdb app\n"),
        (".gitignore", "generated/\n"),
        ("generated/x.sh", "dropdb app\n"),
        ("node_modules/pkg/x.sh", "dropdb app\n"),
    ]);
    assert_eq!(check_in(&d, &[]).stdout, "");
    // Named on the command line: linted anyway, unless --force-exclude.
    assert_eq!(check_in(&d, &["legacy/old.sh"]).stdout.lines().count(), 1);
    assert_eq!(
        check_in(&d, &["legacy/old.sh", "--force-exclude"]).stdout,
        ""
    );
    assert_eq!(check_in(&d, &["generated/x.sh"]).stdout.lines().count(), 1);
    let all = check_in(&d, &["--no-ignore"]);
    assert!(all.stdout.contains("generated/x.sh"), "{}", all.stdout);
    assert!(
        !all.stdout.contains("legacy/"),
        "config excludes still apply: {}",
        all.stdout
    );
}

#[test]
fn skipped_files_are_counted_and_listed() {
    let d = repo(&[
        (
            "big.sh",
            &format!("dropdb app\n{}", "# padding\n".repeat(200)),
        ),
        ("bin.sh", "dropdb\0app\n"),
    ]);
    std::fs::write(d.path().join("latin1.sh"), b"dropdb caf\xe9\n").unwrap();
    let o = run(dbguard().current_dir(d.path()).args([
        "check",
        "--format",
        "json",
        "--max-file-size",
        "1000",
    ]));
    let v: Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["summary"]["files_skipped"], 3, "{}", o.stdout);
    let reasons: Vec<String> = v["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            format!(
                "{}: {}",
                s["path"].as_str().unwrap(),
                s["reason"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(reasons.len(), 3);
    assert!(
        reasons[0].starts_with("big.sh: larger than --max-file-size"),
        "{reasons:?}"
    );
    assert_eq!(reasons[1], "bin.sh: binary file (NUL byte)");
    assert_eq!(reasons[2], "latin1.sh: not valid UTF-8");
    let verbose = run(dbguard().current_dir(d.path()).args([
        "check",
        "--format",
        "concise",
        "--max-file-size",
        "1000",
        "-v",
    ]));
    assert!(
        verbose
            .stderr
            .contains("skipped bin.sh: binary file (NUL byte)"),
        "{}",
        verbose.stderr
    );
    assert!(verbose.stderr.contains("3 skipped"), "{}", verbose.stderr);
    // Never silent: without -v too, in every format.
    let args = ["check", "--max-file-size", "1000", "--format"];
    let concise = run(dbguard().current_dir(d.path()).args(args).arg("concise"));
    assert!(
        concise
            .stderr
            .contains("skipped latin1.sh: not valid UTF-8"),
        "{}",
        concise.stderr
    );
    assert_eq!(v["skipped"][1]["kind"], "file-skipped");
    let sarif = run(dbguard().current_dir(d.path()).args(args).arg("sarif"));
    let s: Value = serde_json::from_str(&sarif.stdout).unwrap();
    let notes = &s["runs"][0]["invocations"][0];
    assert_eq!(notes["executionSuccessful"], true);
    assert_eq!(
        notes["toolExecutionNotifications"][1]["message"]["text"],
        "bin.sh: binary file (NUL byte)"
    );
    assert_eq!(
        notes["toolExecutionNotifications"][1]["descriptor"]["id"],
        "file-skipped"
    );
    let github = run(dbguard().current_dir(d.path()).args(args).arg("github"));
    assert!(
        github.stdout.contains(
            "::warning file=bin.sh,title=dbguard file-skipped::dbguard did not lint this file fully: binary file (NUL byte)"
        ),
        "{}",
        github.stdout
    );
}

#[test]
fn invalid_config_is_a_diagnostic_and_exit_2() {
    let d = repo(&[
        (
            "dbguard.toml",
            "[rules]\ndisable = [\"prisma-migrate-rest\"]\n",
        ),
        ("x.sh", "true\n"),
    ]);
    let o = check_in(&d, &[]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr
            .contains("unknown rule or category `prisma-migrate-rest`"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("dbguard.toml:2:"), "{}", o.stderr);
    let d = repo(&[("dbguard.toml", "[file]\nexclude = []\n")]);
    let o = check_in(&d, &[]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("unknown field `file`"), "{}", o.stderr);
    let o = check_in(&d, &["--config", "missing.toml"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("cannot read config"), "{}", o.stderr);
}

fn strip_duration(s: &str) -> String {
    let mut v: Value = serde_json::from_str(s).unwrap();
    v["summary"]["duration_ms"] = Value::Null;
    v.to_string()
}

#[test]
fn output_is_deterministic_across_threads() {
    let one = check(&["fixtures", "--format", "json", "--threads", "1"]);
    let many = check(&["fixtures", "--format", "json", "--threads", "4"]);
    assert_eq!(strip_duration(&one.stdout), strip_duration(&many.stdout));
    let a = check(&["fixtures", "--format", "concise"]);
    let b = check(&["fixtures", "--format", "concise", "--threads", "1"]);
    assert_eq!(a.stdout, b.stdout);
    let s1 = check(&["fixtures", "--format", "sarif", "--threads", "1"]);
    let s2 = check(&["fixtures", "--format", "sarif"]);
    assert_eq!(s1.stdout, s2.stdout);
}

#[test]
fn fingerprints_survive_lines_added_above() {
    let d = repo(&[("x.sh", "set -e\ndropdb app\n")]);
    let fp = |d: &tempfile::TempDir| {
        let o = run(dbguard()
            .current_dir(d.path())
            .args(["check", "--format", "json"]));
        let v: Value = serde_json::from_str(&o.stdout).unwrap();
        (
            v["findings"][0]["fingerprint"]
                .as_str()
                .unwrap()
                .to_string(),
            v["findings"][0]["line"].as_u64().unwrap(),
        )
    };
    let (before, line) = fp(&d);
    std::fs::write(
        d.path().join("x.sh"),
        "#!/bin/sh\n# cleanup\n\nset -e\ndropdb app\n",
    )
    .unwrap();
    let (after, line2) = fp(&d);
    assert_eq!(before, after);
    assert_eq!(line2, line + 3);
}

#[test]
fn rules_and_explain() {
    let o = run(dbguard().args(["rules", "--format", "json"]));
    let v: Value = serde_json::from_str(&o.stdout).unwrap();
    let ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), dbguard::rules::all_rules().count());
    let table = run(dbguard().arg("rules")).stdout;
    for id in &ids {
        assert!(table.contains(id), "{id} missing from the table");
        let e = run(dbguard().args(["explain", id]));
        assert_eq!(e.code, 0);
        for section in [
            "## What it catches",
            "## Why it is dangerous",
            "## Example",
            "## Use instead",
        ] {
            assert!(e.stdout.contains(section), "{id}: {section}");
        }
    }
    let bad = run(dbguard().args(["explain", "prisma-reset"]));
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("unknown rule `prisma-reset`"),
        "{}",
        bad.stderr
    );
}

#[test]
fn readme_rule_table_is_current() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme
        .find("<!-- rules:start -->\n")
        .expect("rules:start marker")
        + "<!-- rules:start -->\n".len();
    let end = readme.find("<!-- rules:end -->").expect("rules:end marker");
    assert_eq!(
        &readme[start..end],
        dbguard::cli::rules_markdown(),
        "run `dbguard rules --format markdown` and paste it into the README"
    );
}

#[test]
fn ci_runs_the_readme_test_command() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let ci = std::fs::read_to_string(root().join(".ci/run")).unwrap();
    let marker = "<!-- test-command -->\n```sh\n";
    let start = readme.find(marker).expect("test-command marker") + marker.len();
    let command = readme[start..].lines().next().unwrap();
    assert!(
        ci.lines().any(|l| l.trim() == command),
        ".ci/run does not run `{command}`"
    );
}

/// The problem matchers shipped for editors and GitHub parse every concise line.
#[test]
fn problem_matcher_recovers_every_field() {
    let matcher: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join(".github/dbguard-matcher.json")).unwrap(),
    )
    .unwrap();
    let pattern = &matcher["problemMatcher"][0]["pattern"][0];
    let re = regex::Regex::new(pattern["regexp"].as_str().unwrap()).unwrap();
    let group = |k: &str| pattern[k].as_u64().unwrap() as usize;
    let json: Value =
        serde_json::from_str(&check(&["fixtures", "--format", "json"]).stdout).unwrap();
    let concise = check(&["fixtures", "--format", "concise"]).stdout;
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(concise.lines().count(), findings.len());
    for (line, f) in concise.lines().zip(findings) {
        let c = re
            .captures(line)
            .unwrap_or_else(|| panic!("matcher misses: {line}"));
        assert_eq!(&c[group("file")], f["path"].as_str().unwrap());
        assert_eq!(
            c[group("line")].parse::<u64>().unwrap(),
            f["line"].as_u64().unwrap()
        );
        assert_eq!(
            c[group("column")].parse::<u64>().unwrap(),
            f["column"].as_u64().unwrap()
        );
        assert_eq!(&c[group("severity")], f["severity"].as_str().unwrap());
        assert_eq!(&c[group("code")], f["rule"].as_str().unwrap());
        assert_eq!(&c[group("message")], f["message"].as_str().unwrap());
    }
}

#[test]
fn a_closed_pipe_is_not_a_crash() {
    let mut child = StdCommand::new(env!("CARGO_BIN_EXE_dbguard"))
        .current_dir(root())
        .args(["check", "fixtures", "--format", "concise"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(!first.is_empty());
    assert!(matches!(status.code(), Some(0..=1)), "{status:?}");
}

/// A panic while linting one file (forced in debug builds) is reported, the other files are
/// still linted, and the run cannot pass as clean.
#[test]
fn a_panic_costs_one_file_and_fails_the_run() {
    let d = repo(&[("a.sh", "dropdb app\n"), ("b.sh", "echo PANIC-HERE\n")]);
    let o = run(dbguard()
        .current_dir(d.path())
        .env("DBGUARD_TEST_PANIC", "PANIC-HERE")
        .args(["check", "--format", "json", "--fail-on", "never"]));
    assert_eq!(o.code, 2, "{}", o.stderr);
    let v: Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["findings"][0]["path"], "a.sh");
    assert_eq!(v["skipped"][0]["path"], "b.sh");
    assert!(
        v["skipped"][0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("internal error"),
        "{}",
        o.stdout
    );
    // check-command fails closed.
    let o = run(dbguard()
        .env("DBGUARD_TEST_PANIC", "PANIC-HERE")
        .args(["check-command", "echo PANIC-HERE"]));
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("the check failed"), "{}", o.stderr);
}

/// A panic inside a rule names the rule; SQL rules are covered the same way.
#[test]
fn a_panic_in_a_rule_names_the_rule() {
    let d = repo(&[("a.sh", "dropdb app\n"), ("b.sql", "DROP TABLE t;\n")]);
    for (rule, path) in [("dropdb", "a.sh"), ("drop-table", "b.sql")] {
        let o = run(dbguard()
            .current_dir(d.path())
            .env("DBGUARD_TEST_PANIC_RULE", rule)
            .args(["check", "--format", "json"]));
        assert_eq!(o.code, 2, "{}", o.stderr);
        let v: Value = serde_json::from_str(&o.stdout).unwrap();
        assert_eq!(v["skipped"][0]["path"], path, "{}", o.stdout);
        let reason = v["skipped"][0]["reason"].as_str().unwrap();
        assert!(
            reason.starts_with(&format!("internal error in rule `{rule}`")),
            "{reason}"
        );
    }
}

/// A UTF-8 byte order mark is not a column, and does not hide a shebang.
#[test]
fn byte_order_marks_and_deploy_script_names() {
    let d = repo(&[]);
    std::fs::write(
        d.path().join("package.json"),
        "\u{feff}{\"scripts\":{\"r\":\"prisma migrate reset --force\",\"predeploy\":\"prisma migrate dev\"}}\n",
    )
    .unwrap();
    std::fs::write(
        d.path().join("reset"),
        "\u{feff}#!/bin/bash\nheroku run -a acme npx prisma migrate reset --force\n",
    )
    .unwrap();
    let o = check_in(&d, &[]);
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert!(
        lines[0].starts_with("package.json:1:18: error [prisma-migrate-reset]"),
        "{}",
        o.stdout
    );
    assert!(
        lines[1].contains("it runs in `predeploy`, a deploy context"),
        "{}",
        o.stdout
    );
    assert!(
        lines[2].starts_with("reset:2:1: error [prisma-migrate-reset]"),
        "{}",
        o.stdout
    );
    assert!(
        lines[2].contains("`heroku run` runs it on a dyno"),
        "{}",
        o.stdout
    );
}

/// The README's configuration schema is a valid config (every key spelled as dbguard reads it).
#[test]
fn readme_config_schema_parses() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme.find("```toml\n[rules]\n").expect("schema block") + "```toml\n".len();
    let end = start + readme[start..].find("```").unwrap();
    let text = &readme[start..end];
    for key in [
        "[production]",
        "[guards]",
        "[[contract.scripts]]",
        "[bypass]",
        "[suppressions]",
        "[[suppress]]",
        "[baseline]",
        "[sql]",
    ] {
        assert!(text.contains(key), "{key} is not in the README schema");
    }
    dbguard::config::Config::parse(text, std::path::Path::new("/nonexistent/dbguard.toml"))
        .unwrap_or_else(|e| panic!("{e:?}"));
}
