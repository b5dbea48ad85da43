use super::verdict;
use crate::rules::{Category, CommandRule, Hit, RuleDoc, RuleMeta, Severity};
use crate::shell::Command;
use crate::target::{classify_value, from_class, resolve, Target};

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "supabase-db-reset",
    category: Category::DestructiveCommand,
    severity: Severity::Error,
    summary: "`supabase db reset` recreates the database; with `--linked` or `--db-url` it wipes a remote project",
    help: "never reset a linked or remote project from a script; for local work run `supabase db reset` by hand against `supabase start`",
    literals: &["supabase"],
    doc: RuleDoc {
        what: "`supabase db reset`. Error with `--linked` or a non-local `--db-url`; warning without a target (it resets the local stack, wiping local data); info with a local `--db-url`.",
        why: "`supabase db reset` drops the database and re-applies migrations and `seed.sql`. With `--linked` it does so to the remote project the CLI is linked to — production, in most repositories that link at all.",
        example: "supabase db reset --linked",
        instead: "Reset only the local stack (`supabase start`, then `supabase db reset`), by hand. Ship schema changes with `supabase db push` from a reviewed CI job.",
    },
};

impl CommandRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cmd: &Command) -> Option<Hit> {
        if cmd.program() != "supabase" || !cmd.subcommand_is(&["db", "reset"]) {
            return None;
        }
        if cmd.has_flag("--linked") {
            let t = Target::Remote("`--linked` targets the remote project".into());
            return Some(verdict(
                cmd,
                Severity::Error,
                "drops and recreates the database",
                &t,
            ));
        }
        if let Some((url, _)) = cmd.flag_text("--db-url") {
            let t = from_class(classify_value(resolve(cmd, url)), "--db-url", url)
                .unwrap_or_else(|| Target::Remote(format!("--db-url points at `{url}`")));
            return Some(verdict(
                cmd,
                Severity::Error,
                "drops and recreates the database",
                &t,
            ));
        }
        let t = match &cmd.local_db_started {
            Some(started) => {
                Target::Local(format!("the local stack is started earlier (`{started}`)"))
            }
            None => {
                Target::Unpinned("it resets the local Supabase stack, wiping local data".into())
            }
        };
        Some(verdict(
            cmd,
            Severity::Warning,
            "drops and recreates the database",
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
                ("supabase db reset --linked", Some(Error)),
                ("npx supabase db reset --db-url \"$DATABASE_URL\"", Some(Error)),
                ("supabase db reset --db-url postgresql://postgres:pw@db.abc.supabase.co:5432/postgres", Some(Error)),
                ("supabase db reset", Some(Warning)),
                ("supabase db reset --local", Some(Warning)),
                ("supabase start && supabase db reset", Some(Info)),
                ("supabase start\nsupabase db reset --local", Some(Info)),
                ("supabase db reset --db-url postgresql://postgres:postgres@127.0.0.1:54322/postgres", Some(Info)),
                ("supabase db dump --local", None),
                ("supabase start", None),
                ("supabase migration new x", None),
            ],
        );
    }
}
