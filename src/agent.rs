//! Runtime checks for AI coding agents and scripts: `check-command` (and its hook
//! protocols) and `check-url`.
//!
//! `check-command` lints one command line exactly as a line of a shell script is linted (same
//! engine, same config: a `SourceFile` named `<command>` of kind `Shell`) and answers with an
//! exit code: 0 allowed, 2 blocked. The command comes as one argument (a command line),
//! several arguments (an argv, re-quoted for the shell), stdin, or a Claude Code `PreToolUse`
//! hook event on stdin.
//!
//! `check-url` vets a database URL for script guards (`dbguard check-url "$DATABASE_URL" ||
//! exit 1`): exit 1 when it is production by the config, or cannot be vetted.

use std::borrow::Cow;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::Report;
use serde_json::Value;

use crate::cli::{CheckCommandArgs, HookProtocol, EXIT_CLEAN, EXIT_FINDINGS};
use crate::config::{Config, Resolver};
use crate::engine;
use crate::finding::Finding;
use crate::lang::FileKind;
use crate::rules::Severity;
use crate::source::SourceFile;
use crate::target::{is_local_host, redact_credentials};

/// `check-command` exit code for a blocked command (Claude Code reads exit 2 as "deny").
pub const EXIT_BLOCKED: u8 = 2;

/// The display path of a checked command in findings.
pub const COMMAND_DISPLAY: &str = "<command>";

/// Managed-database host suffixes: a URL naming one is production wherever it comes from.
pub const MANAGED_HOSTS: &[&str] = &[
    ".supabase.co",
    ".pooler.supabase.com",
    ".rds.amazonaws.com",
    ".neon.tech",
    ".psdb.cloud",
    ".cockroachlabs.cloud",
    ".db.ondigitalocean.com",
    ".render.com",
    ".rlwy.net",
    ".aivencloud.com",
    ".timescale.com",
    ".mongodb.net",
    ".upstash.io",
];

// ----- check-command ------------------------------------------------------------------------

/// What `check-command` decided about one command line.
#[derive(Debug, Default)]
pub struct Decision {
    /// Findings at warning or error: any of them blocks the command.
    pub blocked: Vec<Finding>,
    /// Info findings (a local or test target): allowed, with a note.
    pub notes: Vec<Finding>,
    /// The check itself failed (a dbguard bug): the command is refused, to fail closed.
    pub internal_error: Option<String>,
}

impl Decision {
    pub fn is_blocked(&self) -> bool {
        !self.blocked.is_empty() || self.internal_error.is_some()
    }

    /// Why the command is blocked: `dbguard: blocked [RULE]: MESSAGE` and `  help: HELP` per
    /// blocking finding.
    pub fn reason(&self) -> String {
        let mut s = String::new();
        if let Some(e) = &self.internal_error {
            s.push_str(&format!(
                "dbguard: blocked: the check failed (a dbguard bug, please report it): {}\n",
                one_line(e)
            ));
        }
        for f in &self.blocked {
            s.push_str(&format!(
                "dbguard: blocked [{}]: {}\n  help: {}\n",
                f.rule,
                one_line(&f.message),
                one_line(&f.help)
            ));
        }
        s
    }

    /// `dbguard: note: [RULE] MESSAGE` per info finding.
    pub fn notes_text(&self) -> String {
        let mut s = String::new();
        for f in &self.notes {
            s.push_str(&format!(
                "dbguard: note: [{}] {}\n",
                f.rule,
                one_line(&f.message)
            ));
        }
        s
    }
}

/// A message on one line, passwords hidden.
fn one_line(s: &str) -> String {
    redact_credentials(&s.replace(['\n', '\r'], " "))
}

/// Runs the command rules on one command line, exactly as on a shell script.
pub fn evaluate(command: &str, config: &Config) -> Decision {
    let source = SourceFile::new(
        COMMAND_DISPLAY.to_string(),
        PathBuf::from(COMMAND_DISPLAY),
        Arc::from(command),
    );
    let lint = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        engine::lint_source(&source, FileKind::Shell, config)
    }));
    match lint {
        Ok(findings) => {
            let (blocked, notes) = findings
                .into_iter()
                .partition(|f| f.severity >= Severity::Warning);
            Decision {
                blocked,
                notes,
                internal_error: None,
            }
        }
        Err(panic) => Decision {
            blocked: Vec::new(),
            notes: Vec::new(),
            internal_error: Some(crate::walk::panic_message(panic.as_ref())),
        },
    }
}

/// Whether a word must be quoted to stay one literal word for the shell. `=` matters only in
/// the first word, where `X=y` would be an assignment rather than the program.
fn needs_quoting(word: &str, first: bool) -> bool {
    word.is_empty()
        || (first && word.contains('='))
        || !word.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '_' | '-' | '.' | '/' | ':' | ',' | '+' | '@' | '%' | '=')
        })
}

/// Quotes a word for the shell: single quotes, an inner `'` written as `'\''`.
fn shell_quote(word: &str, first: bool) -> Cow<'_, str> {
    if needs_quoting(word, first) {
        Cow::Owned(format!("'{}'", word.replace('\'', r"'\''")))
    } else {
        Cow::Borrowed(word)
    }
}

/// Joins an argv into the command line that runs it: `["bash", "-c", "a && b"]` becomes
/// `bash -c 'a && b'`, so the inner string stays one word.
pub fn argv_to_command_line(argv: &[String]) -> String {
    argv.iter()
        .enumerate()
        .map(|(i, w)| shell_quote(w, i == 0))
        .collect::<Vec<_>>()
        .join(" ")
}

/// What a Claude Code `PreToolUse` event asks.
#[derive(Debug, PartialEq, Eq)]
enum HookEvent {
    /// The Bash tool, with its command.
    Bash(String),
    /// Another tool (`Write`, `Edit`…): not ours to judge.
    OtherTool,
    /// Not an event we can read; the reason.
    Malformed(String),
}

/// Reads a Claude Code hook event (`tool_name`, `tool_input.command`; other fields ignored).
fn parse_claude_code(input: &[u8]) -> HookEvent {
    let v: Value = match serde_json::from_slice(input) {
        Ok(v) => v,
        Err(e) => return HookEvent::Malformed(format!("not JSON ({e})")),
    };
    let Some(tool) = v.get("tool_name").and_then(Value::as_str) else {
        return HookEvent::Malformed("no string `tool_name`".into());
    };
    if tool != "Bash" {
        return HookEvent::OtherTool;
    }
    match v
        .get("tool_input")
        .and_then(|t| t.get("command"))
        .and_then(Value::as_str)
    {
        Some(c) => HookEvent::Bash(c.to_string()),
        None => HookEvent::Malformed("a Bash event without a string `tool_input.command`".into()),
    }
}

/// The `--json` answer that denies a tool call.
fn claude_code_deny(reason: &str) -> String {
    serde_json::json!({
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": "deny",
            "permissionDecisionReason": reason,
        }
    })
    .to_string()
}

/// Writes to stderr, ignoring errors: a closed stderr must not change a decision.
fn say(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

fn read_stdin() -> Result<Vec<u8>, Report> {
    let mut buf = Vec::new();
    std::io::stdin()
        .lock()
        .read_to_end(&mut buf)
        .map_err(|e| miette::miette!("cannot read stdin: {e}"))?;
    Ok(buf)
}

/// The config that applies to the current directory (`--config` overrides).
fn config_for_cwd(explicit: Option<&Path>) -> Result<Arc<Config>, Report> {
    let cwd = std::env::current_dir()
        .map_err(|e| miette::miette!("cannot read the current directory: {e}"))?;
    Resolver::new(explicit, &cwd)?.for_dir(&cwd)
}

/// Prints the notes and the reason; the exit code.
fn answer(decision: &Decision) -> u8 {
    say(&decision.notes_text());
    if decision.is_blocked() {
        say(&decision.reason());
        EXIT_BLOCKED
    } else {
        EXIT_CLEAN
    }
}

pub fn check_command(args: &CheckCommandArgs) -> Result<u8, Report> {
    let usage = |msg: &str| miette::miette!(code = "dbguard::usage", "{msg}");
    if args.json && args.hook.is_none() {
        return Err(usage(
            "--json needs --hook (it is the hook's answer format)",
        ));
    }
    if args.hook.is_some() && !args.command.is_empty() {
        return Err(usage("--hook reads the event on stdin: pass no command"));
    }
    match args.hook {
        Some(HookProtocol::ClaudeCode) => claude_code(&read_stdin()?, args),
        None => {
            let command = match args.command.as_slice() {
                [] if std::io::stdin().is_terminal() => {
                    return Err(usage(
                        "no command: pass it as arguments (`dbguard check-command -- CMD…`) or on stdin",
                    ))
                }
                [] => String::from_utf8_lossy(&read_stdin()?).into_owned(),
                [line] => line.clone(),
                argv => argv_to_command_line(argv),
            };
            let config = config_for_cwd(args.config.as_deref())?;
            Ok(answer(&evaluate(&command, &config)))
        }
    }
}

/// `--hook claude-code`: exit 2 with the reason on stderr, or (`--json`) the deny decision on
/// stdout and exit 0. Events we cannot read are allowed with a note: the hook must not wedge
/// the agent.
fn claude_code(input: &[u8], args: &CheckCommandArgs) -> Result<u8, Report> {
    let command = match parse_claude_code(input) {
        HookEvent::Bash(c) => c,
        HookEvent::OtherTool => return Ok(EXIT_CLEAN),
        HookEvent::Malformed(why) => {
            say(&format!(
                "dbguard: note: ignoring malformed hook input: {why}\n"
            ));
            return Ok(EXIT_CLEAN);
        }
    };
    // Loaded only for Bash events, so a broken config never blocks the other tools.
    let config = config_for_cwd(args.config.as_deref())?;
    let decision = evaluate(&command, &config);
    if !(args.json && decision.is_blocked()) {
        return Ok(answer(&decision));
    }
    say(&decision.notes_text());
    let reason = decision.reason();
    let json = claude_code_deny(reason.trim_end());
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{json}").and_then(|_| out.flush()) {
        Ok(()) => Ok(EXIT_CLEAN),
        // Nobody reads the decision: deny with the exit code instead.
        Err(_) => {
            say(&reason);
            Ok(EXIT_BLOCKED)
        }
    }
}

// ----- check-url ----------------------------------------------------------------------------

pub fn check_url(url: &str, config: Option<&Path>) -> Result<u8, Report> {
    let config = config_for_cwd(config)?;
    match vet_url(url, &config) {
        Ok(()) => Ok(EXIT_CLEAN),
        Err(why) => {
            say(&format!("dbguard: {why}\n"));
            Ok(EXIT_FINDINGS)
        }
    }
}

/// The hosts and ports a URL (or bare host) names, as written.
#[derive(Debug, Default, PartialEq, Eq)]
struct Endpoints {
    hosts: Vec<String>,
    ports: Vec<String>,
}

/// Splits `host[:port]` (`[v6]:port` too; a bare IPv6 address has no port).
fn split_host_port(s: &str) -> (&str, Option<&str>) {
    if let Some(rest) = s.strip_prefix('[') {
        let (host, after) = rest.split_once(']').unwrap_or((rest, ""));
        return (host, after.strip_prefix(':'));
    }
    match s.split_once(':') {
        Some((h, p)) if !p.contains(':') => (h, Some(p)),
        _ => (s, None),
    }
}

/// Parses `scheme://[user[:password]@]host[:port][,host2[:port]…][/db][?query]`, or a bare
/// `[user@]host[:port][/…]`. libpq's `?host=`/`?port=` query parameters are endpoints too.
fn endpoints(value: &str) -> Endpoints {
    let mut ep = Endpoints::default();
    let (authority, query) = match value.split_once("://") {
        Some((_, rest)) => {
            let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            let query = rest[end..]
                .split_once('?')
                .map(|(_, q)| q.split('#').next().unwrap_or(""));
            (&rest[..end], query)
        }
        // A bare host; `/path` is a Unix socket directory, kept whole.
        None if value.starts_with('/') => (value, None),
        None => (value.split('/').next().unwrap_or(value), None),
    };
    let hostlist = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    for part in hostlist.split(',') {
        let (host, port) = split_host_port(part);
        ep.hosts.push(host.to_string());
        ep.ports
            .extend(port.filter(|p| !p.is_empty()).map(str::to_string));
    }
    for param in query.unwrap_or("").split('&') {
        match param.split_once('=') {
            // `hostaddr` is where libpq really connects; a service file is unknown to us.
            Some(("host" | "hostaddr", v)) => ep.hosts.extend(v.split(',').map(str::to_string)),
            Some(("service", v)) => ep.hosts.push(format!("service={v}")),
            Some(("port", v)) => ep.ports.extend(v.split(',').map(str::to_string)),
            _ => {}
        }
    }
    // `postgres://u@/db?host=/var/run/postgresql`: the query names the host.
    if ep.hosts.len() > 1 {
        ep.hosts.retain(|h| !h.is_empty());
    }
    ep
}

/// Text the shell did not expand: a variable, a CI expression, a command substitution.
fn unexpanded(s: &str) -> bool {
    s.contains('$') || s.contains("{{") || s.contains('`')
}

/// A Unix socket directory (`/var/run/postgresql`, percent-encoded in a query).
fn is_socket_path(host: &str) -> bool {
    host.starts_with('/') || host.to_ascii_lowercase().starts_with("%2f")
}

/// Where the rejection of a config-listed value comes from.
fn config_name(config: &Config) -> String {
    config
        .file
        .as_ref()
        .and_then(|f| f.file_name())
        .map_or_else(
            || "the config".to_string(),
            |f| f.to_string_lossy().into_owned(),
        )
}

/// `Ok` when `value` is a local database by the config; otherwise why not (never with a
/// password in it: only hosts and ports are quoted).
pub fn vet_url(value: &str, config: &Config) -> Result<(), String> {
    let v = value.trim().trim_matches(['"', '\'']).trim();
    if v.is_empty() {
        return Err("empty URL: refusing (is the variable set?)".into());
    }
    let lower = v.to_ascii_lowercase();
    if lower.starts_with("file:") || lower.starts_with("sqlite:") {
        return Ok(());
    }
    let ep = endpoints(v);
    if let Some(x) = ep.hosts.iter().chain(&ep.ports).find(|s| unexpanded(s)) {
        return Err(format!(
            "`{}` is not expanded: refusing (an unset or single-quoted variable?)",
            x.trim()
        ));
    }
    let hosts: Vec<String> = ep
        .hosts
        .iter()
        .map(|h| h.trim().trim_end_matches('.').to_ascii_lowercase())
        .collect();
    for p in &ep.ports {
        match p.parse::<u16>() {
            Ok(n) if config.production_ports.contains(&n) => {
                return Err(format!(
                    "port {n} is a production port ([production] ports in {}): refusing",
                    config_name(config)
                ))
            }
            Ok(_) => {}
            Err(_) => return Err(format!("`{p}` is not a port: refusing")),
        }
    }
    for h in &hosts {
        if h.is_empty() {
            return Err(
                "no host in the URL: refusing (the client would pick a default that cannot be vetted)"
                    .into(),
            );
        }
        if is_socket_path(h) {
            continue;
        }
        if config.production_hosts.is_match(h.as_str()) {
            return Err(format!(
                "host `{h}` matches [production] hosts in {}: refusing",
                config_name(config)
            ));
        }
        if let Some(suffix) = MANAGED_HOSTS.iter().find(|s| h.ends_with(*s)) {
            return Err(format!(
                "host `{h}` is a managed database (*{suffix}): refusing"
            ));
        }
        if !is_local_host(h) {
            return Err(format!("host `{h}` is not a local host: refusing"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(toml: &str) -> Config {
        Config::parse(toml, Path::new("/repo/dbguard.toml")).unwrap()
    }

    fn default() -> Config {
        Config::default_at(PathBuf::from("/repo"))
    }

    #[test]
    fn destructive_commands_are_blocked_with_the_rule_and_help() {
        let d = evaluate("prisma migrate reset --force", &default());
        assert!(d.is_blocked());
        let r = d.reason();
        assert!(
            r.starts_with(
                "dbguard: blocked [prisma-migrate-reset]: `prisma migrate reset --force`"
            ),
            "{r}"
        );
        assert!(r.contains("\n  help: "), "{r}");
        // Positions point into the command itself.
        assert_eq!(d.blocked[0].path, COMMAND_DISPLAY);
        assert_eq!((d.blocked[0].start.line, d.blocked[0].start.column), (1, 1));
        let d = evaluate("npm ci && npx prisma migrate reset --force", &default());
        assert_eq!(d.blocked[0].start.column, 11);
    }

    #[test]
    fn look_alikes_and_local_targets_are_allowed() {
        for c in [
            "npm test",
            "echo \"prisma migrate reset\"",
            "# prisma migrate reset",
            "prisma migrate deploy",
            "git push --force",
            "redis-cli ping",
        ] {
            let d = evaluate(c, &default());
            assert!(!d.is_blocked() && d.notes.is_empty(), "{c}: {}", d.reason());
        }
        let d = evaluate(
            "DATABASE_URL=postgres://postgres@localhost:5432/app prisma migrate reset --force",
            &default(),
        );
        assert!(!d.is_blocked(), "{}", d.reason());
        assert!(
            d.notes_text()
                .starts_with("dbguard: note: [prisma-migrate-reset] "),
            "{}",
            d.notes_text()
        );
    }

    #[test]
    fn disabled_rules_do_not_block() {
        let c = config("[rules]\ndisable = [\"prisma-migrate-reset\"]\n");
        assert!(!evaluate("prisma migrate reset --force", &c).is_blocked());
        assert!(evaluate("dropdb -h db.example.com app", &c).is_blocked());
    }

    #[test]
    fn passwords_are_hidden_in_reasons() {
        let d = evaluate(
            "supabase db reset --db-url postgresql://postgres:hunter2@db.abc.supabase.co:5432/postgres",
            &default(),
        );
        assert!(d.is_blocked());
        assert!(!d.reason().contains("hunter2"), "{}", d.reason());
    }

    #[test]
    fn argv_is_quoted_into_one_command_line() {
        let argv =
            |a: &[&str]| argv_to_command_line(&a.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(
            argv(&["bash", "-c", "prisma migrate reset"]),
            "bash -c 'prisma migrate reset'"
        );
        assert_eq!(
            argv(&[
                "npx",
                "prisma",
                "db",
                "push",
                "--schema=prisma/schema.prisma"
            ]),
            "npx prisma db push --schema=prisma/schema.prisma"
        );
        assert_eq!(argv(&["echo", "it's", ""]), r"echo 'it'\''s' ''");
        assert_eq!(argv(&["X=1", "y"]), "'X=1' y");
        assert_eq!(
            argv(&["echo", "$HOME", "*", "a;b"]),
            "echo '$HOME' '*' 'a;b'"
        );
        // The quoted inner string is still parsed again as a script.
        let line = argv(&["bash", "-c", "cd /app && prisma migrate reset --force"]);
        assert!(evaluate(&line, &default()).is_blocked(), "{line}");
        // An argv word with shell syntax stays one word: `echo` prints it.
        let line = argv(&["echo", "x; prisma migrate reset --force"]);
        assert!(!evaluate(&line, &default()).is_blocked(), "{line}");
    }

    #[test]
    fn claude_code_events() {
        assert_eq!(
            parse_claude_code(
                br#"{"session_id":"s","cwd":"/x","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"ls -la","description":"list"}}"#
            ),
            HookEvent::Bash("ls -la".into())
        );
        assert_eq!(
            parse_claude_code(br#"{"tool_name":"Write","tool_input":{"file_path":"a"}}"#),
            HookEvent::OtherTool
        );
        for bad in [
            &b"{not json"[..],
            b"[]",
            br#"{"tool_input":{"command":"ls"}}"#,
            br#"{"tool_name":"Bash","tool_input":{}}"#,
            br#"{"tool_name":"Bash","tool_input":{"command":["ls"]}}"#,
            br#"{"tool_name":"Bash"}"#,
        ] {
            assert!(
                matches!(parse_claude_code(bad), HookEvent::Malformed(_)),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn deny_output_is_the_claude_code_shape() {
        let v: Value = serde_json::from_str(&claude_code_deny("a \"b\"\nc")).unwrap();
        let o = &v["hookSpecificOutput"];
        assert_eq!(o["hookEventName"], "PreToolUse");
        assert_eq!(o["permissionDecision"], "deny");
        assert_eq!(o["permissionDecisionReason"], "a \"b\"\nc");
    }

    #[test]
    fn url_endpoints() {
        let ep = |v: &str| endpoints(v);
        assert_eq!(
            ep("postgres://u:p@db.x.com:6543/app?sslmode=require"),
            Endpoints {
                hosts: vec!["db.x.com".into()],
                ports: vec!["6543".into()]
            }
        );
        assert_eq!(
            ep("mongodb://a:1,b:2/x").hosts,
            vec!["a".to_string(), "b".to_string()]
        );
        assert_eq!(
            ep("postgres://u@[::1]:5432/x").hosts,
            vec!["::1".to_string()]
        );
        assert_eq!(ep("::1").hosts, vec!["::1".to_string()]);
        assert_eq!(ep("localhost:4545").ports, vec!["4545".to_string()]);
        assert_eq!(
            ep("postgres://u@/db?host=/var/run/postgresql&port=5433"),
            Endpoints {
                hosts: vec!["/var/run/postgresql".into()],
                ports: vec!["5433".into()]
            }
        );
        // A password with `@`, `:` or `/` in it does not become the host.
        assert_eq!(
            ep("postgres://u:p@ss:w@localhost/x").hosts,
            vec!["localhost".to_string()]
        );
    }

    #[test]
    fn local_urls_pass() {
        let c = default();
        for u in [
            "postgres://u:p@localhost:5432/app",
            "postgresql://postgres@127.0.0.1/app",
            "postgres://u@[::1]:5432/app",
            "postgres://postgres:postgres@db:5432/app",
            "redis://localhost:6379",
            "http://localhost:3000",
            "localhost",
            "127.0.0.1:5432",
            "file:./dev.db",
            "postgres://u@/db?host=/var/run/postgresql",
            "/var/run/postgresql",
            "postgres://u:pa$$word@localhost/app",
            "  postgres://u@localhost/app\n",
        ] {
            assert_eq!(vet_url(u, &c), Ok(()), "{u}");
        }
    }

    #[test]
    fn production_urls_are_refused_with_the_reason() {
        let c =
            config("[production]\nhosts = [\"*.prod.internal\", \"DB.ACME.IO\"]\nports = [4545]\n");
        let why = |u: &str| vet_url(u, &c).unwrap_err();
        assert!(why("http://localhost:4545").contains("port 4545 is a production port"));
        assert!(why("localhost:4545/x").contains("port 4545"));
        assert!(why("postgres://u@localhost/x?port=4545").contains("port 4545"));
        assert!(why("postgres://u@pg.prod.internal/app")
            .contains("matches [production] hosts in dbguard.toml"));
        assert!(why("db.acme.io").contains("[production] hosts"));
        assert!(why("postgres://u@db.abc.supabase.co:5432/postgres")
            .contains("managed database (*.supabase.co)"));
        assert!(
            why("postgres://u@aws-0-eu-central-1.pooler.supabase.com/postgres").contains("managed")
        );
        assert!(why("mongodb+srv://u:p@cluster0.ab1cd.mongodb.net/app").contains("managed"));
        assert!(
            why("https://api.example.com").contains("host `api.example.com` is not a local host")
        );
        assert!(why("mongodb://localhost:27017,db.example.com:27017/x").contains("db.example.com"));
        // A test-named database on a remote host is still a remote host.
        assert!(why("postgres://u@db.example.com/app_test").contains("not a local host"));
        // The same hosts and ports pass without the config's [production] lists.
        assert_eq!(vet_url("http://localhost:4545", &default()), Ok(()));
    }

    #[test]
    fn empty_and_unexpanded_values_are_refused() {
        let c = default();
        assert_eq!(
            vet_url("", &c).unwrap_err(),
            "empty URL: refusing (is the variable set?)"
        );
        assert!(vet_url("  ", &c).unwrap_err().starts_with("empty URL"));
        assert_eq!(
            vet_url("$DATABASE_URL", &c).unwrap_err(),
            "`$DATABASE_URL` is not expanded: refusing (an unset or single-quoted variable?)"
        );
        assert!(vet_url("${{ secrets.DATABASE_URL }}", &c)
            .unwrap_err()
            .contains("not expanded"));
        assert!(vet_url("postgres://u:p@${DB_HOST}:5432/x", &c)
            .unwrap_err()
            .contains("not expanded"));
        assert!(vet_url("postgres://u@localhost:$PORT/x", &c)
            .unwrap_err()
            .contains("`$PORT` is not expanded"));
        assert!(vet_url("postgres://u@:5432/x", &c)
            .unwrap_err()
            .contains("no host"));
        assert!(vet_url("postgres://u@localhost:abc/x", &c)
            .unwrap_err()
            .contains("not a port"));
    }

    #[test]
    fn refusals_never_quote_the_password() {
        let c = config("[production]\nports = [5432]\n");
        for u in [
            "postgres://admin:s3cr3t@db.example.com/app",
            "postgres://admin:s3cr3t@localhost:5432/app",
            "admin:s3cr3t@db.example.com",
            "postgres://admin:s3cr3t@$HOST/app",
            "postgres://admin:s3cr3t@db.abc.supabase.co/app",
        ] {
            let why = vet_url(u, &c).unwrap_err();
            assert!(!why.contains("s3cr3t"), "{u}: {why}");
        }
    }
}
