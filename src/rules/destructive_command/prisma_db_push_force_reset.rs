use super::{verdict, DB_VARS};
use crate::rules::{Category, CommandRule, Hit, RuleDoc, RuleMeta, Severity};
use crate::shell::Command;
use crate::target::assess;

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "prisma-db-push-force-reset",
    category: Category::DestructiveCommand,
    severity: Severity::Error,
    summary: "`prisma db push --force-reset` drops the whole database before pushing the schema",
    help: "use `prisma migrate deploy` for shared databases; reset only a pinned local database",
    literals: &["force-reset"],
    doc: RuleDoc {
        what: "`prisma db push --force-reset` in any host.",
        why: "`--force-reset` resets the database (every table and row) and then pushes the schema. It is `migrate reset` without migrations and without a prompt.",
        example: "npx prisma db push --force-reset",
        instead: "For a disposable local database, pin it inline: `DATABASE_URL=postgresql://localhost:5432/dev prisma db push --force-reset`. For anything shared, use migrations.",
    },
};

impl CommandRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cmd: &Command) -> Option<Hit> {
        if cmd.program() != "prisma"
            || !cmd.subcommand_is(&["db", "push"])
            || !cmd.has_flag("--force-reset")
        {
            return None;
        }
        let target = assess(cmd, &[], DB_VARS);
        Some(verdict(
            cmd,
            META.severity,
            "drops the whole database first",
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
                ("prisma db push --force-reset", Some(Error)),
                (
                    "yarn prisma db push --force-reset --accept-data-loss",
                    Some(Error),
                ),
                (
                    "cross-env DATABASE_URL=postgres://127.0.0.1/x prisma db push --force-reset",
                    Some(Info),
                ),
                ("prisma db push", None),
                ("prisma migrate reset", None),
            ],
        );
    }
}
