use super::{test_environment, verdict, DB_VARS};
use crate::rules::{Category, CommandRule, Hit, RuleDoc, RuleMeta, Severity};
use crate::shell::Command;
use crate::target::assess;

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "knex-migrate-down-in-ci",
    category: Category::DestructiveCommand,
    severity: Severity::Error,
    summary: "`knex migrate:down` in a CI pipeline reverts a migration on every run",
    help: "remove the step; revert with a new forward migration that is reviewed like any other",
    literals: &["knex"],
    doc: RuleDoc {
        what: "`knex migrate:down` in a GitHub Actions workflow or GitLab CI file. Info when the job's `DATABASE_URL` points at a local service container or `NODE_ENV=test`.",
        why: "`migrate:down` runs the `down()` of the last migration, which usually drops what `up()` created. In a pipeline it runs unattended on every push, against whatever database the job's credentials reach.",
        example: "- run: npx knex migrate:down",
        instead: "Fix forward with a new migration; test `down()` against the job's own service database only.",
    },
};

impl CommandRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cmd: &Command) -> Option<Hit> {
        if cmd.program() != "knex" || !cmd.subcommand_is(&["migrate:down"]) || !cmd.ctx.kind.is_ci()
        {
            return None;
        }
        let target = test_environment(cmd, &["NODE_ENV"])
            .unwrap_or_else(|| assess(cmd, &["--connection"], DB_VARS));
        Some(verdict(
            cmd,
            META.severity,
            "reverts a migration in CI",
            &target,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check, check_in};
    use super::*;
    use crate::fragment::HostContext;
    use crate::lang::FileKind;
    use Severity::*;

    #[test]
    fn only_in_ci() {
        let ci = || HostContext::new(FileKind::GithubWorkflow);
        assert_eq!(check_in(&Rule, ci(), "npx knex migrate:down"), [Error]);
        assert_eq!(
            check_in(
                &Rule,
                HostContext::new(FileKind::GitlabCi),
                "knex migrate:down"
            ),
            [Error]
        );
        assert_eq!(
            check_in(&Rule, ci(), "NODE_ENV=test knex migrate:down"),
            [Info]
        );
        assert!(check_in(&Rule, ci(), "knex migrate:up").is_empty());
        assert!(check(&Rule, "knex migrate:down").is_empty());
    }
}
