use std::ops::Range;
use std::sync::{Arc, Mutex};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder};

use super::{config_name, host_token, is_email_domain, owned_uri_spans};
use crate::lang::FileKind;
use crate::rules::{Category, FileHit, FileInput, FileRule, RuleDoc, RuleMeta, Severity};

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "production-host",
    category: Category::ProductionUrl,
    severity: Severity::Error,
    summary: "A host listed in `[production] hosts` is named in code, tests, CI or config",
    help: "read the host from the environment, and give tests and scripts a local or test host",
    literals: &[],
    doc: RuleDoc {
        what: "Any host matching a glob of `[production] hosts` in dbguard.toml (`db.prod.acme.io`, `*.prod.internal`), in JS/TS, shell, CI workflows, Dockerfiles, Makefiles, `package.json` and SQL, and in test env files (`.env.test`); comments and e-mail addresses are skipped. Other env files are `committed-env-file`'s: a committed `.env.production` naming production is expected. Inside a JS/TS test that asserts the call is refused it is `info`. A database URI reported by `hardcoded-database-url` is that rule's finding (its message says the host is a production host). Off until `[production] hosts` lists something.",
        why: "A production host written into a test, a seed or a script is reached whatever environment runs it: this is how tests create fake users in the production database.",
        example: "await request(\"https://api.prod.acme.io\").post(\"/users\").send(testUser);",
        instead: "Read the host from the environment (`process.env.API_URL`) with a local default, and keep production hosts in deployment configuration.",
    },
};

/// The longest run of literal characters of a host glob.
fn literal_of(glob: &str) -> &str {
    glob.split(['*', '?', '[', ']', '{', '}', '\\', ','])
        .max_by_key(|s| s.len())
        .unwrap_or("")
}

/// A finder for the globs' literals (built once per distinct `[production] hosts`), or
/// `None` when a glob has no literal long enough to search for (`*`).
fn finder(globs: &[String]) -> Option<Arc<AhoCorasick>> {
    type Cache = Mutex<Vec<(Vec<String>, Option<Arc<AhoCorasick>>)>>;
    static CACHE: Cache = Mutex::new(Vec::new());
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, f)) = cache.iter().find(|(g, _)| g == globs) {
        return f.clone();
    }
    let lits: Vec<&str> = globs.iter().map(|g| literal_of(g)).collect();
    let f = if lits.iter().all(|l| l.trim_matches('.').len() >= 3) {
        AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .build(&lits)
            .ok()
            .map(Arc::new)
    } else {
        None
    };
    cache.push((globs.to_vec(), f.clone()));
    f
}

/// Candidate host tokens of `text`: around the globs' literals, or (globs without literals)
/// every dotted token.
fn candidates(text: &str, globs: &[String]) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    match finder(globs) {
        Some(ac) => {
            for m in ac.find_overlapping_iter(text) {
                let t = host_token(text, m.start()..m.end());
                if out.last().is_none_or(|l| l.end <= t.start) {
                    out.push(t);
                }
            }
        }
        None => {
            let b = text.as_bytes();
            let mut i = 0;
            while i < b.len() {
                if super::is_host_byte(b[i]) {
                    let t = host_token(text, i..i);
                    i = t.end.max(i + 1);
                    while i < b.len() && super::is_host_byte(b[i]) {
                        i += 1;
                    }
                    // A host to match against a bare wildcard has a dot at least.
                    if text[t.clone()].contains('.') {
                        out.push(t);
                    }
                } else {
                    i += 1;
                }
            }
        }
    }
    out
}

/// Env files this rule reads: test ones (other env files are `committed-env-file`'s).
pub(crate) fn reads_env_file(input: &FileInput) -> bool {
    input.kind != FileKind::Env || crate::target::is_test_env_file(input.rel)
}

impl FileRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn needs_no_literal(&self, input: &FileInput) -> bool {
        !input.config.production_host_patterns.is_empty()
    }

    fn check(&self, input: &FileInput, out: &mut Vec<FileHit>) {
        let globs = &input.config.production_host_patterns;
        if globs.is_empty() || !reads_env_file(input) {
            return;
        }
        let text = input.text();
        let mut owned: Option<Vec<Range<usize>>> = None;
        for span in candidates(text, globs) {
            let host = text[span.clone()].to_ascii_lowercase();
            if !input.config.production_hosts.is_match(host.as_str())
                || input.in_comment(span.start)
                || is_email_domain(text, span.start)
            {
                continue;
            }
            let owned = owned.get_or_insert_with(|| owned_uri_spans(input));
            if owned
                .iter()
                .any(|o| o.start <= span.start && span.end <= o.end)
            {
                continue;
            }
            let message = format!(
                "production host `{host}` ([production] hosts in {})",
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

    const CONFIG: &str =
        "[production]\nhosts = [\"db.prod.acme.io\", \"*.prod.internal\", \"acme.com\"]\n";

    fn one(rel: &str, text: &str) -> Vec<(String, String)> {
        found(&Rule, rel, text, CONFIG)
    }

    fn err(s: &str) -> Vec<(String, String)> {
        vec![(s.to_string(), "error".to_string())]
    }

    #[test]
    fn reports_configured_hosts() {
        assert_eq!(
            one(
                "tests/api.test.ts",
                "await request('https://api.prod.internal/users').post(user);"
            ),
            err("api.prod.internal")
        );
        assert_eq!(
            one("scripts/dump.sh", "pg_dump -h DB.PROD.ACME.IO app > x.sql"),
            err("DB.PROD.ACME.IO")
        );
        assert_eq!(
            one(
                ".github/workflows/e2e.yml",
                "env:\n  BASE_URL: https://acme.com\n"
            ),
            err("acme.com")
        );
        assert_eq!(
            one(".env.test", "API_HOST=db.prod.acme.io\n"),
            err("db.prod.acme.io")
        );
        // A URI hardcoded-database-url does not report (placeholder password) is ours.
        assert_eq!(
            one(
                "scripts/x.sh",
                "psql postgres://app:<password>@db.prod.acme.io/app"
            ),
            err("db.prod.acme.io")
        );
    }

    #[test]
    fn look_alikes_are_clean() {
        for (rel, text) in [
            ("src/a.ts", "// deployed at https://api.prod.internal"),
            ("src/a.ts", "const mail = 'ops@acme.com';"),
            ("src/a.ts", "fetch('https://staging.acme.com/x')"),
            ("src/a.ts", "fetch('https://acme.com.evil.io/x')"),
            ("src/a.ts", "fetch('https://notacme.com/x')"),
            (
                "src/a.ts",
                "const u = 'postgres://app@db.prod.acme.io/app';",
            ),
            (".env.production", "API_HOST=db.prod.acme.io\n"),
            ("scripts/a.sh", "psql -h localhost app"),
        ] {
            assert_eq!(one(rel, text), vec![], "{rel}: {text}");
        }
        // Nothing configured: nothing reported.
        assert_eq!(found(&Rule, "a.sh", "psql -h db.prod.acme.io", ""), vec![]);
    }

    #[test]
    fn wildcard_only_globs_still_work() {
        assert_eq!(
            found(
                &Rule,
                "a.sh",
                "psql -h db7.prod -c 'select 1'",
                "[production]\nhosts = [\"db?.prod\"]\n"
            ),
            err("db7.prod")
        );
        assert_eq!(
            found(
                &Rule,
                "a.sh",
                "curl https://x.io",
                "[production]\nhosts = [\"*\"]\n"
            ),
            err("x.io")
        );
    }

    #[test]
    fn refused_in_a_test_is_info() {
        assert_eq!(
            one(
                "tests/guard.test.ts",
                "expect(() => assertNotProduction('db.prod.acme.io')).toThrow();"
            ),
            vec![("db.prod.acme.io".into(), "info".into())]
        );
    }

    #[test]
    fn literals() {
        assert_eq!(literal_of("*.prod.internal"), ".prod.internal");
        assert_eq!(literal_of("db-*.acme.io"), ".acme.io");
    }
}
