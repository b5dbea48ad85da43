use super::sequelize_db_drop::is_sequelize;
use super::{test_environment, verdict, DB_VARS};
use crate::rules::{Category, CommandRule, Hit, RuleDoc, RuleMeta, Severity};
use crate::shell::Command;
use crate::target::assess;

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "sequelize-migrate-undo-all",
    category: Category::DestructiveCommand,
    severity: Severity::Error,
    summary: "`sequelize db:migrate:undo:all` reverts every migration",
    help: "revert one migration by hand (`db:migrate:undo`) after a backup, or fix forward with a new migration",
    literals: &["sequelize"],
    doc: RuleDoc {
        what: "`sequelize db:migrate:undo:all` (also `sequelize-cli`, and `--to` forms). Info with `--env test` or `NODE_ENV=test`.",
        why: "It runs the `down` of every executed migration, newest first. `down` functions drop tables: the whole schema and its data go.",
        example: "\"db:reset\": \"sequelize db:migrate:undo:all && sequelize db:migrate\"",
        instead: "Fix forward with a new migration; reset only a test database, pinned with `--env test` in the same command.",
    },
};

impl CommandRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cmd: &Command) -> Option<Hit> {
        if !is_sequelize(cmd) || !cmd.subcommand_is(&["db:migrate:undo:all"]) {
            return None;
        }
        let target = test_environment(cmd, &["NODE_ENV"])
            .unwrap_or_else(|| assess(cmd, &["--url"], DB_VARS));
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
                ("sequelize db:migrate:undo:all", Some(Error)),
                (
                    "npx sequelize-cli db:migrate:undo:all --to XXXXXXXXXXXXXX-create-posts.js",
                    Some(Error),
                ),
                ("NODE_ENV=test sequelize db:migrate:undo:all", Some(Info)),
                ("sequelize db:migrate:undo", None),
                ("sequelize db:seed:undo:all", None),
            ],
        );
    }
}
