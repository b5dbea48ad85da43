//! Which database a command targets, as far as its environment says.
//!
//! Used to tell `DATABASE_URL=postgres://localhost/x prisma migrate reset` (a local database:
//! `info`) from a bare `prisma migrate reset` (whatever `DATABASE_URL` holds: the rule's
//! severity).

use crate::shell::{Command, EnvSource, SOURCED};

/// What a command's database target is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A database on this machine or in a local container. The reason names the evidence.
    Local(String),
    /// An obviously test database (`app_test`, `.env.test`).
    Test(String),
    /// A remote host, named.
    Remote(String),
    /// Not pinned: the command uses whatever the environment holds. The reason says why.
    Unpinned(String),
}

impl Target {
    pub fn is_safe(&self) -> bool {
        matches!(self, Target::Local(_) | Target::Test(_))
    }

    /// The reason, for a message.
    pub fn reason(&self) -> &str {
        match self {
            Target::Local(r) | Target::Test(r) | Target::Remote(r) | Target::Unpinned(r) => r,
        }
    }
}

/// What a URL or host value says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlClass {
    Dynamic,
    Local(String),
    TestDb(String),
    Remote(String),
    NotAUrl,
}

const DB_SCHEMES: &[&str] = &[
    "postgres",
    "postgresql",
    "mysql",
    "mariadb",
    "mongodb",
    "mongodb+srv",
    "redis",
    "rediss",
    "sqlserver",
    "mssql",
    "cockroachdb",
    "jdbc:postgresql",
    "jdbc:mysql",
    "libsql",
    "prisma",
    "prisma+postgres",
];

/// Splits a URL into (scheme, host, database name).
/// The host of `host:port` or `[v6]:port`.
fn host_of(hp: &str) -> &str {
    match hp.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => hp.split(':').next().unwrap_or(""),
    }
}

fn split_url(value: &str) -> Option<(&str, Vec<&str>, &str)> {
    let (scheme, rest) = value.split_once("://")?;
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let hostports = authority.rsplit_once('@').map(|x| x.1).unwrap_or(authority);
    // Multi-host URLs (`h1,h2`) and libpq's `?host=`/`?hostaddr=` name more hosts.
    let mut hosts: Vec<&str> = hostports.split(',').map(host_of).collect();
    let path = &rest[authority_end..];
    if let Some((_, query)) = path.split_once('?') {
        for pair in query.split('&') {
            if let Some(v) = pair
                .strip_prefix("host=")
                .or_else(|| pair.strip_prefix("hostaddr="))
            {
                hosts.extend(
                    v.split(',')
                        .map(host_of)
                        .filter(|h| !h.is_empty() && !h.starts_with('/')),
                );
            }
        }
    }
    let db = path
        .strip_prefix('/')
        .unwrap_or("")
        .split(['?', '#', '/'])
        .next()
        .unwrap_or("");
    Some((scheme, hosts, db))
}

pub fn is_local_host(host: &str) -> bool {
    let h = host.trim_matches(['[', ']']).to_ascii_lowercase();
    if h.is_empty() {
        return false;
    }
    h == "localhost"
        || h.ends_with(".localhost")
        || h.ends_with(".local")
        || h.ends_with(".test")
        || h.starts_with("127.")
        || h == "::1"
        || h == "0.0.0.0"
        || h == "host.docker.internal"
        // A single-label name is a docker-compose service or CI service container.
        || (!h.contains('.') && !h.contains(':') && h.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
}

/// The hosts of a database URL (every host of a multi-host URL and of `?host=`), or `None`
/// when `value` is not a `scheme://` URL.
pub fn url_hosts(value: &str) -> Option<Vec<&str>> {
    split_url(value).map(|(_, hosts, _)| hosts)
}

/// The password of `scheme://user:password@host…`, if the URL has one.
pub fn url_password(value: &str) -> Option<&str> {
    let (_, rest) = value.split_once("://")?;
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let (userinfo, _) = authority.rsplit_once('@')?;
    userinfo.split_once(':').map(|(_, pw)| pw)
}

/// A host that stands for "put yours here": `<host>`, `${DB_HOST}`, `your-host`, `xxx`,
/// `example.com`, `*.invalid`, the documentation networks (`192.0.2.x`)…
pub fn is_placeholder_host(host: &str) -> bool {
    let h = host.trim().to_ascii_lowercase();
    if h.is_empty() || h.contains(['$', '{', '}', '<', '>', '[', ']', '%', '*', '`']) {
        return true;
    }
    let labels: Vec<&str> = h.trim_end_matches('.').split('.').collect();
    let domain = labels[labels.len().saturating_sub(2)..].join(".");
    matches!(
        domain.as_str(),
        "example.com" | "example.org" | "example.net"
    ) || matches!(labels.last(), Some(&("example" | "invalid")))
        || ["192.0.2.", "198.51.100.", "203.0.113."]
            .iter()
            .any(|p| h.starts_with(p))
        || labels.iter().any(|l| {
            (l.len() >= 3 && l.bytes().all(|b| b == b'x'))
                || l.starts_with("your")
                || l.contains("xxxx")
                || matches!(
                    *l,
                    "host"
                        | "hostname"
                        | "placeholder"
                        | "changeme"
                        | "dummy"
                        | "project-ref"
                        | "project_ref"
                        | "projectref"
                        | "project-id"
                        | "ref"
                )
        })
}

/// A password that stands for "put yours here": `password`, `<password>`, `[YOUR-PASSWORD]`,
/// `xxx`, `***`, `changeme`. A variable (`${DB_PASSWORD}`) is not a placeholder: the real
/// password is supplied at run time (see [`is_interpolated`]).
pub fn is_placeholder_secret(secret: &str) -> bool {
    is_template_secret(secret) || is_weak_secret(secret)
}

/// A password slot of a template: `<password>`, `[YOUR-PASSWORD]`, `your-password`, `xxx`,
/// `****`. A URI with one is an example to fill in, whatever its host.
pub fn is_template_secret(secret: &str) -> bool {
    let s = secret.trim().to_ascii_lowercase();
    !s.is_empty()
        && (s.starts_with('<')
            || s.starts_with('[')
            || s.contains("your")
            || s.contains("xxx")
            || s.bytes().all(|b| b == b'*' || b == b'.' || b == b'x'))
}

/// A word that stands for a password (`password`, `secret`, `changeme`): not a credential
/// worth the word, but real setups use such passwords, so the host still counts.
pub fn is_weak_secret(secret: &str) -> bool {
    let s = secret.trim().to_ascii_lowercase();
    matches!(
        s.as_str(),
        "password"
            | "pass"
            | "passwd"
            | "pwd"
            | "secret"
            | "changeme"
            | "change-me"
            | "change_me"
            | "placeholder"
            | "dummy"
            | "mypassword"
            | "my-password"
            | "my_password"
            | "db_password"
            | "db-password"
    )
}

/// Text filled in at run time: `${VAR}`, `$VAR`, `$(VAR)`, `{{ … }}`, a JS substitution.
pub fn is_interpolated(s: &str) -> bool {
    s.contains('$') || s.contains("{{") || s.contains('`')
}

pub fn is_test_db_name(db: &str) -> bool {
    let d = db.to_ascii_lowercase();
    d == "test" || d.ends_with("_test") || d.ends_with("-test") || d.starts_with("test_")
}

/// Resolves a value that is exactly one variable (`$NAME`, `${NAME}`) through the command's
/// environment; any other value is returned as it is.
pub fn resolve<'a>(cmd: &'a Command, value: &'a str) -> &'a str {
    let name = value
        .strip_prefix("${")
        .and_then(|v| v.strip_suffix('}'))
        .or_else(|| value.strip_prefix('$'));
    match name {
        Some(n) if crate::shell::words::is_env_name(n) => cmd
            .env_var(n)
            .map(|v| v.value())
            .filter(|v| !v.contains(value))
            .unwrap_or(value),
        _ => value,
    }
}

/// Classifies a URL (or bare host) value. A URL is judged by its host: a dynamic password
/// (`postgres://u:${PW}@db.example.com/app`) does not hide a literal remote host.
pub fn classify_value(value: &str) -> UrlClass {
    let v = value.trim().trim_matches(['"', '\'']);
    let dynamic = |s: &str| s.contains('$') || s.contains("{{") || s.contains('`');
    if let Some(path) = v.strip_prefix("file:") {
        return UrlClass::Local(format!("the SQLite file `{path}`"));
    }
    if let Some((scheme, hosts, db)) = split_url(v) {
        let scheme = scheme.to_ascii_lowercase();
        if dynamic(&scheme) || hosts.iter().any(|h| dynamic(h) || h.is_empty()) {
            return UrlClass::Dynamic;
        }
        if !DB_SCHEMES.contains(&scheme.as_str()) && !scheme.starts_with("jdbc:") {
            return UrlClass::NotAUrl;
        }
        // Every host must be local: a fallback host is where the data can go too.
        match hosts.iter().find(|h| !is_local_host(h)) {
            None => return UrlClass::Local(format!("local host `{}`", hosts[0])),
            Some(remote) if !is_test_db_name(db) => return UrlClass::Remote(remote.to_string()),
            Some(_) => {}
        }
        return UrlClass::TestDb(format!("test database `{db}`"));
    }
    if dynamic(v) {
        return UrlClass::Dynamic;
    }
    UrlClass::NotAUrl
}

/// Classifies a bare host value (`-h HOST`).
pub fn classify_host(value: &str) -> UrlClass {
    let v = value.trim();
    if v.contains('$') || v.contains("{{") {
        UrlClass::Dynamic
    } else if v.contains("://") {
        classify_value(v)
    } else if is_local_host(v) || v.starts_with('/') {
        UrlClass::Local(format!("local host `{v}`"))
    } else {
        UrlClass::Remote(v.to_string())
    }
}

/// The target a value names, described as coming from `what` (a flag or variable name).
pub fn from_class(class: UrlClass, what: &str, value: &str) -> Option<Target> {
    Some(match class {
        UrlClass::Local(why) => Target::Local(format!("{what} points at {why}")),
        UrlClass::TestDb(why) => Target::Test(format!("{what} points at {why}")),
        UrlClass::Remote(host) => Target::Remote(format!("{what} points at remote host `{host}`")),
        UrlClass::Dynamic => Target::Unpinned(format!("{what} comes from `{value}`")),
        UrlClass::NotAUrl => return None,
    })
}

/// Hides the password of every `scheme://user:password@host` in `text`.
pub fn redact_credentials(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let authority_end = tail
            .find(|c: char| {
                c == '/'
                    || c == '?'
                    || c == '#'
                    || c.is_whitespace()
                    || c == '`'
                    || c == '"'
                    || c == '\''
            })
            .unwrap_or(tail.len());
        let authority = &tail[..authority_end];
        match (authority.rfind('@'), authority.find(':')) {
            (Some(at), Some(colon)) if colon < at && at > colon + 1 => {
                out.push_str(&authority[..colon + 1]);
                out.push_str("***");
                out.push_str(&authority[at..]);
            }
            _ => out.push_str(authority),
        }
        rest = &tail[authority_end..];
    }
    out.push_str(rest);
    out
}

/// An env file name that says it holds a test environment.
pub fn is_test_env_file(name: &str) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name).to_ascii_lowercase();
    base.split(['.', '-', '_'])
        .any(|t| t == "test" || t == "testing" || t == "e2e" || t == "ci")
}

/// The database a command targets.
///
/// `flags` are the command's own target flags (`--db-url`, `--url`…); `vars` the environment
/// variables the tool reads (`DATABASE_URL`…). Evidence is taken in order: flags, inline
/// environment, env files of wrappers, the script's exports, env files it sourced, the host's
/// environment (CI `env:`), and a local database started earlier in the script.
pub fn assess(cmd: &Command, flags: &[&str], vars: &[&str]) -> Target {
    let target = assess_environment(cmd, flags, vars);
    guarded(cmd, target, vars)
}

/// An unpinned target behind a host check (of one of `vars`) that refuses non-local
/// databases is local.
pub fn guarded(cmd: &Command, target: Target, vars: &[&str]) -> Target {
    // The command's own `DATABASE_URL=…` or `dotenv -e FILE` is a new value the guard never
    // saw, unless it passes the checked value on (`$DATABASE_URL`, the JS constant checked).
    let new_value = |g: &crate::shell::guard::Guard| {
        !cmd.env_files.is_empty()
            || cmd.env.iter().any(|(n, w)| {
                let v = w.text.trim_matches(|c| c == '"' || c == '\'');
                let passes_on = v == format!("${}", g.var)
                    || v == format!("${{{}}}", g.var)
                    || g.holders.iter().any(|h| v == format!("${{{h}}}"));
                vars.contains(&n.as_str()) && !passes_on
            })
    };
    match (&target, &cmd.host_guard) {
        (Target::Unpinned(_), Some(g)) if vars.contains(&g.var.as_str()) && !new_value(g) => {
            Target::Local(g.reason.clone())
        }
        _ => target,
    }
}

/// A file name that holds environment variables (`.env`, `.env.test`, `test.env`).
pub fn is_env_file_name(path: &str) -> bool {
    let base = path.rsplit('/').next().unwrap_or(path);
    base.starts_with(".env") || base.ends_with(".env") || base.contains(".env.")
}

fn assess_environment(cmd: &Command, flags: &[&str], vars: &[&str]) -> Target {
    // Run inside the deployed app: its configured database is the target.
    if let Some(w) = cmd
        .wrappers
        .iter()
        .find(|w| matches!(w.as_str(), "heroku" | "kubectl" | "oc"))
    {
        let how = if w == "heroku" {
            "`heroku run` runs it on a dyno of the app"
        } else {
            "`kubectl exec` runs it in a cluster pod"
        };
        return Target::Remote(format!("{how}, with the app's database settings"));
    }
    for flag in flags {
        if let Some((value, _)) = cmd.flag_text(flag) {
            let value = resolve(cmd, value);
            if let Some(t) = from_class(classify_value(value), flag, value)
                .or_else(|| from_class(classify_host(value), flag, value))
            {
                return t;
            }
        }
    }
    // Inline environment: the rule's own variables first; otherwise any variable holding a
    // database URL, except Prisma's shadow database, which is never the target.
    let inline = cmd.env.iter().rev();
    let own = inline.clone().filter(|(n, _)| vars.contains(&n.as_str()));
    let names_a_database = |n: &str| {
        ["DATABASE", "DB", "POSTGRES", "MYSQL", "MONGO", "PG"]
            .iter()
            .any(|w| n.contains(w))
    };
    let other = inline.filter(|(n, _)| {
        !vars.contains(&n.as_str()) && !n.starts_with("SHADOW_") && names_a_database(n)
    });
    for (name, value) in own {
        if let Some(t) = from_class(classify_value(&value.text), name, &value.text) {
            return t;
        }
    }
    for (name, value) in other {
        let class = classify_value(&value.text);
        if !matches!(class, UrlClass::NotAUrl | UrlClass::Dynamic) {
            if let Some(t) = from_class(class, name, &value.text) {
                return t;
            }
        }
    }
    if let Some(file) = cmd.env_files.first() {
        return if is_test_env_file(&file.text) {
            Target::Test(format!("it loads the test env file {}", file.text))
        } else {
            Target::Unpinned(format!("it loads {} (whatever that file holds)", file.text))
        };
    }
    // What the script set or sourced last wins.
    for (name, value) in cmd.ambient.iter().rev() {
        if name == SOURCED {
            return if is_test_env_file(value) {
                Target::Test(format!("the script sources the test env file {value}"))
            } else {
                Target::Unpinned(format!(
                    "the script sources {value} (whatever that file holds)"
                ))
            };
        }
        if vars.contains(&name.as_str()) {
            if let Some(t) = from_class(classify_value(value), name, value) {
                return t;
            }
        }
    }
    for name in vars {
        if let Some(EnvSource::Host(v)) = cmd.env_var(name) {
            if let Some(t) = from_class(classify_value(v), name, v) {
                return t;
            }
        }
    }
    if let Some(started) = &cmd.local_db_started {
        return Target::Local(format!("a local database is started earlier (`{started}`)"));
    }
    let var = vars.first().copied().unwrap_or("the connection");
    Target::Unpinned(format!(
        "{var} is not set here, so it runs against whatever the environment holds"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_urls() {
        assert!(matches!(
            classify_value("postgres://u:p@localhost:5432/app"),
            UrlClass::Local(_)
        ));
        assert!(matches!(
            classify_value("postgresql://postgres@127.0.0.1/app"),
            UrlClass::Local(_)
        ));
        assert!(matches!(
            classify_value("postgres://u@[::1]:5432/app"),
            UrlClass::Local(_)
        ));
        assert!(matches!(
            classify_value("postgres://postgres:postgres@db:5432/app"),
            UrlClass::Local(_)
        ));
        assert!(matches!(
            classify_value("file:./dev.db"),
            UrlClass::Local(_)
        ));
        assert!(matches!(
            classify_value("postgres://u@prod.example.com/app_test"),
            UrlClass::TestDb(_)
        ));
        assert_eq!(
            classify_value("postgres://u:p@db.abc.supabase.co:5432/postgres"),
            UrlClass::Remote("db.abc.supabase.co".into())
        );
        assert_eq!(
            classify_value("${{ secrets.DATABASE_URL }}"),
            UrlClass::Dynamic
        );
        assert_eq!(classify_value("$DATABASE_URL"), UrlClass::Dynamic);
        assert_eq!(classify_value("https://example.com"), UrlClass::NotAUrl);
        assert_eq!(classify_value("production"), UrlClass::NotAUrl);
    }

    #[test]
    fn every_host_must_be_local() {
        assert_eq!(
            classify_value("postgres://u@localhost,db.prod.example.com/app"),
            UrlClass::Remote("db.prod.example.com".into())
        );
        assert_eq!(
            classify_value("postgres://u@localhost/app?host=db.prod.example.com"),
            UrlClass::Remote("db.prod.example.com".into())
        );
        assert!(matches!(
            classify_value("postgres://u@localhost/app?host=/var/run/postgresql"),
            UrlClass::Local(_)
        ));
        assert!(matches!(
            classify_value("postgres://u@localhost:5432,127.0.0.1:5433/app"),
            UrlClass::Local(_)
        ));
    }

    #[test]
    fn dynamic_passwords_do_not_hide_hosts() {
        assert_eq!(
            classify_value("postgresql://postgres:${DB_PASSWORD}@db.abc.supabase.co:5432/postgres"),
            UrlClass::Remote("db.abc.supabase.co".into())
        );
        assert_eq!(
            classify_value("postgres://u:p@${DB_HOST}/app"),
            UrlClass::Dynamic
        );
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact_credentials(
                "--db-url postgresql://postgres:s3cret@db.x.co:5432/postgres and redis://:pw@h"
            ),
            "--db-url postgresql://postgres:***@db.x.co:5432/postgres and redis://:***@h"
        );
        assert_eq!(
            redact_credentials("postgres://u@h/db https://x.y/a:b@c"),
            "postgres://u@h/db https://x.y/a:b@c"
        );
    }

    #[test]
    fn test_database_names() {
        for d in ["test", "app_test", "acme-test", "test_app"] {
            assert!(is_test_db_name(d), "{d}");
        }
        for d in ["app", "latest", "contest", "attestations"] {
            assert!(!is_test_db_name(d), "{d}");
        }
    }

    #[test]
    fn placeholders() {
        for h in [
            "<host>",
            "${DB_HOST}",
            "your-project.supabase.co",
            "db.xxxxxxxx.supabase.co",
            "db.example.com",
            "db.example.org",
            "db.invalid",
            "192.0.2.10",
            "HOST",
            "db.<ref>.supabase.co",
            "{{ .Values.host }}",
        ] {
            assert!(is_placeholder_host(h), "{h}");
        }
        for h in [
            "db.abcdefghijkl.supabase.co",
            "db.prod.acme.com",
            "10.0.0.5",
            "localhost",
            "examples.io",
        ] {
            assert!(!is_placeholder_host(h), "{h}");
        }
        for s in [
            "password",
            "[YOUR-PASSWORD]",
            "<password>",
            "xxx",
            "****",
            "your_password",
        ] {
            assert!(is_placeholder_secret(s), "{s}");
        }
        for s in ["s3cr3t-Pa55", "postgres", "hunter2", "${DB_PASSWORD}"] {
            assert!(!is_placeholder_secret(s), "{s}");
        }
        assert_eq!(
            url_password("postgres://app:s3cret@db.acme.com/app"),
            Some("s3cret")
        );
        assert_eq!(url_password("postgres://app@db.acme.com/app"), None);
        assert_eq!(url_password("redis://:pw@cache.acme.com"), Some("pw"));
        assert_eq!(
            url_hosts("postgres://u@h1:5432,h2/app"),
            Some(vec!["h1", "h2"])
        );
    }

    #[test]
    fn test_env_files() {
        assert!(is_test_env_file(".env.test"));
        assert!(is_test_env_file("../../.env.test.local"));
        assert!(!is_test_env_file(".env"));
        assert!(!is_test_env_file(".env.production"));
        assert!(!is_test_env_file(".env.latest"));
    }
}
