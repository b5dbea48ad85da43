use super::{test_environment, verdict, DB_VARS};
use crate::rules::{Category, CommandRule, Hit, RuleDoc, RuleMeta, Severity};
use crate::shell::Command;
use crate::target::assess;

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "knex-migrate-rollback-all",
    category: Category::DestructiveCommand,
    severity: Severity::Error,
    summary: "`knex migrate:rollback --all` runs every migration's `down()`",
    help: "roll back one batch at a time by hand (`knex migrate:rollback`), after a backup, or write a forward migration",
    literals: &["knex"],
    doc: RuleDoc {
        what: "`knex migrate:rollback --all` in any host. Info with `--env test` or `NODE_ENV=test`.",
        why: "`--all` reverts every completed migration, not just the last batch. `down()` functions drop the tables that `up()` created, so the whole schema and its data go.",
        example: "\"db:rollback\": \"knex migrate:rollback --all\"",
        instead: "Fix forward with a new migration. If a rollback is really needed, roll back one batch by hand after checking `knex migrate:list` and taking a backup.",
    },
};

impl CommandRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cmd: &Command) -> Option<Hit> {
        if cmd.program() != "knex"
            || !cmd.subcommand_is(&["migrate:rollback"])
            || !cmd.has_flag("--all")
        {
            return None;
        }
        let target = test_environment(cmd, &["NODE_ENV"])
            .unwrap_or_else(|| assess(cmd, &["--connection"], DB_VARS));
        Some(verdict(
            cmd,
            META.severity,
            "reverts every migration",
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
                ("knex migrate:rollback --all", Some(Error)),
                (
                    "npx knex migrate:rollback --all --env production",
                    Some(Error),
                ),
                ("knex migrate:rollback --all --env test", Some(Info)),
                ("NODE_ENV=test knex migrate:rollback --all", Some(Info)),
                ("knex migrate:rollback", None),
                ("knex migrate:latest", None),
            ],
        );
    }
}
