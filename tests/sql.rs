//! SQL end to end: positions of SQL embedded in other hosts, the squawk group and its config,
//! the exposed-schema setting, and the project rules' scope.

mod common;

use std::path::Path;

use common::{run, Out};

fn write(dir: &Path, path: &str, text: &str) {
    let p = dir.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn check(dir: &Path, args: &[&str]) -> Out {
    run(common::dbguard()
        .current_dir(dir)
        .args(["check", "--format", "concise"])
        .args(args))
}

/// A `DROP TABLE` on line 7 of a template literal that starts on line 5 is reported at line
/// 7, at the column of `DROP`; the same through a JSON-escaped psql command in package.json
/// and a heredoc in a shell script.
#[test]
fn embedded_sql_positions_are_exact() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "scripts/cleanup.ts",
        "import { pool } from './db';\n\nexport async function cleanup() {\n  // drop the staging copy\n  await pool.query(`\n    -- one-off\n    DROP TABLE staging_orders;\n  `);\n}\n",
    );
    write(
        d.path(),
        "package.json",
        "{\n  \"scripts\": {\n    \"db:wipe\": \"psql \\\"$DATABASE_URL\\\" -c \\\"TRUNCATE \\\\\\\"User\\\\\\\"\\\"\"\n  }\n}\n",
    );
    write(
        d.path(),
        "bin/prune.sh",
        "#!/bin/sh\npsql \"$DATABASE_URL\" <<'SQL'\n  select 1;\n  DELETE FROM sessions;\nSQL\n",
    );
    let o = check(d.path(), &["."]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "bin/prune.sh:4:3: error [delete-without-where] `DELETE FROM sessions` deletes every row of `sessions`: the connection argument comes from `$DATABASE_URL`",
            "package.json:3:45: error [truncate] `TRUNCATE \"User\"` deletes every row of `User`: the connection argument comes from `$DATABASE_URL`",
            "scripts/cleanup.ts:7:5: error [drop-table] `DROP TABLE staging_orders` deletes table `staging_orders` and every row in it",
        ],
        "{}",
        o.stdout
    );
    let json = std::fs::read_to_string(d.path().join("package.json")).unwrap();
    let line3 = json.lines().nth(2).unwrap();
    let col: String = line3.chars().skip(44).take(9).collect();
    assert_eq!(col, "TRUNCATE ");
}

#[test]
fn squawk_group_config() {
    let d = tempfile::tempdir().unwrap();
    let migration =
        "CREATE INDEX orders_customer ON orders (customer_id);\nALTER TABLE orders ADD COLUMN note varchar(100);\n";
    write(d.path(), "db/migrations/0002_index.sql", migration);
    let o = check(d.path(), &["."]);
    assert_eq!(o.code, 0, "warnings do not fail the run: {}", o.stderr);
    assert_eq!(
        o.stdout,
        "db/migrations/0002_index.sql:1:1: warning [squawk/require-concurrent-index-creation] During normal index creation, table updates are blocked, but reads are still allowed.\n"
    );
    // Not a migration: squawk's rules do not run.
    write(d.path(), "scripts/index.sql", migration);
    let o = check(d.path(), &["scripts"]);
    assert_eq!(o.stdout, "");
    // The whole group off.
    write(
        d.path(),
        "dbguard.toml",
        "[rules]\ndisable = [\"squawk\"]\n",
    );
    let o = check(d.path(), &["."]);
    assert_eq!((o.code, o.stdout.as_str()), (0, ""), "{}", o.stderr);
    // One rule off, an opt-in one on, and a severity for a squawk rule.
    write(
        d.path(),
        "dbguard.toml",
        "[rules]\ndisable = [\"squawk/require-concurrent-index-creation\"]\nenable = [\"squawk/prefer-text-field\"]\nseverity = { \"squawk/prefer-text-field\" = \"error\" }\n",
    );
    let o = check(d.path(), &["."]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(
        o.stdout
            .starts_with("db/migrations/0002_index.sql:2:36: error [squawk/prefer-text-field]"),
        "{}",
        o.stdout
    );
    assert!(!o.stdout.contains("require-concurrent"), "{}", o.stdout);
    // An unknown squawk rule is a config error.
    write(
        d.path(),
        "dbguard.toml",
        "[rules]\ndisable = [\"squawk/no-such-rule\"]\n",
    );
    let o = check(d.path(), &["."]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("unknown rule or category"),
        "{}",
        o.stderr
    );
    // `explain` knows squawk's rules.
    let o = run(common::dbguard().args(["explain", "squawk/prefer-robust-stmts"]));
    assert_eq!(o.code, 0);
    assert!(o.stdout.contains("Off unless enabled"), "{}", o.stdout);
}

#[test]
fn rls_scope_follows_the_project_and_config() {
    let d = tempfile::tempdir().unwrap();
    // A plain project that never uses RLS: silent.
    write(d.path(), "package.json", "{\"name\": \"shop\"}\n");
    write(
        d.path(),
        "migrations/001_init.sql",
        "CREATE TABLE orders (id bigint PRIMARY KEY);\nCREATE TABLE internal.audit (id bigint);\n",
    );
    let o = check(d.path(), &["."]);
    assert_eq!((o.code, o.stdout.as_str()), (0, ""), "{}", o.stderr);
    // The same project once it depends on supabase-js: the public table is reported.
    write(
        d.path(),
        "package.json",
        "{\"dependencies\": {\"@supabase/supabase-js\": \"^2.45.0\"}}\n",
    );
    let o = check(d.path(), &["."]);
    assert_eq!(o.code, 1);
    assert_eq!(
        o.stdout,
        "migrations/001_init.sql:1:1: error [table-without-rls] table `orders` is created in schema `public`, but no SQL file of the project enables row level security on it\n"
    );
    // `internal` exposed too.
    write(
        d.path(),
        "dbguard.toml",
        "[sql]\nexposed_schemas = [\"public\", \"internal\"]\n",
    );
    let o = check(d.path(), &["."]);
    assert_eq!(o.stdout.lines().count(), 2, "{}", o.stdout);
    // RLS enabled in a later migration covers both.
    write(
        d.path(),
        "migrations/002_rls.sql",
        "ALTER TABLE orders ENABLE ROW LEVEL SECURITY;\nALTER TABLE internal.audit ENABLE ROW LEVEL SECURITY;\n",
    );
    let o = check(d.path(), &["."]);
    assert_eq!((o.code, o.stdout.as_str()), (0, ""), "{}", o.stderr);
    // Forced on in a project without any RLS signal.
    let e = tempfile::tempdir().unwrap();
    write(
        e.path(),
        "db/migrate/001_init.sql",
        "CREATE TABLE orders (id bigint PRIMARY KEY);\n",
    );
    assert_eq!(check(e.path(), &["."]).stdout, "");
    write(
        e.path(),
        "dbguard.toml",
        "[rules]\nenable = [\"table-without-rls\"]\n",
    );
    let o = check(e.path(), &["."]);
    assert!(
        o.stdout.contains("[table-without-rls] table `orders`"),
        "{}",
        o.stdout
    );
}

/// Input that once crashed or stalled the SQL pass: a long operator chain (deep recursion in
/// the parser), nesting beyond the budget (skipped, with the reason), nested `sql` templates,
/// thousands of functions. Every run ends with 0 or 1 and reports what it skipped.
#[test]
fn hostile_sql_is_survived() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "chain.sql",
        &format!("SELECT {}'a';\nDROP TABLE t;\n", "'a' || ".repeat(20_000)),
    );
    write(
        d.path(),
        "parens.sql",
        &format!("SELECT {}1{};\n", "(".repeat(5_000), ")".repeat(5_000)),
    );
    write(
        d.path(),
        "nots.sql",
        &format!("SELECT {}true;\n", "NOT ".repeat(50_000)),
    );
    write(
        d.path(),
        "nested.ts",
        &format!(
            "await sql`{}DELETE FROM z{}`;\n",
            "${sql`".repeat(800),
            "`}".repeat(800)
        ),
    );
    write(
        d.path(),
        "functions.sql",
        &"CREATE FUNCTION f() RETURNS void LANGUAGE sql SECURITY DEFINER AS $$ SELECT 1 $$;\n"
            .repeat(3_000),
    );
    let o = run(common::dbguard()
        .current_dir(d.path())
        .args(["check", ".", "--format", "json", "-v"]));
    assert_eq!(o.code, 1, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let skipped: Vec<String> = v["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| format!("{} {}", s["path"], s["reason"]))
        .collect();
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    assert!(skipped[0].contains("nots.sql") && skipped[0].contains("50000 levels"));
    assert!(skipped[1].contains("parens.sql") && skipped[1].contains("5000 levels"));
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    // The statement after the long chain is still seen.
    assert!(rules.contains(&"drop-table"), "{rules:?}");
    assert_eq!(
        rules
            .iter()
            .filter(|r| **r == "security-definer-without-search-path")
            .count(),
        3_000
    );
}

/// A Latin-1 comment does not hide the SQL after it: SQL files are decoded leniently, one
/// replacement character per invalid byte, so columns stay right.
#[test]
fn latin1_sql_is_read() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("old.sql"),
        b"-- Auteur: Ren\xe9\nDROP TABLE clients; -- \xe9t\xe9\n",
    )
    .unwrap();
    let o = check(d.path(), &["."]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(
        o.stdout
            .starts_with("old.sql:2:1: error [drop-table] `DROP TABLE clients`"),
        "{}",
        o.stdout
    );
    // Other kinds are still refused: a shell script in Latin-1 is reported as skipped.
    std::fs::write(d.path().join("x.sh"), b"# \xe9\ndropdb app\n").unwrap();
    let o = run(common::dbguard()
        .current_dir(d.path())
        .args(["check", "x.sh", "-v", "--format", "concise"]));
    assert!(o.stderr.contains("not valid UTF-8"), "{}", o.stderr);
}

/// Extraction limits are reported, not silent: `bash -c` nested past the limit, and a YAML
/// alias bomb, each list their file as skipped with the reason.
#[test]
fn extraction_limits_are_reported() {
    let d = tempfile::tempdir().unwrap();
    let mut script = "dropdb app".to_string();
    // Nine levels (quoting grows fourfold per level).
    for _ in 0..9 {
        script = format!("bash -c {}", shell_quote(&script));
    }
    write(d.path(), "deep.sh", &format!("{script}\n"));
    // Each level merges the previous one twice: 2^30 mappings if expanded naively.
    let mut yaml = String::from("e0: &e0 {K0: \"x\"}\n");
    for i in 1..30 {
        let p = i - 1;
        yaml.push_str(&format!(
            "e{i}: &e{i} {{<<: [*e{p}, *e{p}], K{i}: \"x\"}}\n"
        ));
    }
    yaml.push_str(
        "jobs:\n  j:\n    runs-on: x\n    env:\n      <<: *e29\n    steps:\n      - run: prisma migrate reset --force\n",
    );
    write(d.path(), ".github/workflows/bomb.yml", &yaml);
    let o = run(common::dbguard()
        .current_dir(d.path())
        .args(["check", ".", "--format", "json"]));
    assert!(o.code == 0 || o.code == 1, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
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
    assert!(
        reasons
            .iter()
            .any(|r| r.starts_with("deep.sh: shell code nested more than 8 levels")),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.starts_with(".github/workflows/bomb.yml: YAML")),
        "{reasons:?}"
    );
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}
