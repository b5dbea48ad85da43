use super::{test_environment, verdict, DB_VARS};
use crate::rules::{Category, CommandRule, Hit, RuleDoc, RuleMeta, Severity};
use crate::shell::Command;
use crate::target::assess;

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "sequelize-db-drop",
    category: Category::DestructiveCommand,
    severity: Severity::Error,
    summary: "`sequelize db:drop` drops the database named in the config",
    help: "drop databases by hand, against a pinned test environment (`--env test`)",
    literals: &["sequelize"],
    doc: RuleDoc {
        what: "`sequelize db:drop` (also through `sequelize-cli`). Info with `--env test` or `NODE_ENV=test`.",
        why: "`db:drop` issues `DROP DATABASE` for the database of the current environment in `config/config.json` (chosen by `NODE_ENV`, default `development`) or `--url`. With a production `NODE_ENV` or URL it deletes production.",
        example: "\"db:fresh\": \"sequelize db:drop && sequelize db:create && sequelize db:migrate\"",
        instead: "Pin test resets with `--env test` (or `NODE_ENV=test`) in the same command, and keep drops out of shared scripts.",
    },
};

pub(crate) fn is_sequelize(cmd: &Command) -> bool {
    matches!(cmd.program(), "sequelize" | "sequelize-cli")
}

impl CommandRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cmd: &Command) -> Option<Hit> {
        if !is_sequelize(cmd) || !cmd.subcommand_is(&["db:drop"]) {
            return None;
        }
        let target = test_environment(cmd, &["NODE_ENV"])
            .unwrap_or_else(|| assess(cmd, &["--url"], DB_VARS));
        Some(verdict(cmd, META.severity, "drops the database", &target))
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
                ("sequelize db:drop", Some(Error)),
                ("npx sequelize-cli db:drop --env production", Some(Error)),
                ("NODE_ENV=test npx sequelize-cli db:drop", Some(Info)),
                ("sequelize db:drop --env test", Some(Info)),
                ("sequelize db:create", None),
                ("sequelize db:migrate", None),
            ],
        );
    }
}
