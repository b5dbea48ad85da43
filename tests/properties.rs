//! Property tests (issue 7) over generated host files of every kind — shell scripts,
//! package.json, GitHub and GitLab CI files, Makefiles, Dockerfiles, JavaScript/TypeScript and
//! SQL — built from dangerous commands, SQL statements, comments, blank lines, multi-byte text
//! and LF or CRLF line endings:
//!
//! 1. every finding's span lies inside the text, on character boundaries, and its line and
//!    column (computed here independently: CRLF, LF and lone CR end a line; columns count
//!    Unicode characters from 1) agree with the span;
//! 2. one blank line added at the top (after the shebang line of a script that has one)
//!    shifts every finding down by exactly one line and changes nothing else.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use dbguard::config::Config;
use dbguard::engine::lint_source;
use dbguard::finding::Finding;
use dbguard::lang::{FileKind, JsDialect};
use dbguard::source::SourceFile;
use proptest::prelude::*;

/// One line's worth of generated content, rendered in each host's own syntax.
#[derive(Debug, Clone)]
enum Item {
    /// A shell command line (some dangerous, some not, some with multi-byte text).
    Command(&'static str),
    /// A SQL statement (single-quoted literals only, no `"` or `$`).
    Sql(&'static str),
    /// Free text, rendered as a comment where the host has comments.
    Comment(&'static str),
    Blank,
    /// A command continued on a second line (`\` continuations, block scalars, template
    /// literals, escaped `\n` in JSON; a statement split over two lines in SQL).
    Continued(&'static str),
    /// A statement fed on several lines (heredocs, `RUN <<EOF`, multi-line template
    /// literals; a function body in SQL).
    Heredoc(&'static str),
}

const COMMANDS: &[&str] = &[
    "prisma migrate reset",
    "prisma migrate reset --force",
    "npx prisma db push --accept-data-loss",
    "dropdb -h db.prod.example.com app",
    "redis-cli -h cache.prod.example.com FLUSHALL",
    "supabase db reset",
    "DATABASE_URL=postgres://localhost/app_test prisma migrate reset --force",
    "echo \"日本語 🦀\" && prisma migrate reset",
    "echo ünïcödé; dropdb -h db.prod.example.com app",
    "echo ok",
    "ls -la",
    "npm run build",
    "prisma migrate deploy",
];

const STATEMENTS: &[&str] = &[
    "DROP TABLE users;",
    "TRUNCATE orders;",
    "DELETE FROM users;",
    "UPDATE users SET name = 'é';",
    "DELETE FROM users WHERE id = 1;",
    "ALTER TABLE accounts DISABLE ROW LEVEL SECURITY;",
    "GRANT ALL ON accounts TO anon;",
    "SELECT '日本語 🦀', 1;",
    "ALTER TABLE users DROP COLUMN legacy;",
    "DROP SCHEMA audit CASCADE;",
];

/// The second line of a continued command (the first is `echo 日本 &&`).
const CONTINUED: &[&str] = &[
    "prisma migrate reset --force",
    "dropdb -h db.prod.example.com app",
    "echo 🦀 done",
];

const TEXTS: &[&str] = &[
    "héllo wörld",
    "日本語のコメント",
    "🦀 crab 🦀",
    "prisma migrate reset is dangerous",
    "DROP TABLE users; in a comment",
    "plain ascii",
];

fn item() -> impl Strategy<Value = Item> {
    prop_oneof![
        3 => prop::sample::select(COMMANDS).prop_map(Item::Command),
        2 => prop::sample::select(STATEMENTS).prop_map(Item::Sql),
        2 => prop::sample::select(TEXTS).prop_map(Item::Comment),
        1 => Just(Item::Blank),
        1 => prop::sample::select(CONTINUED).prop_map(Item::Continued),
        1 => prop::sample::select(STATEMENTS).prop_map(Item::Heredoc),
    ]
}

fn kind() -> impl Strategy<Value = FileKind> {
    prop::sample::select(vec![
        FileKind::Shell,
        FileKind::PackageJson,
        FileKind::GithubWorkflow,
        FileKind::GitlabCi,
        FileKind::Makefile,
        FileKind::Dockerfile,
        FileKind::Js(JsDialect::JavaScript),
        FileKind::Js(JsDialect::TypeScript),
        FileKind::Sql,
    ])
}

/// A generated host file.
#[derive(Debug, Clone)]
struct Host {
    kind: FileKind,
    items: Vec<Item>,
    eol: &'static str,
    shebang: bool,
}

fn host() -> impl Strategy<Value = Host> {
    (
        kind(),
        prop::collection::vec(item(), 0..10),
        prop::sample::select(vec!["\n", "\r\n", "\r"]),
        any::<bool>(),
    )
        .prop_map(|(kind, items, eol, shebang)| Host {
            kind,
            items,
            // A lone CR ends a line in JavaScript, SQL and JSON only.
            eol: match kind {
                FileKind::Js(_) | FileKind::Sql | FileKind::PackageJson => eol,
                _ if eol == "\r" => "\n",
                _ => eol,
            },
            shebang: shebang && kind == FileKind::Shell,
        })
}

/// A JSON (and JavaScript) string literal.
fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

/// A YAML single-quoted scalar.
fn yaml_quoted(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The shell command that runs a SQL statement.
fn psql(stmt: &str) -> String {
    format!("psql \"$DATABASE_URL\" -c \"{stmt}\"")
}

impl Host {
    fn path(&self) -> &'static str {
        match self.kind {
            FileKind::Shell => "scripts/task.sh",
            FileKind::PackageJson => "package.json",
            FileKind::GithubWorkflow => ".github/workflows/ci.yml",
            FileKind::GitlabCi => ".gitlab-ci.yml",
            FileKind::Makefile => "Makefile",
            FileKind::Dockerfile => "Dockerfile",
            FileKind::Js(JsDialect::TypeScript) => "scripts/task.ts",
            FileKind::Js(_) => "scripts/task.js",
            _ => "db/task.sql",
        }
    }

    fn lines(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let first = "echo 日本 &&";
        match self.kind {
            FileKind::Shell => {
                if self.shebang {
                    out.push("#!/usr/bin/env bash".to_string());
                }
                for it in &self.items {
                    match it {
                        Item::Command(c) => out.push(c.to_string()),
                        Item::Sql(s) => out.push(psql(s)),
                        Item::Comment(t) => out.push(format!("# {t}")),
                        Item::Blank => out.push(String::new()),
                        Item::Continued(c) => {
                            out.push(format!("{first} \\"));
                            out.push(format!("  {c}"));
                        }
                        Item::Heredoc(s) => {
                            out.push("psql \"$DATABASE_URL\" <<'SQL'".into());
                            out.push(s.to_string());
                            out.push("SQL".into());
                        }
                    }
                }
            }
            FileKind::PackageJson => {
                out.push("{".into());
                out.push("  \"name\": \"日本-app\",".into());
                out.push("  \"scripts\": {".into());
                let mut entries: Vec<String> = Vec::new();
                for (i, it) in self.items.iter().enumerate() {
                    let value = match it {
                        Item::Command(c) => c.to_string(),
                        Item::Sql(s) => psql(s),
                        Item::Comment(t) => format!("echo {t}"),
                        // Whitespace between entries.
                        Item::Blank => {
                            entries.push(String::new());
                            continue;
                        }
                        Item::Continued(c) => format!("{first}\n  {c}"),
                        Item::Heredoc(s) => format!("psql \"$DATABASE_URL\" <<'SQL'\n{s}\nSQL"),
                    };
                    entries.push(format!("    \"s{i}\": {}", quoted(&value)));
                }
                let last = entries.iter().rposition(|e| !e.is_empty());
                for (i, e) in entries.iter().enumerate() {
                    if !e.is_empty() && Some(i) != last {
                        out.push(format!("{e},"));
                    } else {
                        out.push(e.clone());
                    }
                }
                out.push("  }".into());
                out.push("}".into());
            }
            FileKind::GithubWorkflow => {
                out.extend(
                    [
                        "name: ci",
                        "on: push",
                        "jobs:",
                        "  build:",
                        "    runs-on: ubuntu-latest",
                        "    steps:",
                        "      - uses: actions/checkout@v4",
                    ]
                    .map(String::from),
                );
                for it in &self.items {
                    match it {
                        Item::Command(c) => out.push(format!("      - run: {}", yaml_quoted(c))),
                        Item::Sql(s) => {
                            out.push("      - run: |".into());
                            out.push(format!("          {}", psql(s)));
                        }
                        Item::Comment(t) => out.push(format!("      # {t}")),
                        Item::Blank => out.push(String::new()),
                        Item::Continued(c) => {
                            out.push("      - run: |".into());
                            out.push(format!("          {first} \\"));
                            out.push(format!("            {c}"));
                        }
                        Item::Heredoc(s) => {
                            out.push("      - run: |".into());
                            out.push("          psql \"$DATABASE_URL\" <<'SQL'".into());
                            out.push(format!("          {s}"));
                            out.push("          SQL".into());
                        }
                    }
                }
            }
            FileKind::GitlabCi => {
                out.extend(["job:", "  script:", "    - echo start"].map(String::from));
                for it in &self.items {
                    match it {
                        Item::Command(c) => out.push(format!("    - {}", yaml_quoted(c))),
                        Item::Sql(s) => out.push(format!("    - {}", yaml_quoted(&psql(s)))),
                        Item::Comment(t) => out.push(format!("    # {t}")),
                        Item::Blank => out.push(String::new()),
                        Item::Continued(c) => {
                            out.push("    - |".into());
                            out.push(format!("      {first} \\"));
                            out.push(format!("        {c}"));
                        }
                        Item::Heredoc(s) => {
                            out.push("    - |".into());
                            out.push("      psql \"$DATABASE_URL\" <<'SQL'".into());
                            out.push(format!("      {s}"));
                            out.push("      SQL".into());
                        }
                    }
                }
            }
            FileKind::Makefile => {
                out.push("all:".into());
                for it in &self.items {
                    match it {
                        Item::Command(c) => out.push(format!("\t{}", c.replace('$', "$$"))),
                        Item::Sql(s) | Item::Heredoc(s) => {
                            out.push(format!("\t{}", psql(s).replace('$', "$$")))
                        }
                        Item::Comment(t) => out.push(format!("# {t}")),
                        Item::Blank => out.push(String::new()),
                        Item::Continued(c) => {
                            out.push(format!("\t{first} \\"));
                            out.push(format!("\t  {c}"));
                        }
                    }
                }
            }
            FileKind::Dockerfile => {
                out.push("FROM node:20".into());
                for it in &self.items {
                    match it {
                        Item::Command(c) => out.push(format!("RUN {c}")),
                        Item::Sql(s) => out.push(format!("RUN {}", psql(s))),
                        Item::Comment(t) => out.push(format!("# {t}")),
                        Item::Blank => out.push(String::new()),
                        Item::Continued(c) => {
                            out.push(format!("RUN {first} \\"));
                            out.push(format!("    {c}"));
                        }
                        Item::Heredoc(s) => {
                            out.push("RUN <<EOF".into());
                            out.push(psql(s));
                            out.push("EOF".into());
                        }
                    }
                }
            }
            FileKind::Js(_) => {
                out.push("const { execSync } = require(\"child_process\");".into());
                for it in &self.items {
                    match it {
                        Item::Command(c) => out.push(format!("execSync({});", quoted(c))),
                        Item::Sql(s) => out.push(format!("await pool.query({});", quoted(s))),
                        Item::Comment(t) => out.push(format!("// {t}")),
                        Item::Blank => out.push(String::new()),
                        Item::Continued(c) => {
                            out.push(format!("execSync(`{first}"));
                            out.push(format!("  {c}`);"));
                        }
                        Item::Heredoc(s) => {
                            out.push("await sql`".into());
                            out.push(format!("  {s} -- ${{note}}"));
                            out.push("`;".into());
                        }
                    }
                }
            }
            _ => {
                for it in &self.items {
                    match it {
                        // Commands in SQL files are only ever comments.
                        Item::Command(c) => out.push(format!("-- {c}")),
                        Item::Sql(s) => out.push(s.to_string()),
                        Item::Comment(t) => out.push(format!("-- {t}")),
                        Item::Blank => out.push(String::new()),
                        Item::Continued(c) => {
                            out.push(format!("-- {first}"));
                            out.push(format!("/* {c} */ DELETE"));
                            out.push("  FROM sessions;".into());
                        }
                        Item::Heredoc(s) => {
                            out.push(
                                "CREATE FUNCTION wipe() RETURNS void LANGUAGE plpgsql AS $$".into(),
                            );
                            out.push(format!("BEGIN {s} END"));
                            out.push("$$;".into());
                        }
                    }
                }
            }
        }
        out
    }

    fn text(&self) -> String {
        let mut s = self.lines().join(self.eol);
        s.push_str(self.eol);
        s
    }

    /// The text with one blank line at the top (after the shebang line), and where it went.
    fn with_blank_line(&self) -> (String, usize) {
        let text = self.text();
        let at = if self.shebang {
            text.find(self.eol).unwrap() + self.eol.len()
        } else {
            0
        };
        let mut out = text.clone();
        out.insert_str(at, self.eol);
        (out, at)
    }
}

fn root() -> PathBuf {
    PathBuf::from("/dbguard-proptest")
}

fn lint(kind: FileKind, display: &str, text: &str) -> Vec<Finding> {
    let config = Config::default_at(root());
    let source = SourceFile::new(
        display.to_string(),
        root().join(display),
        Arc::<str>::from(text),
    );
    lint_source(&source, kind, &config)
}

/// 1-based line and character column of a byte offset, computed from scratch: CRLF, LF and
/// a lone CR each end one line.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let b = text.as_bytes();
    let (mut line, mut start) = (1, 0);
    let mut i = 0;
    while i < offset {
        let ends = b[i] == b'\n' || (b[i] == b'\r' && b.get(i + 1) != Some(&b'\n'));
        if ends {
            line += 1;
            start = i + 1;
        }
        i += 1;
    }
    (line, text[start..offset].chars().count() + 1)
}

fn check_positions(text: &str, path: &str, findings: &[Finding]) -> Result<(), TestCaseError> {
    for f in findings {
        let (s, e) = (f.span.start, f.span.end);
        prop_assert!(
            s <= e && e <= text.len(),
            "span {:?} outside the text: {f:?}",
            f.span
        );
        prop_assert!(
            text.is_char_boundary(s) && text.is_char_boundary(e),
            "span {:?} not on char boundaries: {f:?}",
            f.span
        );
        prop_assert_eq!(
            (f.start.line, f.start.column),
            line_col(text, s),
            "start of {:?}",
            f
        );
        prop_assert_eq!(
            (f.end.line, f.end.column),
            line_col(text, e),
            "end of {:?}",
            f
        );
        prop_assert_eq!(&f.path, path);
    }
    Ok(())
}

fn config() -> ProptestConfig {
    // 64 cases keep the test to about a second; PROPTEST_CASES=5000 searches harder.
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    ProptestConfig {
        cases,
        // Failures are reported with the shrunk input; no files are written.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn finding_positions_are_inside_the_text_and_agree_with_the_span(h in host()) {
        let text = h.text();
        let findings = lint(h.kind, h.path(), &text);
        check_positions(&text, h.path(), &findings)?;
    }

    #[test]
    fn a_blank_line_at_the_top_shifts_every_finding_by_one_line(h in host()) {
        let text = h.text();
        let before = lint(h.kind, h.path(), &text);
        let (shifted, at) = h.with_blank_line();
        let after = lint(h.kind, h.path(), &shifted);
        check_positions(&shifted, h.path(), &after)?;
        prop_assert_eq!(
            before.len(),
            after.len(),
            "findings before: {:#?}\nafter: {:#?}\ntext:\n{}",
            before,
            after,
            text
        );
        let n = h.eol.len();
        for (b, a) in before.iter().zip(&after) {
            prop_assert!(b.span.start >= at, "a finding above the insertion: {b:?}");
            prop_assert_eq!(a.start.line, b.start.line + 1, "{:?} → {:?}", b, a);
            prop_assert_eq!(a.end.line, b.end.line + 1, "{:?} → {:?}", b, a);
            prop_assert_eq!(a.start.column, b.start.column);
            prop_assert_eq!(a.end.column, b.end.column);
            prop_assert_eq!(a.span.clone(), b.span.start + n..b.span.end + n);
            prop_assert_eq!(a.rule, b.rule);
            prop_assert_eq!(a.severity, b.severity);
            prop_assert_eq!(&a.message, &b.message);
            prop_assert_eq!(&a.help, &b.help);
            prop_assert_eq!(&a.snippet, &b.snippet);
            prop_assert_eq!(&a.fingerprint, &b.fingerprint);
        }
    }
}

/// The generators produce what they claim: each kind yields findings for a dangerous input
/// (so the properties above are not vacuous).
#[test]
fn every_generated_host_kind_can_carry_a_finding() {
    for kind in [
        FileKind::Shell,
        FileKind::PackageJson,
        FileKind::GithubWorkflow,
        FileKind::GitlabCi,
        FileKind::Makefile,
        FileKind::Dockerfile,
        FileKind::Js(JsDialect::JavaScript),
        FileKind::Js(JsDialect::TypeScript),
        FileKind::Sql,
    ] {
        let h = Host {
            kind,
            items: vec![
                Item::Comment("日本語"),
                Item::Command("echo \"日本語 🦀\" && prisma migrate reset"),
                Item::Blank,
                Item::Sql("DROP TABLE users;"),
                Item::Continued("dropdb -h db.prod.example.com app"),
                Item::Heredoc("TRUNCATE orders;"),
            ],
            eol: "\r\n",
            shebang: kind == FileKind::Shell,
        };
        let text = h.text();
        let findings = lint(kind, h.path(), &text);
        assert!(
            !findings.is_empty(),
            "{kind:?}: no finding in\n{text}\n(path {})",
            Path::new(h.path()).display()
        );
        let rules: Vec<&str> = findings.iter().map(|f| f.rule).collect();
        assert!(rules.contains(&"drop-table"), "{kind:?}: {rules:?}");
        assert!(rules.contains(&"truncate"), "{kind:?}: {rules:?}");
        if kind != FileKind::Sql {
            assert!(
                rules.contains(&"prisma-migrate-reset"),
                "{kind:?}: {rules:?}"
            );
            assert!(rules.contains(&"dropdb"), "{kind:?}: {rules:?}");
        }
    }
}
