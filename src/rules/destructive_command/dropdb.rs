use super::verdict;
use crate::rules::{Category, CommandRule, Hit, RuleDoc, RuleMeta, Severity};
use crate::shell::Command;
use crate::target::{classify_host, classify_value, from_class, guarded, resolve, Target};

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "dropdb",
    category: Category::DestructiveCommand,
    severity: Severity::Error,
    summary: "`dropdb` deletes a PostgreSQL database",
    help: "pin the host in the same command (`dropdb -h localhost app_test`) and keep drops of shared databases out of scripts",
    literals: &["dropdb"],
    doc: RuleDoc {
        what: "The PostgreSQL client `dropdb`. Info when `-h`/`--host`, `--maintenance-db` or `PGHOST` point at a local host or socket, or the database is an obvious test database.",
        why: "`dropdb NAME` is `DROP DATABASE NAME`: every table, every row, no undo. Without `-h` the host comes from `PGHOST` or the service file, which on a bastion or CI runner with production credentials is production.",
        example: "dropdb -h staging-db.acme.internal acme",
        instead: "Take a backup first, name the host explicitly, and run one-off drops by hand. For test databases pin `-h localhost` and use a name ending in `_test`.",
    },
};

/// The host a libpq client command targets: `-h`, `--host`, a URL in `-d`/`--dbname`/
/// `--maintenance-db`, or `PGHOST`.
pub(crate) fn pg_target(cmd: &Command) -> Target {
    guarded(
        cmd,
        pg_environment(cmd),
        &["PGHOST", "DB_HOST", "DATABASE_URL"],
    )
}

fn pg_environment(cmd: &Command) -> Target {
    for flag in ["-d", "--dbname", "--maintenance-db"] {
        if let Some((v, _)) = cmd.flag_text(flag) {
            // A plain database name (`-d app`) says nothing about the host.
            if let Some(t) = from_class(classify_value(resolve(cmd, v)), flag, v) {
                return t;
            }
        }
    }
    let host = ["-h", "--host"]
        .iter()
        .find_map(|f| {
            cmd.flag_text(f)
                .map(|(v, _)| (f.to_string(), v.to_string()))
        })
        .or_else(|| {
            cmd.env_var("PGHOST")
                .map(|v| ("PGHOST".to_string(), v.value().to_string()))
        });
    match host {
        Some((src, h)) => {
            from_class(classify_host(resolve(cmd, &h)), &src, &h)
                // A host that is not one (`-h http://x`) tells nothing: treat it as remote.
                .unwrap_or_else(|| Target::Remote(format!("{src} is `{h}`")))
        }
        None => {
            Target::Unpinned("no host is given, so PGHOST or the connection service decides".into())
        }
    }
}

impl CommandRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cmd: &Command) -> Option<Hit> {
        if cmd.program() != "dropdb" {
            return None;
        }
        // A connection string where the name belongs names the host too.
        let url_positional = cmd.positionals().find(|p| p.contains("://"));
        let mut target = match url_positional {
            Some(u) => from_class(classify_value(resolve(cmd, u)), "the database argument", u)
                .unwrap_or_else(|| pg_target(cmd)),
            None => pg_target(cmd),
        };
        if !target.is_safe() {
            if let Some(db) = cmd
                .positionals()
                .last()
                .filter(|d| crate::target::is_test_db_name(d))
            {
                target = Target::Test(format!("{db} is a test database"));
            }
        }
        Some(verdict(cmd, META.severity, "deletes the database", &target))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::expect;
    use super::*;
    use Severity::*;

    #[test]
    fn cases() {
        expect(
            &Rule,
            &[
                ("dropdb acme", Some(Error)),
                ("dropdb -h staging-db.acme.internal acme", Some(Error)),
                ("sudo -u postgres dropdb --if-exists acme", Some(Error)),
                ("PGHOST=db.prod.internal dropdb acme", Some(Error)),
                ("dropdb -h \"$PGHOST\" acme", Some(Error)),
                ("dropdb -h localhost acme", Some(Info)),
                ("PGHOST=127.0.0.1 dropdb acme", Some(Info)),
                ("dropdb --if-exists acme_test", Some(Info)),
                ("createdb acme", None),
                ("dropdb -h http://x app", Some(Error)),
                (
                    "dropdb \"postgresql://admin@db.prod.acme.com/acme\"",
                    Some(Error),
                ),
                ("heroku run -a acme dropdb acme", Some(Error)),
                ("echo dropdb acme", None),
            ],
        );
    }
}
