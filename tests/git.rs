//! Git integration, on real repositories in temporary directories: `--staged` reads the
//! index (not the working tree), `--changed-since`/`--new-only`, the pre-commit hook.

mod common;

use std::path::Path;
use std::process::Command as StdCommand;

use assert_cmd::Command;
use common::{run, Out};

const DANGEROUS: &str = r#"{"scripts": {"db:reset": "prisma migrate reset --force"}}"#;
const CLEAN: &str = r#"{"scripts": {"db:migrate": "prisma migrate deploy"}}"#;

fn git(dir: &Path, args: &[&str]) -> std::process::Output {
    let out = StdCommand::new("git")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A repository with one commit of `package.json` = CLEAN.
fn repo() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    git(d.path(), &["init", "-q"]);
    git(d.path(), &["config", "user.email", "dev@example.com"]);
    git(d.path(), &["config", "user.name", "Dev"]);
    git(d.path(), &["config", "commit.gpgsign", "false"]);
    // Never touch a machine-wide hooks directory.
    git(d.path(), &["config", "core.hooksPath", ".git/hooks"]);
    write(d.path(), "package.json", CLEAN);
    git(d.path(), &["add", "."]);
    git(d.path(), &["commit", "-qm", "init"]);
    d
}

fn write(dir: &Path, path: &str, text: &str) {
    let p = dir.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn dbguard(dir: &Path, args: &[&str]) -> Out {
    run(common::dbguard().current_dir(dir).args(args))
}

#[test]
fn staged_reads_the_index_not_the_working_tree() {
    let d = repo();
    // Staged dangerous, clean working copy: must fail, with the staged line numbers.
    write(d.path(), "package.json", &format!("\n\n{DANGEROUS}"));
    git(d.path(), &["add", "package.json"]);
    write(d.path(), "package.json", CLEAN);
    let o = dbguard(d.path(), &["check", "--staged", "--format", "concise"]);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.starts_with("package.json:3:"), "{}", o.stdout);
    assert!(o.stdout.contains("[prisma-migrate-reset]"));
    // Staged clean, dangerous working copy: must pass.
    write(d.path(), "package.json", CLEAN);
    write(d.path(), "scripts/reset.sh", "echo ok\n");
    git(d.path(), &["add", "."]);
    write(d.path(), "scripts/reset.sh", "dropdb app\n");
    let o = dbguard(d.path(), &["check", "--staged", "--format", "concise"]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert!(o.stderr.contains("1 file scanned"), "{}", o.stderr);
    // Paths relative to a subdirectory, and limited to the paths given.
    git(d.path(), &["add", "."]);
    let o = dbguard(
        &d.path().join("scripts"),
        &["check", "--staged", "--format", "concise"],
    );
    assert_eq!(o.stdout.trim(), "reset.sh:1:1: error [dropdb] `dropdb app` deletes the database: no host is given, so PGHOST or the connection service decides");
    let o = dbguard(
        d.path(),
        &["check", "--staged", "--format", "concise", "src"],
    );
    assert_eq!(o.code, 0, "{}", o.stdout);
}

#[test]
fn odd_file_names_and_diff_settings_do_not_hide_files() {
    let d = repo();
    // A newline in a staged file name must not shift the contents of the next files.
    write(d.path(), "a\nHEAD.sh", "echo hi\n");
    write(d.path(), "c.sh", "dropdb app\n");
    git(d.path(), &["add", "."]);
    let o = dbguard(d.path(), &["check", "--staged", "--format", "concise"]);
    assert!(
        o.stdout.contains("c.sh:1:1: error [dropdb]"),
        "{}{}",
        o.stdout,
        o.stderr
    );
    git(d.path(), &["commit", "-qm", "names"]);
    // diff.noprefix must not empty --new-only.
    git(d.path(), &["config", "diff.noprefix", "true"]);
    write(
        d.path(),
        "c.sh",
        "dropdb app\ndropdb -h prod.example.com app\n",
    );
    let o = dbguard(
        d.path(),
        &[
            "check",
            "--changed-since",
            "HEAD",
            "--new-only",
            "--format",
            "concise",
        ],
    );
    assert!(
        o.stdout.starts_with("c.sh:2:1: error [dropdb]"),
        "{}{}",
        o.stdout,
        o.stderr
    );
    assert_eq!(o.stdout.lines().count(), 1, "{}", o.stdout);
}

#[test]
fn staged_and_changed_since_need_a_repository() {
    let d = tempfile::tempdir().unwrap();
    for args in [
        &["check", "--staged"][..],
        &["check", "--changed-since", "HEAD"],
    ] {
        let o = dbguard(d.path(), args);
        assert_eq!(o.code, 2);
        assert!(
            o.stderr.contains("is not in a git repository"),
            "{}",
            o.stderr
        );
    }
    let o = dbguard(repo().path(), &["check", "--changed-since", "no-such-rev"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("git diff"), "{}", o.stderr);
}

#[test]
fn changed_since_and_new_only() {
    let d = repo();
    write(d.path(), "scripts/old.sh", "dropdb old\n");
    git(d.path(), &["add", "."]);
    git(d.path(), &["commit", "-qm", "old danger"]);
    let base = String::from_utf8(git(d.path(), &["rev-parse", "HEAD"]).stdout).unwrap();
    let base = base.trim();
    // Second commit: a new line in old.sh, an untouched dangerous file, a new untracked file.
    write(d.path(), "scripts/untouched.sh", "dropdb untouched\n");
    git(d.path(), &["add", "."]);
    git(d.path(), &["commit", "-qm", "more"]);
    let second = String::from_utf8(git(d.path(), &["rev-parse", "HEAD"]).stdout).unwrap();
    write(
        d.path(),
        "scripts/old.sh",
        "dropdb old\nredis-cli -h cache.prod FLUSHALL\n",
    );
    write(d.path(), "scripts/new.sh", "dropdb new\n");
    let o = dbguard(
        d.path(),
        &[
            "check",
            "--changed-since",
            second.trim(),
            "--format",
            "concise",
        ],
    );
    let files: Vec<&str> = o
        .stdout
        .lines()
        .map(|l| l.split(':').next().unwrap())
        .collect();
    assert_eq!(
        files,
        ["scripts/new.sh", "scripts/old.sh", "scripts/old.sh"],
        "{}",
        o.stdout
    );
    let o = dbguard(
        d.path(),
        &[
            "check",
            "--changed-since",
            second.trim(),
            "--new-only",
            "--format",
            "concise",
        ],
    );
    let lines: Vec<&str> = o
        .stdout
        .lines()
        .map(|l| l.split(": ").next().unwrap())
        .collect();
    assert_eq!(
        lines,
        ["scripts/new.sh:1:1", "scripts/old.sh:2:1"],
        "{}",
        o.stdout
    );
    // Since the first commit, the committed file counts too.
    let o = dbguard(
        d.path(),
        &["check", "--changed-since", base, "--format", "concise"],
    );
    assert!(
        o.stdout.contains("scripts/untouched.sh:1:1"),
        "{}",
        o.stdout
    );
    // --new-only needs --changed-since.
    assert_eq!(dbguard(d.path(), &["check", "--new-only"]).code, 2);
}

fn hooks(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("pre-commit") && !n.ends_with(".sample"))
        .collect();
    v.sort();
    v
}

#[test]
fn the_hook_blocks_a_dangerous_commit_and_chains_to_an_existing_hook() {
    let d = repo();
    let hooks_dir = d.path().join(".git/hooks");
    // An existing hook that records that it ran.
    write(
        &hooks_dir,
        "pre-commit",
        "#!/bin/sh\necho ran >> \"$(git rev-parse --show-toplevel)/.hook-ran\"\n",
    );
    chmod_x(&hooks_dir.join("pre-commit"));
    let o = dbguard(d.path(), &["install-hook"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout.contains("kept as pre-commit.local"),
        "{}",
        o.stdout
    );
    assert_eq!(hooks(&hooks_dir), ["pre-commit", "pre-commit.local"]);
    // Installing again updates our hook in place.
    assert_eq!(dbguard(d.path(), &["install-hook"]).code, 0);
    assert_eq!(hooks(&hooks_dir), ["pre-commit", "pre-commit.local"]);

    write(d.path(), "package.json", DANGEROUS);
    git(d.path(), &["add", "package.json"]);
    let commit = StdCommand::new("git")
        .current_dir(d.path())
        .args(["commit", "-qm", "danger"])
        .output()
        .unwrap();
    assert!(!commit.status.success(), "the hook must refuse the commit");
    assert!(String::from_utf8_lossy(&commit.stderr).contains("prisma-migrate-reset"));
    assert!(
        d.path().join(".hook-ran").exists(),
        "the chained hook ran first"
    );

    write(d.path(), "package.json", CLEAN);
    write(
        d.path(),
        "README.md",
        "Run `prisma migrate reset` to start over.\n",
    );
    git(d.path(), &["add", "."]);
    let commit = StdCommand::new("git")
        .current_dir(d.path())
        .args(["commit", "-qm", "clean"])
        .output()
        .unwrap();
    assert!(
        commit.status.success(),
        "{}",
        String::from_utf8_lossy(&commit.stderr)
    );

    // Uninstall restores the chained hook.
    let o = dbguard(d.path(), &["uninstall-hook"]);
    assert!(
        o.stdout.contains("restored pre-commit.local"),
        "{}",
        o.stdout
    );
    assert_eq!(hooks(&hooks_dir), ["pre-commit"]);
    assert!(std::fs::read_to_string(hooks_dir.join("pre-commit"))
        .unwrap()
        .contains(".hook-ran"));
    // A foreign hook is never removed.
    let o = dbguard(d.path(), &["uninstall-hook"]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("was not written by dbguard"),
        "{}",
        o.stderr
    );
}

#[test]
fn hooks_path_and_refusals() {
    let d = repo();
    git(d.path(), &["config", "core.hooksPath", ".githooks"]);
    let o = dbguard(&d.path().join("."), &["install-hook"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(d.path().join(".githooks/pre-commit").exists());
    assert!(!d.path().join(".git/hooks/pre-commit").exists());
    assert_eq!(dbguard(d.path(), &["uninstall-hook"]).code, 0);
    assert!(!d.path().join(".githooks/pre-commit").exists());
    assert!(dbguard(d.path(), &["uninstall-hook"])
        .stdout
        .contains("no pre-commit hook"));

    // A foreign hook and a pre-commit.local: no way to chain both without --force.
    write(
        &d.path().join(".githooks"),
        "pre-commit",
        "#!/bin/sh\nexit 0\n",
    );
    write(
        &d.path().join(".githooks"),
        "pre-commit.local",
        "#!/bin/sh\nexit 0\n",
    );
    let o = dbguard(d.path(), &["install-hook"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("cannot chain to both"), "{}", o.stderr);
    let o = dbguard(d.path(), &["install-hook", "--force"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(
        hooks(&d.path().join(".githooks")),
        [
            "pre-commit",
            "pre-commit.dbguard-backup",
            "pre-commit.local"
        ]
    );
    assert_eq!(dbguard(d.path(), &["uninstall-hook"]).code, 0);
    assert_eq!(
        hooks(&d.path().join(".githooks")),
        ["pre-commit", "pre-commit.local"]
    );

    // husky owns its hooks directory.
    git(d.path(), &["config", "core.hooksPath", ".husky/_"]);
    let o = dbguard(d.path(), &["install-hook"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains(".husky/pre-commit"), "{}", o.stderr);
}

#[cfg(unix)]
fn chmod_x(p: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[cfg(not(unix))]
fn chmod_x(_p: &Path) {}

#[test]
fn stdin_filename_lints_as_that_file() {
    let d = repo();
    write(
        d.path(),
        "dbguard.toml",
        "[files]\nexclude = [\"legacy/**\"]\n",
    );
    let run = |args: &[&str], input: &str| {
        let o = Command::cargo_bin("dbguard")
            .unwrap()
            .current_dir(d.path())
            .args(args)
            .write_stdin(input)
            .output()
            .unwrap();
        (
            o.status.code().unwrap(),
            String::from_utf8(o.stdout).unwrap(),
        )
    };
    let (code, out) = run(
        &[
            "check",
            "--stdin-filename",
            "scripts/x.sh",
            "--format",
            "concise",
        ],
        "echo hi\ndropdb app\n",
    );
    assert_eq!(code, 1);
    assert!(out.starts_with("scripts/x.sh:2:1: error [dropdb]"), "{out}");
    // The kind comes from the name given.
    let (code, _) = run(
        &[
            "check",
            "--stdin-filename",
            "notes.md",
            "--format",
            "concise",
        ],
        "dropdb app\n",
    );
    assert_eq!(code, 0);
    let (_, out) = run(
        &[
            "check",
            "--stdin-filename",
            "package.json",
            "--format",
            "concise",
        ],
        DANGEROUS,
    );
    assert!(out.contains("[prisma-migrate-reset]"), "{out}");
    // Excludes apply with --force-exclude, as for files on the command line.
    let (code, _) = run(
        &["check", "--stdin-filename", "legacy/x.sh"],
        "dropdb app\n",
    );
    assert_eq!(code, 1);
    let (code, _) = run(
        &[
            "check",
            "--stdin-filename",
            "legacy/x.sh",
            "--force-exclude",
        ],
        "dropdb app\n",
    );
    assert_eq!(code, 0);
}

#[test]
fn github_actions_gets_annotations_by_default() {
    let d = repo();
    write(d.path(), "scripts/x.sh", "dropdb app\n");
    let o = Command::cargo_bin("dbguard")
        .unwrap()
        .current_dir(d.path())
        .env("GITHUB_ACTIONS", "true")
        .arg("check")
        .output()
        .unwrap();
    let stdout = String::from_utf8(o.stdout).unwrap();
    assert!(
        stdout.starts_with("::error file=scripts/x.sh,line=1,col=1,"),
        "{stdout}"
    );
    assert!(
        String::from_utf8(o.stderr).unwrap().contains("dbguard: "),
        "summary on stderr"
    );
}

/// `--staged` lints only the staged migration, but judges RLS against the whole project: a
/// table whose RLS is enabled in a committed migration is not reported, a new table without
/// RLS is.
#[test]
fn staged_migration_is_judged_against_the_project() {
    let d = repo();
    write(
        d.path(),
        "supabase/migrations/20240101000000_profiles.sql",
        "create table public.profiles (id uuid primary key);\n",
    );
    write(
        d.path(),
        "supabase/migrations/20240102000000_rls.sql",
        "alter table public.profiles enable row level security;\n",
    );
    git(d.path(), &["add", "."]);
    git(d.path(), &["commit", "-qm", "profiles"]);
    // Touch the old migration: its table has RLS in a file that is not staged.
    write(
        d.path(),
        "supabase/migrations/20240101000000_profiles.sql",
        "-- profiles\ncreate table public.profiles (id uuid primary key);\n",
    );
    git(d.path(), &["add", "."]);
    let o = dbguard(d.path(), &["check", "--staged", "--format", "concise"]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    // A new table without RLS.
    write(
        d.path(),
        "supabase/migrations/20240103000000_notes.sql",
        "create table public.notes (id bigint primary key);\n",
    );
    git(d.path(), &["add", "."]);
    let o = dbguard(d.path(), &["check", "--staged", "--format", "concise"]);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stdout.contains(
            "supabase/migrations/20240103000000_notes.sql:1:1: error [table-without-rls]"
        ),
        "{}",
        o.stdout
    );
    assert!(!o.stdout.contains("profiles"), "{}", o.stdout);
}
