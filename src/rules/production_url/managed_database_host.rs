use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::{database_uris, host_token, is_code_kind, is_email_domain, refused_in_test};
use crate::agent::MANAGED_HOSTS;
use crate::rules::{Category, FileHit, FileInput, FileRule, RuleDoc, RuleMeta, Severity};

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "managed-database-host",
    category: Category::ProductionUrl,
    severity: Severity::Error,
    summary: "The host of a managed cloud database (Supabase, RDS, Neon, PlanetScale…) is written into code, scripts, CI or config",
    help: "read the host or URL from the environment and point tests and scripts at a local database",
    literals: MANAGED_HOSTS,
    doc: RuleDoc {
        what: "A host of a managed database service, in or outside a URL: `db.<ref>.supabase.co`, `*.pooler.supabase.com`, `*.rds.amazonaws.com`, `*.neon.tech`, `*.psdb.cloud`, `*.cockroachlabs.cloud`, `*.db.ondigitalocean.com`, Render's `*-postgres.render.com`, `*.rlwy.net`, `*.aivencloud.com`, Timescale's `*.tsdb.cloud.timescale.com`, `*.mongodb.net`, `*.upstash.io`; comments, `.env` files (see `committed-env-file`), placeholders (`<ref>.supabase.co`, `your-project.supabase.co`) and the providers' web hosts (`console.neon.tech`, `docs.timescale.com`, `qstash.upstash.io`) are skipped. A Supabase project API URL (`https://<ref>.supabase.co`) is normal in frontend code: it is an error only in test files and scripts, `info` elsewhere. A host inside a database URI is left to `hardcoded-database-url` (its message names the provider, and it knows a template such as `postgresql://postgres:[YOUR-PASSWORD]@db.<ref>.supabase.co` from a real URL), so that one URI gives one finding; a host listed in `[production] hosts` is `production-host`'s.",
        why: "Managed databases are almost always production or a shared staging database. A test, seed or script that names one talks to it whatever environment it runs in, which is how test users end up in production.",
        example: "const supabase = createClient(\"https://abcdefghijklmnop.supabase.co\", process.env.SUPABASE_SERVICE_ROLE_KEY!); // in tests/setup.ts",
        instead: "Read the URL from the environment (`process.env.SUPABASE_URL`) and give tests a local stack (`supabase start`, a docker-compose database) through a test env file.",
    },
};

/// A managed database host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Managed {
    pub provider: &'static str,
    /// A Supabase project API URL host (`<ref>.supabase.co`), not its database.
    pub api: bool,
}

/// Labels of the providers' own web hosts (`console.neon.tech`), not of databases.
const WEB_LABELS: &[&str] = &[
    "www",
    "docs",
    "console",
    "api",
    "app",
    "status",
    "blog",
    "dashboard",
    "cloud",
    "support",
    "help",
    "portal",
    "login",
    "studio",
    "community",
    "qstash",
];

/// Judges a lowercase host: the managed provider it belongs to, if any.
pub(crate) fn judge(host: &str) -> Option<Managed> {
    let suffix = MANAGED_HOSTS.iter().find(|s| host.ends_with(*s))?;
    let prefix = &host[..host.len() - suffix.len()];
    let first = prefix.split('.').next().unwrap_or("");
    if prefix.is_empty()
        || first.is_empty()
        || WEB_LABELS.contains(&first)
        || crate::target::is_placeholder_host(host)
    {
        return None;
    }
    let provider = match *suffix {
        ".supabase.co" | ".pooler.supabase.com" => "Supabase",
        ".rds.amazonaws.com" => "Amazon RDS",
        ".neon.tech" => "Neon",
        ".psdb.cloud" => "PlanetScale",
        ".cockroachlabs.cloud" => "CockroachDB",
        ".db.ondigitalocean.com" => "DigitalOcean",
        // Render's web services are `*.onrender.com`; its databases `dpg-…-postgres.render.com`.
        ".render.com" if prefix.ends_with("-postgres") => "Render Postgres",
        ".rlwy.net" => "Railway",
        ".aivencloud.com" => "Aiven",
        ".timescale.com" if prefix.ends_with(".tsdb.cloud") => "Timescale",
        ".mongodb.net" => "MongoDB Atlas",
        ".upstash.io" => "Upstash",
        _ => return None,
    };
    Some(Managed {
        provider,
        api: *suffix == ".supabase.co" && first != "db",
    })
}

impl FileRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, input: &FileInput, out: &mut Vec<FileHit>) {
        if !is_code_kind(input.kind) {
            return;
        }
        static AC: OnceLock<AhoCorasick> = OnceLock::new();
        let ac = AC.get_or_init(|| {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::LeftmostLongest)
                .build(MANAGED_HOSTS)
                .expect("literals")
        });
        let text = input.text();
        let mut owned: Option<Vec<std::ops::Range<usize>>> = None;
        let production_host_on = input
            .config
            .rule_enabled(super::production_host::META.id, Category::ProductionUrl);
        let mut last_end = 0;
        for m in ac.find_iter(text) {
            let span = host_token(text, m.start()..m.end());
            if span.start < last_end || input.in_comment(span.start) {
                continue;
            }
            last_end = span.end;
            let host = text[span.clone()].to_ascii_lowercase();
            let Some(managed) = judge(&host) else {
                continue;
            };
            if is_email_domain(text, span.start)
                || (production_host_on && input.config.production_hosts.is_match(host.as_str()))
            {
                continue;
            }
            // Database URIs are hardcoded-database-url's: it reports the remote ones (naming
            // the provider) and knows placeholders (`[YOUR-PASSWORD]`).
            let owned = owned.get_or_insert_with(|| {
                let hardcoded = &super::hardcoded_database_url::META;
                if input
                    .config
                    .rule_enabled(hardcoded.id, Category::ProductionUrl)
                {
                    database_uris(text)
                } else {
                    Vec::new()
                }
            });
            if owned
                .iter()
                .any(|o| o.start <= span.start && span.end <= o.end)
            {
                continue;
            }
            let what = if managed.api {
                format!("Supabase project URL `{host}`")
            } else {
                format!("managed {} database host `{host}`", managed.provider)
            };
            let place = if input.is_test { "a test" } else { "a script" };
            let (severity, message) = if refused_in_test(input, span.start) {
                (
                    Severity::Info,
                    format!("{what}; the test asserts that it is refused"),
                )
            } else if !managed.api {
                (Severity::Error, what)
            } else if input.is_test || input.is_script {
                (
                    Severity::Error,
                    format!("{what} in {place}: it talks to the hosted project, not a local one"),
                )
            } else {
                (
                    Severity::Info,
                    format!("{what} (normal in client code; an error in tests and scripts)"),
                )
            };
            out.push(FileHit {
                severity,
                message,
                span,
                help: None,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::found;
    use super::*;

    fn one(rel: &str, text: &str) -> Vec<(String, String)> {
        found(&Rule, rel, text, "")
    }

    fn err(s: &str) -> Vec<(String, String)> {
        vec![(s.to_string(), "error".to_string())]
    }

    #[test]
    fn reports_managed_hosts_outside_uris() {
        assert_eq!(
            one(
                "scripts/dump.sh",
                "pg_dump -h db.abcdefghijklmnop.supabase.co -U postgres > dump.sql"
            ),
            err("db.abcdefghijklmnop.supabase.co")
        );
        assert_eq!(
            one(
                "src/db.ts",
                "new Pool({ host: 'app-prod.c9akciq32.eu-west-1.rds.amazonaws.com', port: 5432 })"
            ),
            err("app-prod.c9akciq32.eu-west-1.rds.amazonaws.com")
        );
        assert_eq!(
            one(
                ".github/workflows/e2e.yml",
                "env:\n  PGHOST: ep-cool-darkness-123456.us-east-2.aws.neon.tech\n"
            ),
            err("ep-cool-darkness-123456.us-east-2.aws.neon.tech")
        );
        assert_eq!(
            one(
                "Makefile",
                "psql:\n\tpsql -h dpg-cn1abc2-a.oregon-postgres.render.com app\n"
            ),
            err("dpg-cn1abc2-a.oregon-postgres.render.com")
        );
        assert_eq!(
            one(
                "src/x.ts",
                "const h = \"aws-0-eu-central-1.pooler.supabase.com\";"
            ),
            err("aws-0-eu-central-1.pooler.supabase.com")
        );
    }

    #[test]
    fn supabase_api_urls_are_errors_in_tests_and_scripts_only() {
        let client = "const supabase = createClient('https://abcdefghijklmnop.supabase.co', key);";
        assert_eq!(
            one("tests/setup.ts", client),
            err("abcdefghijklmnop.supabase.co")
        );
        assert_eq!(
            one("scripts/backfill.ts", client),
            err("abcdefghijklmnop.supabase.co")
        );
        assert_eq!(
            one("src/lib/supabase.ts", client),
            vec![("abcdefghijklmnop.supabase.co".into(), "info".into())]
        );
    }

    #[test]
    fn look_alikes_are_clean() {
        for text in [
            "// host: db.abcdefghijklmnop.supabase.co",
            "const url = `https://${ref}.supabase.co`",
            "const url = 'https://<project-ref>.supabase.co'",
            "const url = 'https://your-project.supabase.co'",
            "fetch('https://app.supabase.com/project/x')",
            "fetch('https://supabase.com/docs')",
            "open('https://console.neon.tech/app/projects')",
            "open('https://docs.timescale.com/')",
            "fetch('https://my-app.onrender.com/health')",
            "fetch('https://api.render.com/v1/services')",
            "fetch('https://qstash.upstash.io/v2/publish')",
            "const mail = 'ops@db.abcdefghijklmnop.supabase.co'",
            "const x = 'postgres://localhost/app'",
        ] {
            assert_eq!(one("scripts/x.ts", text), vec![], "{text}");
        }
        assert_eq!(
            one(".env", "PGHOST=db.abcdefghijklmnop.supabase.co\n"),
            vec![]
        );
    }

    #[test]
    fn uris_are_left_to_hardcoded_database_url() {
        // Reported by hardcoded-database-url (which names Supabase): not twice.
        assert_eq!(
            one(
                "scripts/x.ts",
                "connect('postgres://postgres:pw@db.abcdefghijklmnop.supabase.co:5432/postgres')"
            ),
            vec![]
        );
        // A template it skips.
        assert_eq!(
            one("scripts/x.ts", "log('postgresql://postgres:[YOUR-PASSWORD]@db.abcdefghijklmnop.supabase.co:5432/postgres')"),
            vec![]
        );
        // Unless that rule is off.
        assert_eq!(
            found(
                &Rule,
                "scripts/x.ts",
                "connect('postgres://postgres:pw@db.abcdefghijklmnop.supabase.co:5432/postgres')",
                "[rules]\ndisable = [\"hardcoded-database-url\"]\n"
            ),
            err("db.abcdefghijklmnop.supabase.co")
        );
        // A configured production host is production-host's.
        assert_eq!(
            found(
                &Rule,
                "scripts/x.sh",
                "psql -h db.abcdefghijklmnop.supabase.co",
                "[production]\nhosts = [\"*.supabase.co\"]\n"
            ),
            vec![]
        );
    }

    #[test]
    fn refused_in_a_test_is_info() {
        let t = "expect(() => assertLocal('https://abcdefghijklmnop.supabase.co')).toThrow();";
        assert_eq!(
            one("tests/guard.test.ts", t),
            vec![("abcdefghijklmnop.supabase.co".into(), "info".into())]
        );
    }
}
