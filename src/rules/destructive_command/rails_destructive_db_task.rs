use super::{test_environment, verdict, DB_VARS};
use crate::rules::{Category, CommandRule, Hit, RuleDoc, RuleMeta, Severity};
use crate::shell::Command;
use crate::target::assess;

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "rails-destructive-db-task",
    category: Category::DestructiveCommand,
    severity: Severity::Error,
    summary: "`rails`/`rake` `db:drop`, `db:reset`, `db:schema:load`, `db:purge` destroy the database",
    help: "pin `RAILS_ENV=test` in the same command, or use `db:migrate` for shared databases",
    literals: &["db:drop", "db:reset", "db:schema:load", "db:purge", "db:truncate_all"],
    doc: RuleDoc {
        what: "`rails` / `bin/rails` / `rake` / `bundle exec rails` with `db:drop`, `db:reset`, `db:schema:load`, `db:purge` or `db:truncate_all`. Info with `RAILS_ENV=test`.",
        why: "`db:drop` and `db:purge` delete the database, `db:reset` drops and recreates it, `db:schema:load` recreates every table from `schema.rb` (dropping existing ones), `db:truncate_all` empties every table. Rails protects production only through `ar_internal_metadata`, and `DISABLE_DATABASE_ENVIRONMENT_CHECK=1` switches that off.",
        example: "RAILS_ENV=production DISABLE_DATABASE_ENVIRONMENT_CHECK=1 bin/rails db:schema:load",
        instead: "`bin/rails db:migrate` for shared databases; `RAILS_ENV=test bin/rails db:reset` for tests.",
    },
};

const TASKS: &[&str] = &[
    "db:drop",
    "db:drop:all",
    "db:reset",
    "db:migrate:reset",
    "db:setup",
    "db:schema:load",
    "db:purge",
    "db:purge:all",
    "db:truncate_all",
];

/// `rake -D task` / `rake -T` describe tasks and run none.
const DESCRIBE: &[&str] = &[
    "-D",
    "--describe",
    "-T",
    "--tasks",
    "-W",
    "--where",
    "-P",
    "--prereqs",
];

impl CommandRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cmd: &Command) -> Option<Hit> {
        let describes = cmd
            .args()
            .iter()
            .any(|w| DESCRIBE.contains(&w.text.as_str()));
        if !matches!(cmd.program(), "rails" | "rake") || describes {
            return None;
        }
        let task = cmd.positionals().find(|p| TASKS.contains(p))?;
        let target = test_environment(cmd, &["RAILS_ENV", "RACK_ENV"])
            .unwrap_or_else(|| assess(cmd, &[], DB_VARS));
        let effect = format!("destroys the database ({task})");
        Some(verdict(cmd, META.severity, &effect, &target))
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
                ("bin/rails db:drop", Some(Error)),
                ("bundle exec rake db:reset", Some(Error)),
                ("RAILS_ENV=production DISABLE_DATABASE_ENVIRONMENT_CHECK=1 bin/rails db:schema:load", Some(Error)),
                ("RAILS_ENV=test bin/rails db:reset", Some(Info)),
                ("bin/rails db:migrate", None),
                ("bin/rails db:reset RAILS_ENV=test", Some(Info)),
                ("bundle exec rake db:drop db:create db:schema:load RAILS_ENV=test", Some(Info)),
                ("bin/rails db:migrate:reset", Some(Error)),
                ("RAILS_ENV=production bin/rails db:setup", Some(Error)),
                ("bundle exec rake -D db:reset", None),
                ("bin/rails db:seed", None),
                ("rails server", None),
            ],
        );
    }
}
