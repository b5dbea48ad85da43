//! Suppressions in every host's comment syntax, `[[suppress]]` entries, the strict mode, the
//! listing of suppressed findings, and the baseline round trip, as a user runs them.

mod common;

use std::path::Path;

use common::{dbguard, run};
use serde_json::Value;

/// One dangerous command per host, each with a directive in that host's comment syntax.
const SUPPRESSED: &[(&str, &str)] = &[
    (
        "scripts/drop.sh",
        "#!/bin/sh\n# dbguard-ignore dropdb -- scratch database of the nightly job\ndropdb -h db.acme.internal scratch\n",
    ),
    (
        ".github/workflows/preview.yml",
        "name: preview\non: push\njobs:\n  reset:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          # dbguard-ignore prisma-migrate-reset -- preview database, recreated per branch\n          npx prisma migrate reset --force\n",
    ),
    (
        "Makefile",
        "push:\n\tnpx prisma db push --accept-data-loss # dbguard-ignore prisma-db-push-accept-data-loss -- dev schema only\n",
    ),
    (
        "Dockerfile",
        "FROM node:20\n# dbguard-ignore destructive-command -- image for the throwaway e2e database\nRUN npx prisma migrate reset --force\n",
    ),
    (
        "db/rebuild.sql",
        "-- dbguard-ignore drop-table -- derived data\nDROP TABLE reporting_totals;\n/* dbguard-ignore truncate -- derived data */ TRUNCATE reporting_days;\n",
    ),
    (
        "scripts/reset.ts",
        "import { execSync } from 'node:child_process';\n// dbguard-ignore prisma-migrate-reset -- e2e database\nexecSync('npx prisma migrate reset --force');\nexecSync('dropdb -h db.acme.internal e2e'); /* dbguard-ignore dropdb -- e2e */\n",
    ),
    (
        "scripts/wipe.sql",
        "-- Wipes the demo tenant.\n-- dbguard-ignore-file destructive-sql -- demo tenant only, reviewed in OPS-17\nDELETE FROM demo_orders;\nTRUNCATE demo_events;\n",
    ),
    (
        "package.json",
        "{\"name\": \"x\", \"scripts\": {\"db:reset\": \"prisma migrate reset --force\"}}\n",
    ),
    (
        "dbguard.toml",
        "[[suppress]]\npath = \"package.json\"\nrule = \"prisma-migrate-reset\"\nreason = \"db:reset is for the compose database\"\n",
    ),
];

fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

fn json(dir: &Path, args: &[&str]) -> (i32, Value) {
    let out = run(dbguard()
        .current_dir(dir)
        .args(["check", "--format", "json"])
        .args(args));
    let v: Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}{}", out.stdout, out.stderr);
    });
    (out.code, v)
}

fn rules_of(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}:{}",
                f["path"].as_str().unwrap(),
                f["rule"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn every_comment_syntax_suppresses_and_strict_mode_ignores_comments() {
    let dir = repo(SUPPRESSED);
    let (code, v) = json(dir.path(), &[]);
    assert_eq!(rules_of(&v), Vec::<String>::new());
    assert_eq!(code, 0);
    // 1 + 1 + 1 + 1 + 2 + 2 + 2 inline, and the package.json entry.
    assert_eq!(v["summary"]["suppressed"], 11, "{v:#}");
    assert!(v.get("suppressed").is_none(), "listed only on request");

    let (code, v) = json(dir.path(), &["--no-inline-suppressions"]);
    assert_eq!(code, 1);
    let found = rules_of(&v);
    assert_eq!(found.len(), 10, "{found:#?}");
    assert!(
        !found.iter().any(|f| f.starts_with("package.json")),
        "[[suppress]] entries still apply: {found:#?}"
    );
    assert!(
        !found.iter().any(|f| f.contains("suppression")),
        "{found:#?}"
    );
    assert_eq!(v["summary"]["suppressed"], 1);
}

#[test]
fn show_suppressed_lists_each_with_its_reason() {
    let dir = repo(SUPPRESSED);
    let (_, v) = json(dir.path(), &["--show-suppressed"]);
    let listed = v["suppressed"].as_array().expect("listed");
    assert_eq!(listed.len(), 11);
    let drop = listed
        .iter()
        .find(|f| f["path"] == "scripts/drop.sh")
        .unwrap();
    assert_eq!(drop["rule"], "dropdb");
    assert_eq!(drop["line"], 3);
    assert_eq!(drop["suppression"]["kind"], "inline");
    assert_eq!(
        drop["suppression"]["reason"],
        "scratch database of the nightly job"
    );
    let pkg = listed.iter().find(|f| f["path"] == "package.json").unwrap();
    assert_eq!(pkg["suppression"]["kind"], "config");
    let wipe: Vec<_> = listed
        .iter()
        .filter(|f| f["path"] == "scripts/wipe.sql")
        .collect();
    assert!(wipe.iter().all(|f| f["suppression"]["kind"] == "file"));
    // Concise output keeps suppressed findings out of the problem-matcher shape.
    let out = run(dbguard().current_dir(dir.path()).args([
        "check",
        "--format",
        "concise",
        "--show-suppressed",
    ]));
    assert!(
        out.stdout.lines().all(|l| l.starts_with("suppressed (")),
        "{}",
        out.stdout
    );
    assert!(out.stderr.contains("11 suppressed"), "{}", out.stderr);
}

#[test]
fn a_directive_covers_only_its_line() {
    let dir = repo(&[(
        "scripts/drop.sh",
        "# dbguard-ignore dropdb -- scratch\ndropdb -h db.acme.internal scratch\ndropdb -h db.acme.internal app\n",
    )]);
    let (code, v) = json(dir.path(), &[]);
    assert_eq!(code, 1);
    let lines: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(lines, [("dropdb".to_string(), 3)]);
}

#[test]
fn baseline_round_trip() {
    let script = "#!/bin/sh\ndropdb -h db.acme.internal app\n";
    let dir = repo(&[
        ("scripts/drop.sh", script),
        ("scripts/old.sh", "dropdb -h db.acme.internal old\n"),
    ]);
    let out = run(dbguard().current_dir(dir.path()).arg("baseline"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("wrote 2 findings"), "{}", out.stderr);
    let file = dir.path().join(".dbguard-baseline.json");
    let text = std::fs::read_to_string(&file).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["findings"][0]["path"], "scripts/drop.sh");
    assert_eq!(doc["findings"][0]["rule"], "dropdb");
    // Deterministic: a second run writes the same bytes.
    run(dbguard().current_dir(dir.path()).arg("baseline"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);

    // Lines added above, the other script deleted: nothing new, one stale entry.
    std::fs::write(
        dir.path().join("scripts/drop.sh"),
        format!("#!/bin/sh\nset -eu\n\necho 'recreating'\n{}", &script[10..]),
    )
    .unwrap();
    std::fs::remove_file(dir.path().join("scripts/old.sh")).unwrap();
    let (code, v) = json(dir.path(), &["--baseline", ".dbguard-baseline.json"]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["summary"]["baselined"], 1);
    assert_eq!(v["summary"]["baseline_stale"], 1);

    // A new danger is reported; `[baseline] path` in the config works like the flag.
    std::fs::write(
        dir.path().join("dbguard.toml"),
        "[baseline]\npath = \".dbguard-baseline.json\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("scripts/new.sh"),
        "dropdb -h db.acme.internal billing\n",
    )
    .unwrap();
    let (code, v) = json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(rules_of(&v), ["scripts/new.sh:dropdb"]);
    let out = run(dbguard()
        .current_dir(dir.path())
        .args(["check", "--format", "concise"]));
    assert!(
        out.stderr
            .contains("1 in baseline (1 baseline entry no longer matches anything"),
        "{}",
        out.stderr
    );

    // A baseline that cannot be read is an error, not a silent full report.
    let out = run(dbguard()
        .current_dir(dir.path())
        .args(["check", "--baseline", "missing.json"]));
    assert_eq!(out.code, 2, "{}", out.stderr);
}

#[test]
fn findings_in_dbguard_toml_can_be_suppressed() {
    let config = "[[contract.scripts]]\npath = \"scripts/gone.ts\" # dbguard-ignore stale-contract-entry -- kept for the audit trail\ntables = [\"users\"]\nreason = \"old backfill\"\n\n[[contract.scripts]]\npath = \"scripts/also-gone.ts\"\ntables = [\"users\"]\nreason = \"old backfill\"\n\n[[suppress]]\npath = \"dbguard.toml\"\nrule = \"stale-contract-entry\"\nreason = \"the audit wants the history\"\n";
    let dir = repo(&[("dbguard.toml", config), ("scripts/ok.sh", "echo hi\n")]);
    let (code, v) = json(dir.path(), &["--show-suppressed"]);
    assert_eq!(rules_of(&v), Vec::<String>::new(), "{v:#}");
    assert_eq!(code, 0);
    let kinds: Vec<&str> = v["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["suppression"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["inline", "config"]);
}

#[test]
fn a_config_applies_where_the_files_are_not_where_the_user_stands() {
    let dir = repo(&[
        (
            "here/dbguard.toml",
            "[production]\nhosts = [\"db.secret.internal\"]\n\n[[contract.scripts]]\npath = \"scripts/gone.ts\"\ntables = [\"*\"]\nreason = \"x\"\n",
        ),
        ("there/b.sh", "psql -h db.secret.internal -c 'select 1'\n"),
    ]);
    // Linting `../there` from `here`: neither here's production hosts nor its stale contract
    // entry concern the files linted.
    let out = run(dbguard()
        .current_dir(dir.path().join("here"))
        .args(["check", "../there", "--format", "json"]));
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(rules_of(&v), Vec::<String>::new(), "{v:#}");
    assert_eq!(out.code, 0);
}

#[test]
fn baseline_records_are_per_file_and_independent_of_the_cwd() {
    let table = "create table public.a (id int);\n";
    let dir = repo(&[
        ("supabase/migrations/001_a.sql", table),
        ("supabase/migrations/002_b.sql", table),
        ("lib/x.sh", "dropdb -h db.acme.internal app\n"),
    ]);
    std::fs::create_dir_all(dir.path().join("sub")).unwrap();
    // Written from a subfolder, paths relative to the baseline's folder, without `..`.
    let out = run(dbguard().current_dir(dir.path().join("sub")).args([
        "baseline",
        "..",
        "--output",
        "../.dbguard-baseline.json",
    ]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = std::fs::read_to_string(dir.path().join(".dbguard-baseline.json")).unwrap();
    assert!(
        text.contains("\"lib/x.sh\"") && !text.contains(".."),
        "{text}"
    );
    // A third identical migration earlier in path order is the only new finding: the
    // project rule's occurrences are counted per file.
    std::fs::write(dir.path().join("supabase/migrations/000_z.sql"), table).unwrap();
    let (code, v) = json(dir.path(), &["--baseline", ".dbguard-baseline.json"]);
    assert_eq!(code, 1);
    assert_eq!(
        rules_of(&v),
        ["supabase/migrations/000_z.sql:table-without-rls"],
        "{v:#}"
    );
    assert_eq!(v["summary"]["baseline_stale"], 0);
}

#[test]
fn suppress_globs_may_start_with_dot_slash_and_disabled_rules_are_named() {
    let dir = repo(&[
        (
            "dbguard.toml",
            "[rules]\ndisable = [\"redis-flush\"]\n\n[[suppress]]\npath = \"./scripts/*.sh\"\nrule = \"dropdb\"\nreason = \"scratch\"\n",
        ),
        (
            "scripts/a.sh",
            "dropdb -h db.acme.internal scratch\nredis-cli flushall # dbguard-ignore redis-flush -- cache\n",
        ),
    ]);
    let (_, v) = json(dir.path(), &[]);
    assert_eq!(v["summary"]["suppressed"], 1, "{v:#}");
    let messages: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        ["`dbguard-ignore redis-flush` hides nothing: `redis-flush` is turned off by the config"]
    );
}
