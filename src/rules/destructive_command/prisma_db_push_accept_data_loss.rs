use super::{verdict, DB_VARS};
use crate::rules::{Category, CommandRule, Hit, RuleDoc, RuleMeta, Severity};
use crate::shell::Command;
use crate::target::assess;

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "prisma-db-push-accept-data-loss",
    category: Category::DestructiveCommand,
    severity: Severity::Error,
    summary: "`prisma db push --accept-data-loss` applies schema changes that drop columns and tables",
    help: "generate a reviewed migration with `prisma migrate dev --create-only` and apply it with `prisma migrate deploy`",
    literals: &["accept-data-loss"],
    doc: RuleDoc {
        what: "`prisma db push` given `--accept-data-loss`, in any host (scripts, package.json, CI, Makefile, Dockerfile, JS/TS exec).",
        why: "`db push` makes the database match the schema without a migration. When that needs dropping a column, a table or a unique-violating row, Prisma stops and asks; `--accept-data-loss` answers yes in advance. Against production, a renamed field becomes a dropped column with its data.",
        example: "\"db:push\": \"prisma db push --accept-data-loss\"",
        instead: "Use migrations for any shared database: `prisma migrate dev --create-only`, review the SQL, then `prisma migrate deploy`. Keep `db push` for local prototyping with an inline local `DATABASE_URL`.",
    },
};

impl CommandRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cmd: &Command) -> Option<Hit> {
        if cmd.program() != "prisma"
            || !cmd.subcommand_is(&["db", "push"])
            || !cmd.has_flag("--accept-data-loss")
        {
            return None;
        }
        let target = assess(cmd, &[], DB_VARS);
        Some(verdict(
            cmd,
            META.severity,
            "accepts data loss without asking",
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
                ("prisma db push --accept-data-loss", Some(Error)),
                (
                    "pnpm prisma db push --skip-generate --accept-data-loss",
                    Some(Error),
                ),
                ("bunx prisma db push --accept-data-loss", Some(Error)),
                (
                    "DATABASE_URL=postgres://localhost/app prisma db push --accept-data-loss",
                    Some(Info),
                ),
                ("prisma db push", None),
                ("prisma db push --skip-generate", None),
                ("prisma db pull", None),
                ("echo 'prisma db push --accept-data-loss'", None),
            ],
        );
    }
}
