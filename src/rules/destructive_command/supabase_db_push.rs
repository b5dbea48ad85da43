use super::verdict;
use crate::rules::{Category, CommandRule, Hit, RuleDoc, RuleMeta, Severity};
use crate::shell::Command;
use crate::target::{classify_value, from_class, resolve, Target};

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "supabase-db-push",
    category: Category::DestructiveCommand,
    severity: Severity::Warning,
    summary: "`supabase db push` from a script or CI applies migrations to the remote project; `--include-all`/`--include-roles` widen it",
    help: "run `supabase db push` only from a reviewed deploy job, without `--include-all`/`--include-roles`, after `supabase db push --dry-run`",
    literals: &["supabase"],
    doc: RuleDoc {
        what: "`supabase db push` in scripts, package.json, CI and exec calls: warning. Error with `--include-all` (applies migrations older than the remote's latest, out of order) or `--include-roles` (pushes `roles.sql`). Info with `--local` or a local `--db-url`.",
        why: "`supabase db push` applies every pending local migration to the linked (remote) project. From a script anyone can run, it ships unreviewed DDL; `--include-all` re-applies migrations the remote never had in order, which can drop or rewrite data.",
        example: "\"db:deploy\": \"supabase db push --include-all\"",
        instead: "Push from one CI job that runs after review, with `--dry-run` first. Reconcile history with `supabase migration repair` instead of `--include-all`.",
    },
};

impl CommandRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cmd: &Command) -> Option<Hit> {
        if cmd.program() != "supabase"
            || !cmd.subcommand_is(&["db", "push"])
            || cmd.has_flag("--dry-run")
        {
            return None;
        }
        let widened = ["--include-all", "--include-roles"]
            .into_iter()
            .find(|f| cmd.has_flag(f));
        let severity = if widened.is_some() {
            Severity::Error
        } else {
            META.severity
        };
        let target = if cmd.has_flag("--local") {
            Target::Local("`--local` targets the local stack".into())
        } else if let Some((url, _)) = cmd.flag_text("--db-url") {
            from_class(classify_value(resolve(cmd, url)), "--db-url", url)
                .unwrap_or_else(|| Target::Remote(format!("--db-url points at `{url}`")))
        } else {
            Target::Remote("it targets the linked remote project".into())
        };
        let effect = match widened {
            Some(flag) => format!("applies migrations to the database with {flag}"),
            None => "applies pending migrations to the database".to_string(),
        };
        Some(verdict(cmd, severity, &effect, &target))
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
                ("supabase db push", Some(Warning)),
                ("npx supabase db push --linked", Some(Warning)),
                ("supabase db push --include-all", Some(Error)),
                ("supabase db push --include-roles --linked", Some(Error)),
                ("supabase db push --local", Some(Info)),
                ("supabase db push --db-url postgresql://postgres:postgres@localhost:54322/postgres", Some(Info)),
                ("supabase db push --dry-run", None),
                ("supabase db pull", None),
                ("supabase db diff -f x", None),
            ],
        );
    }
}
