use super::typeorm_schema_drop::is_typeorm;
use super::{verdict, DB_VARS};
use crate::rules::{Category, CommandRule, Hit, RuleDoc, RuleMeta, Severity};
use crate::shell::Command;
use crate::target::assess;

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "typeorm-schema-sync",
    category: Category::DestructiveCommand,
    severity: Severity::Error,
    summary: "`typeorm schema:sync` rewrites the schema to match entities, dropping what differs",
    help: "generate a migration (`typeorm migration:generate`), review it, and run it",
    literals: &["typeorm"],
    doc: RuleDoc {
        what: "`typeorm schema:sync`, also through `typeorm-ts-node-commonjs` and `typeorm-ts-node-esm`.",
        why: "`schema:sync` makes the database match the entities right now, with no migration and no review. A renamed property becomes a dropped column plus a new empty one; the data in the old column is gone.",
        example: "npx typeorm-ts-node-esm schema:sync -d ./src/data-source.ts",
        instead: "`typeorm migration:generate` to see the SQL, review it, then `typeorm migration:run`.",
    },
};

impl CommandRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cmd: &Command) -> Option<Hit> {
        if !is_typeorm(cmd) || !cmd.subcommand_is(&["schema:sync"]) {
            return None;
        }
        let target = assess(cmd, &[], DB_VARS);
        Some(verdict(
            cmd,
            META.severity,
            "applies schema changes without a migration",
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
                ("typeorm schema:sync", Some(Error)),
                (
                    "yarn typeorm-ts-node-esm schema:sync -d ./src/data-source.ts",
                    Some(Error),
                ),
                ("typeorm migration:generate src/migrations/x", None),
            ],
        );
    }
}
