use std::ops::Range;

use super::config_name;
use crate::rules::{Category, FileHit, FileInput, FileRule, RuleDoc, RuleMeta, Severity};

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "production-port",
    category: Category::ProductionUrl,
    severity: Severity::Error,
    summary: "A URL or `host:port` uses a port listed in `[production] ports`",
    help: "give tests and scripts their own port (read it from the environment, e.g. `process.env.TEST_BASE_URL`)",
    literals: &[],
    doc: RuleDoc {
        what: "A `host:port` (in a URL or alone) whose port is listed in `[production] ports` of dbguard.toml: `http://localhost:4545` when 4545 is the port the production app listens on. The host must look like one: `localhost`, a dotted name or address, `[::1]`, or any name after `://` or `@` (so `12:45:4545`, `4545:4545` port mappings and YAML keys are not ports). In JS/TS, shell, CI workflows, Dockerfiles, Makefiles, `package.json`, SQL and test env files; comments are skipped; inside a JS/TS test that asserts the call is refused it is `info`. Off until `[production] ports` lists something.",
        why: "On a machine that runs production next to development (a small server, a shared VM), a test or script that calls the production port talks to the production app and its database: the test users it creates are real users.",
        example: "use: { baseURL: process.env.TEST_BASE_URL ?? \"http://localhost:4545\" } // playwright.config.ts, 4545 = production",
        instead: "Give the test server its own port (`http://localhost:2345`) and read it from a test-specific variable; keep production ports in deployment configuration.",
    },
};

/// The start of the host before the `:` at `colon`, if what precedes looks like a host.
fn host_before(text: &str, colon: usize) -> Option<usize> {
    let b = text.as_bytes();
    if colon == 0 {
        return None;
    }
    let start = if b[colon - 1] == b']' {
        // `[::1]:4545`
        let open = text[colon.saturating_sub(64)..colon].rfind('[')?;
        colon.saturating_sub(64) + open
    } else {
        let mut s = colon;
        while s > 0 && (b[s - 1].is_ascii_alphanumeric() || matches!(b[s - 1], b'-' | b'.')) {
            s -= 1;
        }
        s
    };
    let host = &text[start..colon];
    if host.is_empty() || host.starts_with(['.', '-']) {
        return None;
    }
    let after_scheme = text[..start].ends_with("://") || text[..start].ends_with('@');
    // Numbers are a host only as an IPv4 address: not `12:45:4545`, not `8080:4545`.
    let dotted_numbers = host.bytes().all(|c| c.is_ascii_digit() || c == b'.');
    let looks_like_host = if dotted_numbers {
        host.split('.').count() == 4
    } else {
        host.starts_with('[')
            || host.eq_ignore_ascii_case("localhost")
            || host.contains('.')
            || after_scheme
    };
    looks_like_host.then_some(start)
}

/// Every `host:port` of `text` whose port is one of `ports`.
fn host_ports(text: &str, ports: &[u16]) -> Vec<(Range<usize>, u16)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    for &port in ports {
        let needle = format!(":{port}");
        for (colon, _) in text.match_indices(&needle) {
            let end = colon + needle.len();
            if end < b.len() && (b[end].is_ascii_alphanumeric() || b[end] == b':') {
                continue;
            }
            if let Some(start) = host_before(text, colon) {
                out.push((start..end, port));
            }
        }
    }
    out.sort_by_key(|(r, _)| r.start);
    out
}

impl FileRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn needs_no_literal(&self, input: &FileInput) -> bool {
        !input.config.production_ports.is_empty()
    }

    fn check(&self, input: &FileInput, out: &mut Vec<FileHit>) {
        let ports = &input.config.production_ports;
        if ports.is_empty() || !super::production_host::reads_env_file(input) {
            return;
        }
        let text = input.text();
        for (span, port) in host_ports(text, ports) {
            if input.in_comment(span.start) {
                continue;
            }
            let message = format!(
                "`{}` uses port {port}, a production port ([production] ports in {})",
                crate::target::redact_credentials(&text[span.clone()]),
                config_name(input)
            );
            out.push(super::error_unless_refused(input, span, message));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::found;
    use super::*;

    const CONFIG: &str = "[production]\nports = [4545, 5433]\n";

    fn one(rel: &str, text: &str) -> Vec<(String, String)> {
        found(&Rule, rel, text, CONFIG)
    }

    fn err(s: &str) -> Vec<(String, String)> {
        vec![(s.to_string(), "error".to_string())]
    }

    #[test]
    fn reports_production_ports() {
        assert_eq!(
            one(
                "playwright.config.ts",
                "use: { baseURL: process.env.TEST_BASE_URL ?? 'http://localhost:4545' },"
            ),
            err("localhost:4545")
        );
        assert_eq!(
            one("scripts/a.sh", "curl -s http://127.0.0.1:4545/health"),
            err("127.0.0.1:4545")
        );
        assert_eq!(
            one("scripts/a.sh", "psql postgres://app@db:5433/app"),
            err("db:5433")
        );
        assert_eq!(
            one("tests/a.test.ts", "const u = `http://[::1]:4545/api`;"),
            err("[::1]:4545")
        );
        assert_eq!(
            one(
                "package.json",
                "{\"scripts\":{\"e2e\":\"wait-on tcp:localhost:4545\"}}"
            ),
            err("localhost:4545")
        );
        assert_eq!(
            one(".env.test", "BASE_URL=http://localhost:4545\n"),
            err("localhost:4545")
        );
    }

    #[test]
    fn look_alikes_are_clean() {
        for (rel, text) in [
            (
                "playwright.config.ts",
                "use: { baseURL: process.env.TEST_BASE_URL ?? 'http://localhost:2345' },",
            ),
            (
                "playwright.config.ts",
                "// prod runs on http://localhost:4545\nexport default {}",
            ),
            ("src/a.ts", "http://localhost:45450"),
            ("src/a.ts", "const t = '12:45:4545';"),
            (
                ".github/workflows/ci.yml",
                "    ports:\n      - 4545:4545\n",
            ),
            ("src/a.ts", "const port = 4545;"),
            ("src/a.ts", "a:4545"),
            (".env.production", "BASE_URL=http://localhost:4545\n"),
        ] {
            assert_eq!(one(rel, text), vec![], "{rel}: {text}");
        }
        assert_eq!(
            found(&Rule, "a.sh", "curl http://localhost:4545", ""),
            vec![]
        );
    }

    #[test]
    fn refused_in_a_test_is_info() {
        assert_eq!(
            one(
                "tests/guard.test.ts",
                "await expect(seed('http://localhost:4545')).rejects.toThrow();"
            ),
            vec![("localhost:4545".into(), "info".into())]
        );
    }
}
