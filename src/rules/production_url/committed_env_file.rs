use super::{database_uris, remote_uri, URI_PREFIXES};
use crate::lang::FileKind;
use crate::rules::{Category, FileHit, FileInput, FileRule, RuleDoc, RuleMeta, Severity};

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "committed-env-file",
    category: Category::ProductionUrl,
    severity: Severity::Error,
    summary: "A committed env file (`.env`, `.env.production`, `.env.local`) holds a database URL to a remote host",
    help: "keep real env files out of git (add them to `.gitignore`, `git rm --cached <file>`), commit a `.env.example` with placeholders, and rotate any committed password",
    literals: URI_PREFIXES,
    doc: RuleDoc {
        what: "A database URI to a remote host (the same URI, local-host and placeholder rules as `hardcoded-database-url`) in an env file that dbguard reads, that is, one that `.gitignore` does not ignore: `.env`, `.env.production`, `.env.local`, `.env.staging`… Example and test env files (`.env.example`, `.env.sample`, `.env.template`, `.env.dist`, `.env.test`, `.env.e2e`, `.env.ci`) are meant to be committed: they are reported only when the URL carries a literal password, which is then a real credential in a shared file. Comments are skipped; the password is never printed.",
        why: "A committed env file is loaded by every clone, test run and script that calls `dotenv`: a remote URL in it makes production the default target of all of them, and its password is readable by everyone with access to the repository, forever, in its history.",
        example: "# .env (committed)\nDATABASE_URL=postgresql://postgres:s3cret@db.abcdefghijklmnop.supabase.co:5432/postgres",
        instead: "Ignore real env files (`.env`, `.env.*.local`, `.env.production`) in `.gitignore`, commit `.env.example` with placeholders (`postgresql://postgres:<password>@<host>:5432/app`) and a local default, keep production URLs in the deployment's secrets, and rotate any password that was committed.",
    },
};

/// An env file meant to be committed: an example or template, or a test environment.
pub(crate) fn is_example_env_file(path: &str) -> bool {
    let base = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    crate::target::is_test_env_file(&base)
        || base.split(['.', '-', '_']).any(|t| {
            matches!(
                t,
                "example"
                    | "examples"
                    | "sample"
                    | "template"
                    | "tmpl"
                    | "tpl"
                    | "dist"
                    | "defaults"
            )
        })
}

impl FileRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, input: &FileInput, out: &mut Vec<FileHit>) {
        if input.kind != FileKind::Env {
            return;
        }
        let name = input.rel.rsplit('/').next().unwrap_or(input.rel);
        let example = is_example_env_file(input.rel);
        let text = input.text();
        for span in database_uris(text) {
            if input.in_comment(span.start) {
                continue;
            }
            let Some(remote) = remote_uri(&text[span.clone()]) else {
                continue;
            };
            let message = if example {
                if !remote.credentials {
                    continue;
                }
                format!(
                    "`{name}` holds a database URL with a real password for remote host `{}` (an example or test env file is committed and copied)",
                    remote.host
                )
            } else {
                let what = if remote.credentials {
                    "with credentials for"
                } else {
                    "to"
                };
                format!(
                    "committed `{name}` holds a database URL {what} remote host `{}`",
                    remote.host
                )
            };
            let (severity, message) = match &remote.test_db {
                Some(why) => (Severity::Warning, format!("{message} ({why})")),
                None => (Severity::Error, message),
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
    use super::super::testing::{found, run};
    use super::*;

    fn one(rel: &str, text: &str) -> Vec<(String, String)> {
        found(&Rule, rel, text, "")
    }

    fn err(s: &str) -> Vec<(String, String)> {
        vec![(s.to_string(), "error".to_string())]
    }

    #[test]
    fn reports_remote_urls_in_real_env_files() {
        let url = "postgresql://postgres:s3cret@db.abcdefghijklmnop.supabase.co:5432/postgres";
        for rel in [
            ".env",
            ".env.production",
            ".env.local",
            "apps/web/.env.staging",
        ] {
            assert_eq!(
                one(rel, &format!("DATABASE_URL=\"{url}\"\n")),
                err(url),
                "{rel}"
            );
        }
        assert_eq!(
            one(
                ".env",
                "export REDIS_URL=rediss://default@eu1-cat.upstash.io:6379\n"
            ),
            err("rediss://default@eu1-cat.upstash.io:6379")
        );
        let hits = run(&Rule, ".env", &format!("DATABASE_URL={url}\n"), "");
        assert!(
            hits[0].message.contains("credentials"),
            "{}",
            hits[0].message
        );
        assert!(!hits[0].message.contains("s3cret"));
    }

    #[test]
    fn example_files_only_with_a_real_password() {
        let real = "postgresql://app:Zq8-v1xP@db.acme.io:5432/app";
        assert_eq!(
            one(".env.example", &format!("DATABASE_URL={real}\n")),
            err(real)
        );
        assert_eq!(
            one(".env.test", &format!("DATABASE_URL={real}\n")),
            err(real)
        );
        for text in [
            "DATABASE_URL=postgresql://app@db.acme.io:5432/app\n",
            "DATABASE_URL=postgresql://<user>:<password>@<host>:5432/acme\n",
            "DATABASE_URL=postgresql://postgres:[YOUR-PASSWORD]@db.abcdefghijklmnop.supabase.co:5432/postgres\n",
            "DATABASE_URL=postgresql://app:${DB_PASSWORD}@db.acme.io:5432/app\n",
            "DATABASE_URL=postgres://postgres:postgres@localhost:5432/app\n",
        ] {
            for rel in [".env.example", ".env.sample", ".env.template", ".env.local.example"] {
                assert_eq!(one(rel, text), vec![], "{rel}: {text}");
            }
        }
    }

    #[test]
    fn local_and_commented_urls_are_clean() {
        for text in [
            "DATABASE_URL=postgres://postgres:postgres@localhost:5432/app\n",
            "DATABASE_URL=postgres://postgres:postgres@db:5432/app\n",
            "# DATABASE_URL=postgres://app:pw@db.acme.io/app\n",
            "DATABASE_URL=${PROD_DATABASE_URL}\n",
            "NEXT_PUBLIC_SUPABASE_URL=https://abcdefghijklmnop.supabase.co\n",
        ] {
            assert_eq!(one(".env", text), vec![], "{text}");
        }
        // Not an env file.
        assert_eq!(
            one("scripts/a.sh", "X=postgres://app:pw@db.acme.io/app\n"),
            vec![]
        );
    }

    #[test]
    fn example_names() {
        for n in [
            ".env.example",
            ".env.sample",
            ".env.template",
            ".env.test",
            "x/.env.e2e",
            ".env.dist",
        ] {
            assert!(is_example_env_file(n), "{n}");
        }
        for n in [".env", ".env.production", ".env.local", ".env.staging"] {
            assert!(!is_example_env_file(n), "{n}");
        }
    }
}
