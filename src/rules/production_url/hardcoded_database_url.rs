use super::{database_uris, is_code_kind, refused_in_test, remote_uri, URI_PREFIXES};
use crate::rules::{Category, FileHit, FileInput, FileRule, RuleDoc, RuleMeta, Severity};

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "hardcoded-database-url",
    category: Category::ProductionUrl,
    severity: Severity::Error,
    summary: "A database connection URL to a remote host is written into code, scripts, CI or config",
    help: "read the URL from the environment (`process.env.DATABASE_URL`, a CI secret) and point tests and scripts at a local database",
    literals: URI_PREFIXES,
    doc: RuleDoc {
        what: "A database connection URI (`postgres://`, `postgresql://`, `mysql://`, `mariadb://`, `mongodb://`, `mongodb+srv://`, `redis://`, `rediss://`, `sqlserver://`, `jdbc:postgresql://`…) whose host is not local, in JS/TS, shell scripts, CI workflows, Dockerfiles, Makefiles, `package.json` and SQL files; comments are skipped. Local hosts: `localhost`, `127.0.0.0/8`, `::1`, `0.0.0.0`, `host.docker.internal`, `*.local`, `*.localhost`, `*.test` and single-label names (docker-compose services such as `db`). Placeholders are not URLs: a host such as `<host>`, `${DB_HOST}`, `HOST`, `xxx`, `your-project`, `example.com`, or a password such as `password`, `<password>`, `[YOUR-PASSWORD]`. A database name that says test (`app_test`) makes it a warning; inside a JS/TS test that asserts the connection is refused (`expect(() => connect(\"postgres://…\")).toThrow()`) it is `info`. A URI with a literal password says \"credentials\" (the password itself is never printed). `.env` files are `committed-env-file`'s. This rule owns the URI: `managed-database-host` and `production-host` stay quiet on its host, and its message names the provider or the production host instead, so that one URI gives one finding.",
        why: "Code that names a remote database connects to it whatever environment it runs in: a test, a seed or a debug script with a hardcoded production URL writes test data into production. A URL with a password also hands the credentials to everyone who can read the repository, and stays in its history.",
        example: "const pool = new Pool({ connectionString: \"postgresql://app:s3cret@db.prod.acme.io:5432/app\" });",
        instead: "Read the URL from the environment (`process.env.DATABASE_URL`, a CI secret), keep a local default such as `postgres://postgres:postgres@localhost:5432/app`, and rotate any password that was committed.",
    },
};

impl FileRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, input: &FileInput, out: &mut Vec<FileHit>) {
        out.extend(hits(input));
    }
}

/// The rule's findings in `input` (also used by the family's other rules, which stay quiet
/// on the URIs reported here).
pub(crate) fn hits(input: &FileInput) -> Vec<FileHit> {
    let mut out = Vec::new();
    if !is_code_kind(input.kind) {
        return out;
    }
    let text = input.text();
    for span in database_uris(text) {
        if input.in_comment(span.start) {
            continue;
        }
        let Some(remote) = remote_uri(&text[span.clone()]) else {
            continue;
        };
        let lower = remote.host.to_ascii_lowercase();
        let what = if remote.credentials {
            "with credentials for"
        } else {
            "to"
        };
        let mut message = format!(
            "hardcoded database URL {what} remote host `{}`",
            remote.host
        );
        if input.config.production_hosts.is_match(lower.as_str()) {
            message.push_str(&format!(
                ", a production host ([production] hosts in {})",
                super::config_name(input)
            ));
        } else if let Some(m) = super::managed_database_host::judge(&lower) {
            message.push_str(&format!(", a managed {} database", m.provider));
        }
        let mut severity = Severity::Error;
        if let Some(why) = &remote.test_db {
            message.push_str(&format!(" ({why})"));
            severity = Severity::Warning;
        }
        if refused_in_test(input, span.start) {
            message.push_str("; the test asserts that it is refused");
            severity = Severity::Info;
        }
        let help = remote.credentials.then(|| {
            "move the URL to a secret (a CI secret, an untracked `.env`) and rotate the password: it stays in the repository's history".to_string()
        });
        out.push(FileHit {
            severity,
            message,
            span,
            help,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testing::{found, run};
    use super::*;

    fn one(rel: &str, text: &str) -> Vec<(String, String)> {
        found(&Rule, rel, text, "")
    }

    #[test]
    fn reports_remote_urls_in_every_host() {
        let cases = [
            ("scripts/seed.ts", "const url = \"postgresql://app:s3cret@db.prod.acme.io:5432/app\";", "postgresql://app:s3cret@db.prod.acme.io:5432/app"),
            ("scripts/sync.sh", "psql postgres://admin@10.0.4.12/app -c 'select 1'", "postgres://admin@10.0.4.12/app"),
            ("package.json", "{\"scripts\":{\"db:pull\":\"pg_dump \\\"postgres://u:pw@db.acme.io/app\\\" > dump.sql\"}}", "postgres://u:pw@db.acme.io/app"),
            (".github/workflows/ci.yml", "env:\n  DATABASE_URL: mysql://ci:ci@mysql.acme-prod.net:3306/app\n", "mysql://ci:ci@mysql.acme-prod.net:3306/app"),
            ("Dockerfile", "ENV MONGO_URL=mongodb+srv://app:pw@cluster0.ab1cd.mongodb.net/app\n", "mongodb+srv://app:pw@cluster0.ab1cd.mongodb.net/app"),
            ("Makefile", "dump:\n\tpg_dump jdbc:postgresql://db.acme.io:5432/app\n", "jdbc:postgresql://db.acme.io:5432/app"),
            ("sql/link.sql", "SELECT dblink_connect('postgresql://report@db.acme.io/app');", "postgresql://report@db.acme.io/app"),
            ("src/cache.ts", "createClient({ url: `rediss://default:${process.env.REDIS_PW}@eu1-known-cat.upstash.io:6379` })", "rediss://default:${process.env.REDIS_PW}@eu1-known-cat.upstash.io:6379"),
        ];
        for (rel, text, want) in cases {
            let got = one(rel, text);
            assert_eq!(
                got,
                vec![(want.to_string(), "error".to_string())],
                "{rel}: {text}"
            );
        }
    }

    #[test]
    fn messages_say_credentials_without_the_password() {
        let hits = run(
            &Rule,
            "scripts/seed.ts",
            "connect('postgres://app:hunter2@db.abcdefghij.supabase.co:5432/postgres')",
            "",
        );
        assert_eq!(hits.len(), 1);
        assert!(
            hits[0].message.contains("credentials"),
            "{}",
            hits[0].message
        );
        assert!(hits[0].message.contains("Supabase"), "{}", hits[0].message);
        assert!(!hits[0].message.contains("hunter2"));
        let hits = run(
            &Rule,
            "scripts/seed.ts",
            "connect(`postgres://app:${pw}@db.acme.io/app`)",
            "",
        );
        assert!(
            !hits[0].message.contains("credentials"),
            "{}",
            hits[0].message
        );
        let hits = run(
            &Rule,
            "scripts/seed.ts",
            "connect('postgres://app@db.prod.acme.io/app')",
            "[production]\nhosts = [\"*.prod.acme.io\"]\n",
        );
        assert!(
            hits[0].message.contains("production host"),
            "{}",
            hits[0].message
        );
    }

    #[test]
    fn local_hosts_placeholders_and_comments_are_clean() {
        for text in [
            "const url = 'postgres://postgres:postgres@localhost:5432/app'",
            "const url = 'postgres://postgres:postgres@127.0.0.1:5432/app'",
            "const url = 'postgresql://app:app@db:5432/app'",
            "const url = 'postgresql://app:app@postgres/app'",
            "const url = 'postgres://u@[::1]/app'",
            "const url = 'mysql://root@host.docker.internal/app'",
            "const url = 'redis://cache.local:6379'",
            "const url = 'postgres://u:p@db.acme.test/app'",
            "const url = 'postgres://user:password@host:5432/db'",
            "const url = 'postgresql://USER:PASSWORD@HOST:PORT/DB'",
            "const url = 'postgresql://postgres:[YOUR-PASSWORD]@db.abcdefghij.supabase.co:5432/postgres'",
            "const url = 'postgresql://<user>:<password>@<host>:5432/app'",
            "const url = `postgres://${user}:${pw}@${DB_HOST}:5432/app`",
            "const url = 'postgres://app:pw@db.example.com/app'",
            "const url = 'postgres://app:pw@xxx.supabase.co/postgres'",
            "const url = '{{ .Values.databaseUrl }}'",
            "const url = process.env.DATABASE_URL ?? 'postgres://localhost/app'",
            "// e.g. postgres://app:s3cret@db.prod.acme.io/app\nconst x = 1",
            "/* DATABASE_URL=postgres://app@db.prod.acme.io/app */",
            "fetch('https://api.acme.io/users')",
        ] {
            assert_eq!(one("src/db.ts", text), vec![], "{text}");
        }
        assert_eq!(
            one("scripts/x.sh", "# psql postgres://app@db.acme.io/app\n"),
            vec![]
        );
        assert_eq!(
            one("a.sql", "-- postgres://app@db.acme.io/app\nselect 1;"),
            vec![]
        );
        assert_eq!(
            one(".env", "DATABASE_URL=postgres://app:pw@db.acme.io/app\n"),
            vec![]
        );
        assert_eq!(one("x.sh", "export DATABASE_URL=$DATABASE_URL\n"), vec![]);
    }

    #[test]
    fn test_database_names_and_refused_urls_are_quieter() {
        assert_eq!(
            one("scripts/x.sh", "psql postgres://ci@db.acme.io/app_test"),
            vec![("postgres://ci@db.acme.io/app_test".into(), "warning".into())]
        );
        let refused = "it('refuses production', () => {\n  expect(() => connect(\"postgres://app@db.prod.acme.io/app\")).toThrow(/refusing/);\n});\n";
        assert_eq!(
            one("test/guard.test.ts", refused),
            vec![("postgres://app@db.prod.acme.io/app".into(), "info".into())]
        );
        let rejects = "await expect(seed('postgres://app@db.prod.acme.io/app')).rejects.toThrow();";
        assert_eq!(one("test/seed.test.ts", rejects)[0].1, "info");
        let runs = "await seed('postgres://app@db.prod.acme.io/app');";
        assert_eq!(one("test/seed.test.ts", runs)[0].1, "error");
        let not = "expect(() => connect('postgres://app@db.prod.acme.io/app')).not.toThrow();";
        assert_eq!(one("test/seed.test.ts", not)[0].1, "error");
    }

    #[test]
    fn uri_ends_where_the_string_ends() {
        assert_eq!(
            one(
                "x.sh",
                "DATABASE_URL=\"postgres://u@db.acme.io/app?sslmode=require\" node x.js"
            ),
            vec![(
                "postgres://u@db.acme.io/app?sslmode=require".into(),
                "error".into()
            )]
        );
        assert_eq!(
            one("x.ts", "see(postgres://u@db.acme.io/app)."),
            vec![("postgres://u@db.acme.io/app".into(), "error".into())]
        );
        assert_eq!(
            one("x.ts", "const u = 'xpostgres://u@db.acme.io/app'"),
            vec![]
        );
    }
}
