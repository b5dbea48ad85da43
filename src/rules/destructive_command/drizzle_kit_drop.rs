use super::verdict;
use crate::rules::{Category, CommandRule, Hit, RuleDoc, RuleMeta, Severity};
use crate::shell::Command;
use crate::target::Target;

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "drizzle-kit-drop",
    category: Category::DestructiveCommand,
    severity: Severity::Error,
    summary: "`drizzle-kit drop` deletes generated migrations, so the repository and applied databases disagree",
    help: "write a new migration that reverts the change instead of deleting an old one",
    literals: &["drizzle-kit"],
    doc: RuleDoc {
        what: "`drizzle-kit drop` in scripts, package.json, CI and exec calls.",
        why: "`drizzle-kit drop` removes a migration from the migrations folder and its journal. If that migration was already applied to a shared or production database, the repository no longer describes that database: the next `generate` diffs against the wrong history and can emit statements that drop or recreate data. In automation it runs without anyone checking which migration went.",
        example: "\"db:drop-last\": \"drizzle-kit drop\"",
        instead: "Keep applied migrations; add a new migration that reverts the change. Run `drizzle-kit drop` only by hand on migrations that never left your machine.",
    },
};

impl CommandRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cmd: &Command) -> Option<Hit> {
        if cmd.program() != "drizzle-kit" || cmd.positionals().next() != Some("drop") {
            return None;
        }
        let t = Target::Unpinned(
            "applied databases keep migrations the repository no longer has".into(),
        );
        Some(verdict(
            cmd,
            META.severity,
            "deletes generated migrations",
            &t,
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
                ("drizzle-kit drop", Some(Error)),
                (
                    "npx drizzle-kit drop --config drizzle.config.ts",
                    Some(Error),
                ),
                ("drizzle-kit generate", None),
                ("drizzle-kit studio", None),
                ("dropdb x && echo drizzle-kit drop", None),
            ],
        );
    }
}
