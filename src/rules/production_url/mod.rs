//! Category `production-url`: see each rule's file.
//!
//! The family's rules read raw text (outside comments) for database URLs and hosts; what a URL
//! or host means (local, placeholder, remote) is decided in `crate::target`. Which rule owns a
//! span: `hardcoded-database-url` owns every database URI it reports (its message names a
//! managed provider or a configured production host), so `managed-database-host` and
//! `production-host` stay quiet inside it.

pub mod committed_env_file;
pub mod hardcoded_database_url;
pub mod managed_database_host;
pub mod production_host;
pub mod production_port;

use std::ops::Range;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::{Category, FileInput, FileRule};
use crate::lang::FileKind;

/// The family's file rules, in catalogue order.
pub static RULES: &[&dyn FileRule] = &[
    &hardcoded_database_url::Rule,
    &managed_database_host::Rule,
    &production_host::Rule,
    &production_port::Rule,
    &committed_env_file::Rule,
];

/// `scheme://` prefixes of database connection URIs (the prefilter's literals too: the JDBC
/// and `prisma+postgres` forms contain one of them).
pub(crate) const URI_PREFIXES: &[&str] = &[
    "postgres://",
    "postgresql://",
    "mysql://",
    "mariadb://",
    "mongodb://",
    "mongodb+srv://",
    "redis://",
    "rediss://",
    "sqlserver://",
    "mssql://",
    "cockroachdb://",
    "libsql://",
    "prisma://",
];

/// Every database URI of `text`, as byte ranges (scheme to the end of the URI).
pub(crate) fn database_uris(text: &str) -> Vec<Range<usize>> {
    static AC: OnceLock<AhoCorasick> = OnceLock::new();
    let ac = AC.get_or_init(|| {
        let mut pats: Vec<&str> = URI_PREFIXES.to_vec();
        pats.extend(["jdbc:postgresql://", "jdbc:mysql://", "jdbc:sqlserver://"]);
        pats.push("prisma+postgres://");
        AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(pats)
            .expect("literals")
    });
    let b = text.as_bytes();
    let mut out: Vec<Range<usize>> = Vec::new();
    for m in ac.find_iter(text) {
        // A scheme inside the previous URI (`postgres://a@postgres://a@…`) is part of it:
        // scanning on from each would be quadratic.
        if out.last().is_some_and(|r| m.start() < r.end) {
            continue;
        }
        // `xpostgres://` is not a scheme of ours.
        if m.start() > 0 && (b[m.start() - 1].is_ascii_alphanumeric() || b[m.start() - 1] == b'+') {
            continue;
        }
        let end = uri_end(text, m.end());
        if end > m.end() {
            out.push(m.start()..end);
        }
    }
    out
}

/// Where a URI that starts before `from` ends: at whitespace, a quote, a backslash (an escape
/// of the host string), `;`, or a closing bracket that the URI did not open (`${DB_HOST}`,
/// `<password>` and `[::1]` are kept whole). Trailing sentence punctuation is dropped.
fn uri_end(text: &str, from: usize) -> usize {
    let b = text.as_bytes();
    let mut depth = 0usize;
    let mut i = from;
    while i < b.len() {
        match b[i] {
            c if c.is_ascii_whitespace() => break,
            b'"' | b'\'' | b'`' | b'\\' | b';' => break,
            b'(' | b'[' | b'{' | b'<' => depth += 1,
            b')' | b']' | b'}' | b'>' => {
                if depth == 0 {
                    break;
                }
                depth -= 1;
            }
            _ => {}
        }
        i += 1;
    }
    while i > from && matches!(b[i - 1], b'.' | b',' | b':') {
        i -= 1;
    }
    i
}

/// A database URI to a remote host, as far as its text says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RemoteUri {
    /// The first non-local host.
    pub host: String,
    /// A literal password (not a placeholder, not a variable) is in the URI.
    pub credentials: bool,
    /// The database name says test (`app_test`): why, for the message.
    pub test_db: Option<String>,
}

/// Judges one database URI: `None` when it is local, a placeholder (in a host or the
/// password) or has a host filled in at run time.
pub(crate) fn remote_uri(uri: &str) -> Option<RemoteUri> {
    use crate::target::{self, UrlClass};
    let hosts = target::url_hosts(uri)?;
    if hosts.iter().any(|h| target::is_placeholder_host(h)) {
        return None;
    }
    let password = target::url_password(uri);
    // `[YOUR-PASSWORD]` makes a template; a weak word (`secret`, `changeme`) is still a
    // password to a real host, just not one worth calling credentials.
    if password.is_some_and(target::is_template_secret) {
        return None;
    }
    let credentials = password.is_some_and(|p| {
        !p.is_empty() && !target::is_interpolated(p) && !target::is_weak_secret(p)
    });
    let remote = |test_db| {
        let host = hosts.iter().find(|h| !target::is_local_host(h))?;
        Some(RemoteUri {
            host: host.to_string(),
            credentials,
            test_db,
        })
    };
    match target::classify_value(uri) {
        UrlClass::Remote(_) => remote(None),
        UrlClass::TestDb(why) => remote(Some(why)),
        _ => None,
    }
}

/// The kinds whose text holds code or configuration that connects somewhere (`.env` files
/// have their own rule, `committed-env-file`).
pub(crate) fn is_code_kind(kind: FileKind) -> bool {
    kind != FileKind::Env
}

/// In a JS/TS test, the text at `offset` is inside a call that the test asserts is refused
/// (`expect(() => connect("…")).toThrow()`, `.rejects`, `assert.throws`).
pub(crate) fn refused_in_test(input: &FileInput, offset: usize) -> bool {
    if !input.is_test || !matches!(input.kind, FileKind::Js(_)) {
        return false;
    }
    let Some(tree) = input.js_tree() else {
        return false;
    };
    tree.root_node()
        .descendant_for_byte_range(offset, offset)
        .is_some_and(|n| crate::fragment::javascript::refused_in_test(n, input.text()))
}

/// An error at `span`, or `info` inside a JS/TS test that asserts the text is refused.
pub(crate) fn error_unless_refused(
    input: &FileInput,
    span: Range<usize>,
    mut message: String,
) -> crate::rules::FileHit {
    let mut severity = crate::rules::Severity::Error;
    if refused_in_test(input, span.start) {
        message.push_str("; the test asserts that it is refused");
        severity = crate::rules::Severity::Info;
    }
    crate::rules::FileHit {
        severity,
        message,
        span,
        help: None,
    }
}

/// The spans that `hardcoded-database-url` reports in this file (when it is enabled): the
/// other rules stay quiet inside them.
pub(crate) fn owned_uri_spans(input: &FileInput) -> Vec<Range<usize>> {
    let meta = &hardcoded_database_url::META;
    if !input.config.rule_enabled(meta.id, Category::ProductionUrl) || !is_code_kind(input.kind) {
        return Vec::new();
    }
    hardcoded_database_url::hits(input)
        .into_iter()
        .map(|h| h.span)
        .collect()
}

/// A byte that can be part of a host name.
pub(crate) fn is_host_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-' || c == b'.' || c == b'_'
}

/// The host-name token around `range` (extended over host bytes on both sides), without a
/// trailing dot.
pub(crate) fn host_token(text: &str, range: Range<usize>) -> Range<usize> {
    let b = text.as_bytes();
    let mut start = range.start;
    while start > 0 && is_host_byte(b[start - 1]) {
        start -= 1;
    }
    let mut end = range.end;
    while end < b.len() && is_host_byte(b[end]) {
        end += 1;
    }
    while end > start && b[end - 1] == b'.' {
        end -= 1;
    }
    while start < end && b[start] == b'.' {
        start += 1;
    }
    start..end
}

/// The host at `start` is the domain of an e-mail address (`ops@prod.acme.com`), not of a URL
/// (`postgres://u:p@prod.acme.com`).
pub(crate) fn is_email_domain(text: &str, start: usize) -> bool {
    if start == 0 || text.as_bytes()[start - 1] != b'@' {
        return false;
    }
    let word_start = text[..start - 1]
        .rfind(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`' | ','))
        .map_or(0, |i| i + 1);
    !text[word_start..start].contains("://")
}

/// The name of a config file for messages.
pub(crate) fn config_name(input: &FileInput) -> String {
    input
        .config
        .file
        .as_ref()
        .and_then(|f| f.file_name())
        .map_or_else(
            || "the config".to_string(),
            |f| f.to_string_lossy().into_owned(),
        )
}

#[cfg(test)]
pub(crate) mod testing {
    use crate::config::Config;
    use crate::lang::FileKind;
    use crate::rules::{FileHit, FileInput, FileRule};
    use crate::source::SourceFile;

    /// Runs `rule` on `text` as the file `rel` (kind from its name), with `toml` as config.
    pub fn run(rule: &dyn FileRule, rel: &str, text: &str, toml: &str) -> Vec<FileHit> {
        let config = Config::parse(toml, std::path::Path::new("/repo/dbguard.toml")).unwrap();
        let kind = match crate::lang::classify_path(std::path::Path::new(rel)) {
            crate::lang::Classified::Kind(k) => k,
            _ => FileKind::Shell,
        };
        let source = SourceFile::new(rel.to_string(), std::path::PathBuf::from(rel), text.into());
        let abs = std::path::Path::new("/repo").join(rel);
        let input = FileInput::new(
            &source,
            kind,
            rel,
            &config,
            config.is_test(&abs),
            config.is_script(&abs),
        );
        let mut out = Vec::new();
        if rule.needs_no_literal(&input)
            || rule
                .meta()
                .literals
                .iter()
                .any(|l| text.to_ascii_lowercase().contains(&l.to_ascii_lowercase()))
        {
            rule.check(&input, &mut out);
        }
        out
    }

    /// The reported texts and severities.
    pub fn found(rule: &dyn FileRule, rel: &str, text: &str, toml: &str) -> Vec<(String, String)> {
        run(rule, rel, text, toml)
            .into_iter()
            .map(|h| (text[h.span].to_string(), h.severity.as_str().to_string()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::database_uris;

    #[test]
    fn a_scheme_inside_a_uri_starts_no_new_one() {
        // Each scheme scanned to the end of the line made this quadratic (minutes at 2 MB).
        let text = format!("x={}\ny=mysql://h/db", "postgres://a@".repeat(20_000));
        let uris = database_uris(&text);
        assert_eq!(uris.len(), 2, "{:?}", uris.first());
        assert_eq!(uris[0].start, 2);
        assert_eq!(&text[uris[1].clone()], "mysql://h/db");
    }
}
