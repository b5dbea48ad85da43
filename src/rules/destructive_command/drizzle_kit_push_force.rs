use super::{verdict, DB_VARS};
use crate::rules::{Category, CommandRule, Hit, RuleDoc, RuleMeta, Severity};
use crate::shell::Command;
use crate::target::assess;

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "drizzle-kit-push-force",
    category: Category::DestructiveCommand,
    severity: Severity::Error,
    summary: "`drizzle-kit push --force` applies data-loss statements without asking",
    help: "generate migrations with `drizzle-kit generate`, review them, and apply with `drizzle-kit migrate`",
    literals: &["drizzle-kit"],
    doc: RuleDoc {
        what: "`drizzle-kit push` (and the legacy `push:pg`, `push:mysql`, `push:sqlite`) with `--force`.",
        why: "`drizzle-kit push` diffs the schema against the live database and executes the statements directly. When a statement loses data (dropping a column, table or constraint) it asks first; `--force` auto-approves every such statement.",
        example: "\"db:push\": \"drizzle-kit push --force\"",
        instead: "`drizzle-kit generate` + review + `drizzle-kit migrate` for shared databases; `push` without `--force` against a pinned local database for prototyping.",
    },
};

impl CommandRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cmd: &Command) -> Option<Hit> {
        if cmd.program() != "drizzle-kit" || !cmd.has_flag("--force") {
            return None;
        }
        if !cmd
            .positionals()
            .next()
            .is_some_and(|p| p == "push" || p.starts_with("push:"))
        {
            return None;
        }
        let target = assess(cmd, &["--url"], DB_VARS);
        Some(verdict(
            cmd,
            META.severity,
            "auto-approves data-loss statements",
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
                ("drizzle-kit push --force", Some(Error)),
                (
                    "npx drizzle-kit push:pg --force --config drizzle.config.ts",
                    Some(Error),
                ),
                ("pnpm dlx drizzle-kit@latest push --force", Some(Error)),
                (
                    "drizzle-kit push --force --url postgres://postgres@localhost/dev",
                    Some(Info),
                ),
                ("drizzle-kit push", None),
                ("drizzle-kit generate", None),
                ("drizzle-kit migrate", None),
                ("git push --force", None),
            ],
        );
    }
}
