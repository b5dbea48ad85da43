//! Runtime guards: `dbguard check-command` (plain, argv, stdin, Claude Code hook) and
//! `dbguard check-url`.

mod common;

use std::path::{Path, PathBuf};

use common::{dbguard, root, run, Out};
use serde_json::Value;

/// `dbguard check-command ARGS…` from the repository root, with an empty stdin.
fn check_command(args: &[&str]) -> Out {
    run(dbguard().arg("check-command").args(args).write_stdin(""))
}

/// `dbguard check-command --hook claude-code [EXTRA…]` with `event` on stdin.
fn hook(event: &str, extra: &[&str]) -> Out {
    run(dbguard()
        .args(["check-command", "--hook", "claude-code"])
        .args(extra)
        .write_stdin(event))
}

fn check_url_in(dir: &Path, args: &[&str]) -> Out {
    run(dbguard().current_dir(dir).arg("check-url").args(args))
}

/// A Claude Code `PreToolUse` event as Claude Code sends it (extra fields included).
fn event(tool: &str, tool_input: Value) -> String {
    serde_json::json!({
        "session_id": "abc123",
        "transcript_path": "/home/u/.claude/projects/x/abc123.jsonl",
        "cwd": "/home/u/app",
        "permission_mode": "default",
        "hook_event_name": "PreToolUse",
        "tool_name": tool,
        "tool_input": tool_input,
    })
    .to_string()
}

fn bash_event(command: &str) -> String {
    event(
        "Bash",
        serde_json::json!({"command": command, "description": "run it"}),
    )
}

fn temp_with_config(toml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("dbguard.toml"), toml).unwrap();
    dir
}

// ----- check-command on the rule fixtures -----------------------------------------------------

/// Findings whose reason comes from elsewhere in the script, not from the command's own line:
/// `check-command` sees one command line, without the script around it.
const CONTEXT_FROM_SCRIPT: &[(&str, usize, &str)] = &[
    (
        "fixtures/rules/prisma-migrate-dev-in-deploy/positive/scripts/deploy.sh",
        6,
        "the deploy context is the script's file name",
    ),
    (
        "fixtures/rules/prisma-migrate-dev-in-deploy/positive/scripts/start.sh",
        5,
        "NODE_ENV=production is exported on line 4",
    ),
];

/// The heredoc delimiter a line opens (`<<EOF`, `<<-'EOF'`, `<< "END"`), not a here-string.
fn heredoc_delimiter(line: &str) -> Option<String> {
    let re = regex::Regex::new(r#"<<-?\s*['"]?([A-Za-z_][A-Za-z0-9_]*)['"]?"#).unwrap();
    let c = re.captures(line)?;
    let start = c.get(0).unwrap().start();
    (!line[start..].starts_with("<<<")).then(|| c[1].to_string())
}

/// The command that starts on 1-based line `n` of `lines`, as one would type it: the line,
/// the lines it continues onto with a trailing `\`, and the body of a heredoc it opens (up to
/// and with the delimiter line). `None` when line `n` is itself a continuation or inside a
/// heredoc body: it is not the start of a command.
fn command_at(lines: &[&str], n: usize) -> Option<String> {
    // Which lines are continuations or heredoc bodies, scanning from the top.
    let mut inside = vec![false; lines.len()];
    let mut i = 0;
    while i < lines.len() {
        let mut j = i;
        while lines[j].trim_end().ends_with('\\') && j + 1 < lines.len() {
            j += 1;
            inside[j] = true;
        }
        if let Some(delim) = (i..=j).find_map(|k| heredoc_delimiter(lines[k])) {
            while j + 1 < lines.len() {
                j += 1;
                inside[j] = true;
                if lines[j].trim_start_matches('\t') == delim {
                    break;
                }
            }
        }
        i = j + 1;
    }
    let start = n - 1;
    if inside[start] {
        return None;
    }
    Some(command_from(lines, &inside, start))
}

/// The command whose text holds line `n` (a heredoc body's line belongs to the command that
/// opens it).
fn command_containing(lines: &[&str], n: usize) -> String {
    let mut start = n - 1;
    while start > 0 && command_at(lines, start + 1).is_none() {
        start -= 1;
    }
    command_at(lines, start + 1).expect("a command starts above")
}

fn command_from(lines: &[&str], inside: &[bool], start: usize) -> String {
    let end = (start + 1..lines.len())
        .take_while(|&k| inside[k])
        .last()
        .unwrap_or(start);
    lines[start..=end].join("\n")
}

#[test]
fn command_at_joins_continuations_and_heredocs() {
    let lines = ["a \\", "  b", "redis-cli <<EOF", "FLUSHALL", "EOF", "c"];
    assert_eq!(command_at(&lines, 1).unwrap(), "a \\\n  b");
    assert_eq!(command_at(&lines, 2), None);
    assert_eq!(
        command_at(&lines, 3).unwrap(),
        "redis-cli <<EOF\nFLUSHALL\nEOF"
    );
    assert_eq!(command_at(&lines, 4), None);
    assert_eq!(command_at(&lines, 6).unwrap(), "c");
    assert_eq!(heredoc_delimiter("cat <<< \"$x\""), None);
}

#[test]
fn fixture_findings_block_as_single_commands() {
    let dirs: Vec<PathBuf> = std::fs::read_dir(root().join("fixtures/rules"))
        .unwrap()
        .map(|e| e.unwrap().path().join("positive"))
        .filter(|p| p.is_dir())
        .collect();
    assert!(dirs.len() >= 19, "{dirs:?}");
    let o = run(dbguard()
        .args(["check", "--format", "json"])
        .args(dirs.iter().map(|d| d.strip_prefix(root()).unwrap())));
    assert_eq!(o.code, 1, "{}", o.stderr);
    let v: Value = serde_json::from_str(&o.stdout).unwrap();
    let mut checked = 0;
    let mut skipped = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut sql_files = 0;
    for f in v["findings"].as_array().unwrap() {
        let path = f["path"].as_str().unwrap();
        let severity = f["severity"].as_str().unwrap();
        if !path.ends_with(".sh") || severity == "info" {
            continue;
        }
        // Findings about a file's text, not about one command an agent could run.
        if matches!(
            f["category"].as_str().unwrap(),
            "suppression" | "production-url" | "environment" | "contract"
        ) {
            continue;
        }
        let line = f["line"].as_u64().unwrap() as usize;
        let rule = f["rule"].as_str().unwrap();
        if let Some((_, _, why)) = CONTEXT_FROM_SCRIPT
            .iter()
            .find(|(p, l, _)| *p == path && *l == line)
        {
            skipped.push(format!("{path}:{line} ({why})"));
            continue;
        }
        let text = std::fs::read_to_string(root().join(path)).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        // SQL findings point at the statement, which may sit in a heredoc; URL findings at
        // the URL, which may sit on a continuation line.
        let sql = matches!(
            f["category"].as_str().unwrap(),
            "destructive-sql" | "access-control" | "production-url"
        );
        let command = match command_at(&lines, line) {
            Some(c) => c,
            None if sql => command_containing(&lines, line),
            None => panic!("{path}:{line}: a finding inside another command"),
        };
        // `psql -f FILE` reads FILE relative to the script; an agent runs it from elsewhere.
        if command.contains(".sql") {
            sql_files += 1;
            continue;
        }
        let o = check_command(&[&command]);
        assert_eq!(
            o.code, 2,
            "{path}:{line} [{rule}] `{command}` was allowed: {}",
            o.stderr
        );
        assert!(
            o.stderr.contains(&format!("dbguard: blocked [{rule}]: ")),
            "{path}:{line}: {}",
            o.stderr
        );
        assert!(o.stderr.contains("\n  help: "), "{}", o.stderr);
        assert_eq!(o.stdout, "");
        seen.insert((path.to_string(), line));
        checked += 1;
    }
    // Every rule with a shell fixture is exercised; the skip list names real findings.
    assert!(checked >= 20, "only {checked} commands checked");
    assert!(sql_files > 0, "no `psql -f` fixture");
    assert_eq!(
        skipped.len(),
        CONTEXT_FROM_SCRIPT.len(),
        "stale CONTEXT_FROM_SCRIPT: {skipped:?}"
    );
    assert!(seen.len() >= 18, "{seen:?}");
}

#[test]
fn script_context_must_be_on_the_command_line() {
    // Alone, `prisma migrate dev` is a developer's command…
    assert_eq!(check_command(&["npx prisma migrate dev"]).code, 0);
    // …with the production environment of start.sh on the same command line, it is blocked.
    for c in [
        "export NODE_ENV=production; npx prisma migrate dev",
        "NODE_ENV=production npx prisma migrate dev",
    ] {
        let o = check_command(&[c]);
        assert_eq!(o.code, 2, "{c}");
        assert!(
            o.stderr
                .contains("dbguard: blocked [prisma-migrate-dev-in-deploy]: "),
            "{}",
            o.stderr
        );
    }
}

#[test]
fn look_alikes_are_allowed() {
    for c in [
        "echo \"prisma migrate reset\"",
        "# prisma migrate reset",
        "prisma migrate deploy",
        "git push --force",
        "pnpm install --force",
        "redis-cli ping",
        "npm test",
        "grep -rn 'dropdb' scripts/",
        "prisma migrate reset --help",
    ] {
        let o = check_command(&[c]);
        assert_eq!(o.code, 0, "{c}: {}", o.stderr);
        assert_eq!(o.stderr, "", "{c}");
        assert_eq!(o.stdout, "", "{c}");
    }
}

#[test]
fn a_local_target_is_allowed_with_a_note() {
    let o = check_command(&[
        "DATABASE_URL=postgres://postgres@localhost:5432/app prisma migrate reset --force",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(o.stdout, "");
    assert!(
        o.stderr
            .starts_with("dbguard: note: [prisma-migrate-reset] "),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("localhost"), "{}", o.stderr);
    assert!(!o.stderr.contains("blocked"), "{}", o.stderr);
}

#[test]
fn blocked_output_is_one_reason_and_help_per_finding() {
    let o = check_command(&["rake db:drop db:create && bin/rails db:schema:load"]);
    assert_eq!(o.code, 2);
    let lines: Vec<&str> = o.stderr.lines().collect();
    assert_eq!(lines.len(), 4, "{}", o.stderr);
    for pair in lines.chunks(2) {
        assert!(
            pair[0].starts_with("dbguard: blocked [rails-destructive-db-task]: `"),
            "{}",
            pair[0]
        );
        assert!(pair[1].starts_with("  help: "), "{}", pair[1]);
    }
}

#[test]
fn argv_form_keeps_inner_strings_one_word() {
    let single = check_command(&["bash -c 'prisma migrate reset'"]);
    let argv = check_command(&["--", "bash", "-c", "prisma migrate reset"]);
    let no_dashes = check_command(&["bash", "-c", "prisma migrate reset"]);
    assert_eq!(single.code, 2, "{}", single.stderr);
    assert_eq!(argv.code, 2, "{}", argv.stderr);
    assert_eq!(no_dashes.code, 2, "{}", no_dashes.stderr);
    assert_eq!(argv.stderr, single.stderr);
    assert_eq!(no_dashes.stderr, single.stderr);
    // An argv word is one word: `echo` gets the whole string, shell syntax and all.
    let o = check_command(&["--", "echo", "x; prisma migrate reset --force"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    // As one command line, the same text is two commands.
    let o = check_command(&["echo x; prisma migrate reset --force"]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    // Inline environment in the argv form (through `env`).
    let o = check_command(&[
        "--",
        "env",
        "DATABASE_URL=postgres://u@localhost/app",
        "npx",
        "prisma",
        "migrate",
        "reset",
        "--force",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.starts_with("dbguard: note: "), "{}", o.stderr);
}

#[test]
fn stdin_form() {
    let o = run(dbguard()
        .arg("check-command")
        .write_stdin("npx prisma db push --accept-data-loss\n"));
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o
        .stderr
        .contains("dbguard: blocked [prisma-db-push-accept-data-loss]: "));
    // A multi-line script on stdin is linted as a script.
    let o = run(dbguard()
        .arg("check-command")
        .write_stdin("set -e\nnpm ci\nsupabase db reset --linked\n"));
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("[supabase-db-reset]"), "{}", o.stderr);
    let o = run(dbguard()
        .arg("check-command")
        .write_stdin("npm run build\n"));
    assert_eq!((o.code, o.stderr.as_str()), (0, ""));
    let o = run(dbguard().arg("check-command").write_stdin(""));
    assert_eq!((o.code, o.stderr.as_str()), (0, ""));
}

#[test]
fn config_of_the_current_directory_is_honoured() {
    let dir = temp_with_config("[rules]\ndisable = [\"prisma-migrate-reset\"]\n");
    let sub = dir.path().join("packages/api");
    std::fs::create_dir_all(&sub).unwrap();
    for cwd in [dir.path(), sub.as_path()] {
        let o = run(dbguard()
            .current_dir(cwd)
            .args(["check-command", "prisma migrate reset --force"]));
        assert_eq!(o.code, 0, "{}", o.stderr);
        assert_eq!(o.stderr, "");
        // Other rules still block.
        let o = run(dbguard()
            .current_dir(cwd)
            .args(["check-command", "dropdb -h db.example.com app"]));
        assert_eq!(o.code, 2, "{}", o.stderr);
    }
    // --config overrides the directory's config (here: from the repository root).
    let cfg = dir.path().join("dbguard.toml");
    let o = check_command(&[
        "--config",
        cfg.to_str().unwrap(),
        "prisma migrate reset --force",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    // The hook honours it too.
    let o = run(dbguard()
        .current_dir(dir.path())
        .args(["check-command", "--hook", "claude-code"])
        .write_stdin(bash_event("npx prisma migrate reset --force")));
    assert_eq!(o.code, 0, "{}", o.stderr);
}

#[test]
fn invalid_config_and_usage_errors_exit_2() {
    let dir = temp_with_config("[rules]\ndisable = [\"no-such-rule\"]\n");
    let o = run(dbguard()
        .current_dir(dir.path())
        .args(["check-command", "npm test"]));
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("unknown rule or category"),
        "{}",
        o.stderr
    );
    let o = check_command(&["--json", "npm test"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("--json needs --hook"), "{}", o.stderr);
    let o = check_command(&["--hook", "claude-code", "npm test"]);
    assert_eq!(o.code, 2);
    // A non-Bash event is allowed even under a broken config: only Bash is judged.
    let o = run(dbguard()
        .current_dir(dir.path())
        .args(["check-command", "--hook", "claude-code"])
        .write_stdin(event("Read", serde_json::json!({"file_path": "a"}))));
    assert_eq!(o.code, 0, "{}", o.stderr);
}

// ----- Claude Code hook ------------------------------------------------------------------------

#[test]
fn claude_code_bash_blocked() {
    let o = hook(
        &bash_event("cd apps/web && npx prisma migrate reset --force"),
        &[],
    );
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert_eq!(o.stdout, "");
    assert!(
        o.stderr
            .starts_with("dbguard: blocked [prisma-migrate-reset]: `prisma migrate reset --force`"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("\n  help: "), "{}", o.stderr);
}

#[test]
fn claude_code_bash_allowed() {
    for c in [
        "npm test",
        "git status && git diff",
        "echo 'prisma migrate reset'",
    ] {
        let o = hook(&bash_event(c), &[]);
        assert_eq!(
            (o.code, o.stdout.as_str(), o.stderr.as_str()),
            (0, "", ""),
            "{c}"
        );
        let o = hook(&bash_event(c), &["--json"]);
        assert_eq!(
            (o.code, o.stdout.as_str(), o.stderr.as_str()),
            (0, "", ""),
            "{c}"
        );
    }
}

#[test]
fn claude_code_json_deny() {
    let o = hook(
        &bash_event("supabase db reset --db-url postgresql://postgres:hunter2@db.abc.supabase.co:5432/postgres"),
        &["--json"],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(o.stdout.lines().count(), 1, "{}", o.stdout);
    let v: Value = serde_json::from_str(&o.stdout).unwrap();
    let top = v.as_object().unwrap();
    assert_eq!(top.keys().collect::<Vec<_>>(), ["hookSpecificOutput"]);
    let out = v["hookSpecificOutput"].as_object().unwrap();
    assert_eq!(out.len(), 3, "{out:?}");
    assert_eq!(out["hookEventName"], "PreToolUse");
    assert_eq!(out["permissionDecision"], "deny");
    let reason = out["permissionDecisionReason"].as_str().unwrap();
    assert!(
        reason.starts_with("dbguard: blocked [supabase-db-reset]: "),
        "{reason}"
    );
    assert!(reason.contains("\n  help: "), "{reason}");
    assert!(!reason.ends_with('\n'), "{reason:?}");
    assert!(!o.stdout.contains("hunter2"), "{}", o.stdout);
    assert!(!o.stderr.contains("hunter2"), "{}", o.stderr);
}

#[test]
fn claude_code_other_tools_are_allowed_silently() {
    for (tool, input) in [
        (
            "Write",
            serde_json::json!({"file_path": "scripts/reset.sh", "content": "prisma migrate reset --force\n"}),
        ),
        (
            "Edit",
            serde_json::json!({"file_path": "a", "old_string": "x", "new_string": "dropdb app"}),
        ),
        ("Read", serde_json::json!({"file_path": "a"})),
    ] {
        for extra in [&[][..], &["--json"]] {
            let o = hook(&event(tool, input.clone()), extra);
            assert_eq!(
                (o.code, o.stdout.as_str(), o.stderr.as_str()),
                (0, "", ""),
                "{tool}"
            );
        }
    }
}

#[test]
fn claude_code_malformed_input_is_allowed_with_a_note() {
    for input in [
        "{\"tool_name\": \"Bash\", ".to_string(),
        "".to_string(),
        "[1, 2]".to_string(),
        event("Bash", serde_json::json!({"description": "no command"})),
        event(
            "Bash",
            serde_json::json!({"command": ["prisma", "migrate", "reset"]}),
        ),
        r#"{"tool_input": {"command": "prisma migrate reset --force"}}"#.to_string(),
    ] {
        for extra in [&[][..], &["--json"]] {
            let o = hook(&input, extra);
            assert_eq!(o.code, 0, "{input}: {}", o.stderr);
            assert_eq!(o.stdout, "", "{input}");
            assert!(
                o.stderr
                    .starts_with("dbguard: note: ignoring malformed hook input: "),
                "{input}: {}",
                o.stderr
            );
        }
    }
}

// ----- check-url -------------------------------------------------------------------------------

#[test]
fn check_url_local_is_quiet() {
    for url in [
        "postgres://u@localhost/x",
        "postgresql://postgres:postgres@127.0.0.1:5432/app",
        "mysql://root@db:3306/app",
        "redis://localhost:6379",
        "http://localhost:3000",
        "localhost",
        "file:./dev.db",
    ] {
        let o = check_url_in(&root(), &[url]);
        assert_eq!(
            (o.code, o.stdout.as_str(), o.stderr.as_str()),
            (0, "", ""),
            "{url}"
        );
    }
}

#[test]
fn check_url_remote_and_managed_hosts_exit_1() {
    for (url, why) in [
        (
            "postgres://u@db.example.com/app",
            "host `db.example.com` is not a local host",
        ),
        (
            "https://api.example.com/health",
            "host `api.example.com` is not a local host",
        ),
        ("10.0.3.7:5432", "host `10.0.3.7` is not a local host"),
        (
            "postgres://u@localhost/db?hostaddr=10.1.2.3",
            "host `10.1.2.3` is not a local host",
        ),
        (
            "postgres://u@localhost/db?service=prod",
            "host `service=prod` is not a local host",
        ),
        (
            "postgresql://postgres.abc:pw@aws-0-eu-central-1.pooler.supabase.com:6543/postgres",
            "is a managed database (*.pooler.supabase.com)",
        ),
        (
            "postgres://u@ep-cool-1234.us-east-2.aws.neon.tech/neondb",
            "(*.neon.tech)",
        ),
        (
            "mongodb+srv://u:pw@cluster0.x1y2z.mongodb.net/app",
            "(*.mongodb.net)",
        ),
        (
            "rediss://default:pw@eu1-happy-cat-1234.upstash.io:6379",
            "(*.upstash.io)",
        ),
    ] {
        let o = check_url_in(&root(), &[url]);
        assert_eq!(o.code, 1, "{url}");
        assert_eq!(o.stdout, "");
        assert!(o.stderr.starts_with("dbguard: "), "{}", o.stderr);
        assert!(o.stderr.contains(why), "{url}: {}", o.stderr);
    }
}

#[test]
fn check_url_production_hosts_and_ports_from_the_config() {
    let dir = temp_with_config(
        "[production]\nhosts = [\"*.prod.internal\", \"prod-db\"]\nports = [4545, 6543]\n",
    );
    for (url, why) in [
        (
            "http://localhost:4545",
            "port 4545 is a production port ([production] ports in dbguard.toml)",
        ),
        ("postgres://u@127.0.0.1:6543/app", "port 6543"),
        (
            "postgres://u@pg.prod.internal/app",
            "host `pg.prod.internal` matches [production] hosts in dbguard.toml",
        ),
        // A single-label host is local by default, but not when the config names it.
        (
            "postgres://u@prod-db:5432/app",
            "host `prod-db` matches [production] hosts",
        ),
    ] {
        let o = check_url_in(dir.path(), &[url]);
        assert_eq!(o.code, 1, "{url}");
        assert!(o.stderr.contains(why), "{url}: {}", o.stderr);
        // The same URL through --config from elsewhere.
        let cfg = dir.path().join("dbguard.toml");
        let o = check_url_in(&root(), &["--config", cfg.to_str().unwrap(), url]);
        assert!(o.stderr.contains(why), "{url}: {}", o.stderr);
        // Without the config, only a non-local host is refused, and for that reason.
        let o = check_url_in(&root(), &[url]);
        if url.contains(".prod.internal") {
            assert!(
                o.stderr.contains("is not a local host"),
                "{url}: {}",
                o.stderr
            );
        } else {
            assert_eq!(o.code, 0, "{url}: {}", o.stderr);
        }
    }
    let o = check_url_in(dir.path(), &["postgres://u@localhost:5432/app"]);
    assert_eq!((o.code, o.stderr.as_str()), (0, ""));
}

#[test]
fn check_url_empty_and_unexpanded_values_exit_1() {
    let o = check_url_in(&root(), &[""]);
    assert_eq!(o.code, 1);
    assert_eq!(
        o.stderr,
        "dbguard: empty URL: refusing (is the variable set?)\n"
    );
    for (url, shown) in [
        ("$DATABASE_URL", "`$DATABASE_URL` is not expanded"),
        ("${DATABASE_URL}", "`${DATABASE_URL}` is not expanded"),
        (
            "${{ secrets.DATABASE_URL }}",
            "`${{ secrets.DATABASE_URL }}` is not expanded",
        ),
        (
            "postgres://u:pw@$DB_HOST:5432/app",
            "`$DB_HOST` is not expanded",
        ),
    ] {
        let o = check_url_in(&root(), &[url]);
        assert_eq!(o.code, 1, "{url}");
        assert!(o.stderr.contains(shown), "{url}: {}", o.stderr);
    }
}

#[test]
fn check_url_never_prints_the_password() {
    let dir = temp_with_config("[production]\nports = [5432]\nhosts = [\"db.acme.io\"]\n");
    for url in [
        "postgres://admin:Sup3rS3cret@db.example.com/app",
        "postgres://admin:Sup3rS3cret@localhost:5432/app",
        "postgres://admin:Sup3rS3cret@db.acme.io/app",
        "postgres://admin:Sup3rS3cret@db.abc.supabase.co/app",
        "postgres://admin:Sup3rS3cret@${HOST}/app",
        "admin:Sup3rS3cret@db.example.com",
    ] {
        let o = check_url_in(dir.path(), &[url]);
        assert_eq!(o.code, 1, "{url}");
        assert!(!o.stderr.contains("Sup3rS3cret"), "{url}: {}", o.stderr);
        assert!(!o.stdout.contains("Sup3rS3cret"), "{url}: {}", o.stdout);
    }
}

#[test]
fn check_url_config_errors_exit_2() {
    let dir = temp_with_config("[production]\nports = [\"x\"]\n");
    let o = check_url_in(dir.path(), &["postgres://u@localhost/x"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("invalid config"), "{}", o.stderr);
    let o = check_url_in(
        &root(),
        &["--config", "/nonexistent/dbguard.toml", "localhost"],
    );
    assert_eq!(o.code, 2);
}
