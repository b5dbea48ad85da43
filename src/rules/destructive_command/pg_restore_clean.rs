use super::dropdb::pg_target;
use super::verdict;
use crate::rules::{Category, CommandRule, Hit, RuleDoc, RuleMeta, Severity};
use crate::shell::Command;

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "pg-restore-clean",
    category: Category::DestructiveCommand,
    severity: Severity::Error,
    summary: "`pg_restore --clean` drops existing objects before restoring a dump over them",
    help: "restore into a new, empty database and switch over, or pin the target to a local host",
    literals: &["pg_restore"],
    doc: RuleDoc {
        what: "`pg_restore` with `--clean` or `-c` (also in short-option clusters such as `-cv`; `-Fc` is the format option and is not reported) that restores into a database (`-d`/`--dbname`); without `-d` it only writes SQL. Info when `-d`/`-h`/`PGHOST` point at a local host.",
        why: "`--clean` drops every object in the dump from the target database before recreating it. Pointed at the wrong database (a `$DATABASE_URL` that is production), it replaces production with an old backup and loses everything written since.",
        example: "pg_restore --clean --no-owner -d \"$DATABASE_URL\" backup.dump",
        instead: "Restore into a fresh database (`createdb restore_check && pg_restore -d restore_check`) and verify before switching. When a clean restore is intended, name a local host explicitly.",
    },
};

/// `-c` in a cluster of options that take no value (`-cv`, `-Oc`); `-Fc` is `-F c`.
fn has_clean(cmd: &Command) -> bool {
    cmd.args().iter().any(|w| {
        let t = w.text.as_str();
        t == "--clean"
            || (t.starts_with('-')
                && !t.starts_with("--")
                && t.len() > 1
                && t[1..].contains('c')
                && t[1..].chars().all(|c| "acCeOsvx1w".contains(c)))
    })
}

impl CommandRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cmd: &Command) -> Option<Hit> {
        // Without -d, pg_restore writes an SQL script (to -f or stdout) and connects nowhere.
        let connects = cmd.flag("-d").is_some() || cmd.flag("--dbname").is_some();
        if cmd.program() != "pg_restore" || !has_clean(cmd) || !connects {
            return None;
        }
        let target = pg_target(cmd);
        Some(verdict(
            cmd,
            META.severity,
            "drops existing objects before restoring",
            &target,
        ))
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
                (
                    "pg_restore --clean --no-owner -d \"$DATABASE_URL\" backup.dump",
                    Some(Error),
                ),
                ("pg_restore -c -d app backup.dump", Some(Error)),
                (
                    "pg_restore -cv --if-exists -h db.prod.internal -d app x.dump",
                    Some(Error),
                ),
                ("pg_restore --clean -h localhost -d app x.dump", Some(Info)),
                (
                    "pg_restore --clean -d postgres://postgres@localhost:5432/app x.dump",
                    Some(Info),
                ),
                ("pg_restore -Fc -d app x.dump", None),
                (
                    "pg_restore --clean --if-exists --no-owner -f schema.sql backup.dump",
                    None,
                ),
                ("pg_restore -c backup.dump > restore.sql", None),
                (
                    "pg_restore -h localhost -h db.prod.acme.com --clean -d app x.dump",
                    Some(Error),
                ),
                ("pg_restore --list backup.dump", None),
                ("pg_dump -Fc -f x.dump", None),
            ],
        );
    }
}
