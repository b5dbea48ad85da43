use super::{verdict, DB_VARS};
use crate::rules::{Category, CommandRule, Hit, RuleDoc, RuleMeta, Severity};
use crate::shell::Command;
use crate::target::assess;

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "typeorm-schema-drop",
    category: Category::DestructiveCommand,
    severity: Severity::Error,
    summary: "`typeorm schema:drop` drops every table of the data source",
    help: "use migrations (`typeorm migration:run`); drop schemas only on a pinned local database",
    literals: &["typeorm"],
    doc: RuleDoc {
        what: "`typeorm schema:drop`, also through `typeorm-ts-node-commonjs` and `typeorm-ts-node-esm`.",
        why: "It drops all tables (and the data) of the data source's database, which TypeORM configs usually read from `DATABASE_URL` or `DB_HOST`.",
        example: "\"db:drop\": \"typeorm-ts-node-commonjs schema:drop -d src/data-source.ts\"",
        instead: "Keep schema changes in migrations (`migration:generate`, `migration:run`). Drop only a database pinned inline to localhost.",
    },
};

pub(crate) fn is_typeorm(cmd: &Command) -> bool {
    matches!(
        cmd.program(),
        "typeorm" | "typeorm-ts-node-commonjs" | "typeorm-ts-node-esm"
    )
}

impl CommandRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cmd: &Command) -> Option<Hit> {
        if !is_typeorm(cmd) || !cmd.subcommand_is(&["schema:drop"]) {
            return None;
        }
        let target = assess(cmd, &[], DB_VARS);
        Some(verdict(cmd, META.severity, "drops every table", &target))
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
                ("typeorm schema:drop", Some(Error)),
                (
                    "npx typeorm-ts-node-commonjs schema:drop -d src/data-source.ts",
                    Some(Error),
                ),
                (
                    "DATABASE_URL=postgres://localhost/x typeorm schema:drop",
                    Some(Info),
                ),
                ("typeorm migration:run", None),
                ("typeorm schema:log", None),
            ],
        );
    }
}
