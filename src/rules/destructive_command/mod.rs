//! Category `destructive-command`: commands that wipe, drop, reset or overwrite a database.
//!
//! Every rule here matches a normalized argv (wrappers peeled), so the same rule fires in a
//! shell script, a package.json script, a CI step, a Makefile recipe, a Dockerfile `RUN` or a
//! JS/TS `execSync`. When the command's own environment points at a local or test database, the
//! finding drops to `info` and says why.

mod drizzle_kit_drop;
mod drizzle_kit_push_force;
pub(crate) mod dropdb;
mod knex_migrate_down_in_ci;
mod knex_migrate_rollback_all;
mod mongo_drop_database;
mod pg_restore_clean;
mod prisma_db_push_accept_data_loss;
mod prisma_db_push_force_reset;
mod prisma_migrate_dev_in_deploy;
mod prisma_migrate_reset;
mod rails_destructive_db_task;
mod redis_flush;
mod sequelize_db_drop;
mod sequelize_migrate_undo_all;
mod supabase_db_push;
mod supabase_db_reset;
mod typeorm_schema_drop;
mod typeorm_schema_sync;

use super::{CommandRule, Hit, Severity};
use crate::shell::Command;
use crate::target::Target;

pub static RULES: &[&dyn CommandRule] = &[
    &prisma_migrate_reset::Rule,
    &prisma_db_push_accept_data_loss::Rule,
    &prisma_db_push_force_reset::Rule,
    &prisma_migrate_dev_in_deploy::Rule,
    &supabase_db_reset::Rule,
    &supabase_db_push::Rule,
    &drizzle_kit_push_force::Rule,
    &drizzle_kit_drop::Rule,
    &knex_migrate_rollback_all::Rule,
    &knex_migrate_down_in_ci::Rule,
    &sequelize_db_drop::Rule,
    &sequelize_migrate_undo_all::Rule,
    &typeorm_schema_drop::Rule,
    &typeorm_schema_sync::Rule,
    &dropdb::Rule,
    &pg_restore_clean::Rule,
    &mongo_drop_database::Rule,
    &redis_flush::Rule,
    &rails_destructive_db_task::Rule,
];

/// Environment variables that ORMs read the connection from.
pub(crate) const DB_VARS: &[&str] = &[
    "DATABASE_URL",
    "POSTGRES_PRISMA_URL",
    "POSTGRES_URL",
    "DIRECT_URL",
];

/// The offending command as one line, for messages.
pub(crate) fn command_text(cmd: &Command) -> String {
    let mut s = String::new();
    for w in &cmd.argv {
        if !s.is_empty() {
            s.push(' ');
        }
        // Redact before truncating, so that a cut cannot leave half a password.
        s.push_str(&crate::target::redact_credentials(&w.text));
        if s.len() > 80 {
            s.truncate(crate::source::floor_char_boundary(&s, 77));
            s.push('…');
            break;
        }
    }
    s.replace('\n', " ")
}

/// The common verdict: the rule's severity, or `info` when the target is local/test or when a
/// test asserts that the command is refused.
pub(crate) fn verdict(cmd: &Command, severity: Severity, effect: &str, target: &Target) -> Hit {
    let mut hit = verdict_raw(cmd, severity, effect, target);
    hit.message = crate::target::redact_credentials(&crate::shell::words::display(&hit.message));
    hit
}

fn verdict_raw(cmd: &Command, severity: Severity, effect: &str, target: &Target) -> Hit {
    let what = command_text(cmd);
    let span = cmd.span.clone();
    if cmd.refused_in_test {
        return Hit {
            severity: Severity::Info,
            message: format!("`{what}` {effect}; a test asserts that running it is refused"),
            span,
        };
    }
    if target.is_safe() {
        return Hit {
            severity: Severity::Info,
            message: format!("`{what}` {effect}, but {}", target.reason()),
            span,
        };
    }
    Hit {
        severity,
        message: format!("`{what}` {effect}: {}", target.reason()),
        span,
    }
}

/// The value of `VAR` in the command's environment says "test" (`NODE_ENV=test`,
/// `RAILS_ENV=test`), or the command's `--env` flag does.
pub(crate) fn test_environment(cmd: &Command, vars: &[&str]) -> Option<Target> {
    let is_test = |v: &str| matches!(v, "test" | "testing" | "ci");
    if let Some((v, _)) = cmd.flag_text("--env") {
        if is_test(v) {
            return Some(Target::Test(format!("it runs with --env {v}")));
        }
    }
    vars.iter().find_map(|var| {
        let v = cmd.env_var(var)?;
        is_test(v.value()).then(|| Target::Test(format!("{var}={}", v.value())))
    })
}

#[cfg(test)]
pub(crate) mod testing {
    //! Runs one rule over shell snippets, as the rule files' pass/fail tests do.
    use std::sync::Arc;

    use crate::fragment::map::OffsetMap;
    use crate::fragment::{Fragment, HostContext};
    use crate::lang::FileKind;
    use crate::rules::{CommandRule, Severity};
    use crate::shell::commands;

    pub fn check_in(rule: &dyn CommandRule, ctx: HostContext, src: &str) -> Vec<Severity> {
        let f = Fragment::shell(
            src.to_string(),
            OffsetMap::linear(0, src.len()),
            Arc::new(ctx),
        );
        commands(&f)
            .iter()
            .filter_map(|c| rule.check(c))
            .map(|h| h.severity)
            .collect()
    }

    pub fn check(rule: &dyn CommandRule, src: &str) -> Vec<Severity> {
        check_in(rule, HostContext::new(FileKind::Shell), src)
    }

    /// Asserts the severity of the one finding of each snippet (`None`: no finding).
    #[track_caller]
    pub fn expect(rule: &dyn CommandRule, cases: &[(&str, Option<Severity>)]) {
        for (src, want) in cases {
            let got = check(rule, src);
            assert_eq!(
                got.first().copied(),
                *want,
                "{}: `{src}` gave {got:?}",
                rule.meta().id
            );
            assert!(got.len() <= 1, "`{src}` gave {got:?}");
        }
    }
}
