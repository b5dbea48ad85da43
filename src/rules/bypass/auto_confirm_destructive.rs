use std::ops::Range;

use crate::rules::destructive_command;
use crate::rules::{Category, CommandRule, Hit, RuleDoc, RuleMeta, Severity};
use crate::shell::Command;

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "auto-confirm-destructive",
    category: Category::Bypass,
    severity: Severity::Error,
    summary: "a destructive command's confirmation prompt is answered in advance (`--force`, `--yes`, `yes |`)",
    help: "let the prompt stop the command: drop the auto-confirmation, or pin the command to a local or test database so that nothing real can be wiped",
    literals: &[
        "--yes", "yes", "prisma", "supabase", "drizzle-kit", "dropdb", "knex",
        "sequelize", "typeorm", "pg_restore", "dropdatabase", "flushall", "flushdb", "db:",
    ],
    doc: RuleDoc {
        what: "A command that a `destructive-command` rule reports, run with the flag that skips its confirmation prompt, or with the prompt answered through a pipe. The tools that really prompt, and the flags that skip the prompt: `supabase db reset --linked`/`--db-url …` (`--yes`; a local reset does not prompt); `supabase db push` (`--yes`). Any destructive command fed `yes |`, `echo y |`, `printf 'y\\n' |` or a here-string `<<< y`. The severity is the underlying finding's: a reset pinned to a local or CI-service database is `info` here too. The span is the flag or the piped answer, so it does not repeat the destructive finding, which points at the whole command. Only enabled destructive rules count: a destructive rule switched off in `[rules] disable` (or its whole category) takes this finding with it. Not reported: `prisma migrate reset --force`/`-f`, `drizzle-kit push --force` and `prisma db push --accept-data-loss` (the destructive rule already reports every such command and names the flag; a second finding on the same line is noise; `yes | prisma migrate reset` is reported), nor `npx --yes prisma …` (`--yes` answers npx's install prompt).",
        why: "The confirmation prompt is the last moment a human sees which database is about to be wiped. A script that answers it in advance turns a mistyped `DATABASE_URL`, a loaded `.env` or an AI agent's command into data loss without a question asked.",
        example: "\"db:reset:remote\": \"supabase db reset --linked --yes\"",
        instead: "Run destructive commands by hand and read the prompt. In automation, pin the target in the same line (`DATABASE_URL=postgresql://postgres:postgres@localhost:5432/app prisma migrate reset --force`, `dotenv -e .env.test --`), so that the finding drops to `info`.",
    },
};

impl CommandRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cmd: &Command) -> Option<Hit> {
        self.check_enabled(cmd, destructive_command::RULES)
    }

    /// Only the enabled destructive rules count: `[rules] disable = ["supabase-db-reset"]`
    /// silences the auto-confirmation of `supabase db reset` too.
    fn check_enabled(&self, cmd: &Command, enabled: &[&dyn CommandRule]) -> Option<Hit> {
        let (span, how) = confirmation(cmd)?;
        let hit = destructive_command::RULES
            .iter()
            .filter(|r| enabled.iter().any(|e| e.meta().id == r.meta().id))
            .filter_map(|r| r.check(cmd).map(|h| (r.meta().id, h)))
            .max_by_key(|(_, h)| h.severity)?;
        let (id, under) = hit;
        let what = destructive_command::command_text(cmd);
        let message = format!(
            "{how} answers the confirmation prompt of `{what}` in advance ({id}: {})",
            under.message
        );
        Some(Hit {
            severity: under.severity,
            message: crate::target::redact_credentials(&message),
            span,
        })
    }
}

/// The flag or piped answer that confirms in advance, and how to name it.
fn confirmation(cmd: &Command) -> Option<(Range<usize>, String)> {
    if let Some(stdin) = &cmd.stdin {
        let answer = stdin.text.trim().to_ascii_lowercase();
        if matches!(answer.as_str(), "y" | "yes" | "y\\n" | "yes\\n") {
            // From the answer to the program: `yes | npx prisma`, `y' | prisma`.
            let end = cmd.argv.first().map_or(stdin.span.end, |w| w.span.end);
            let span = if stdin.span.start < end {
                stdin.span.start..end
            } else {
                stdin.span.clone()
            };
            return Some((span, format!("piping `{}` into it", stdin.text.trim())));
        }
    }
    let program = cmd.program();
    let flags: &[&str] = match program {
        // `prisma migrate reset --force`/`-f` skips a prompt too, but prisma-migrate-reset reports
        // every reset, `--force` or not, and names the flag: a second finding is noise.
        "supabase" if cmd.subcommand_is(&["db", "reset"]) => {
            if cmd.has_flag("--linked") || cmd.has_flag("--db-url") {
                &["--yes"]
            } else {
                &[]
            }
        }
        "supabase" if cmd.subcommand_is(&["db", "push"]) => &["--yes"],
        _ => &[],
    };
    let w = flags.iter().find_map(|f| cmd.flag(f))?;
    if w.text.ends_with("=false") {
        return None;
    }
    Some((w.span.clone(), format!("`{}`", w.text)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::destructive_command::testing::expect;
    use Severity::*;

    #[test]
    fn cases() {
        expect(
            &Rule,
            &[
                ("yes | dotenv -e .env -- prisma migrate reset", Some(Error)),
                ("yes | npx prisma migrate reset", Some(Error)),
                ("echo y | prisma migrate reset", Some(Error)),
                ("printf 'y\\n' | prisma migrate reset", Some(Error)),
                ("prisma migrate reset <<< yes", Some(Error)),
                ("supabase db reset --linked --yes", Some(Error)),
                ("supabase --yes db reset --db-url postgres://u:p@db.example.com/x", Some(Error)),
                ("supabase db push --yes", Some(Warning)),
                ("yes | dropdb app", Some(Error)),
                // Severity follows the destructive finding.
                ("yes | DATABASE_URL=postgresql://postgres:postgres@localhost:5432/app prisma migrate reset", Some(Info)),
                ("echo y | dotenv -e .env.test -- prisma migrate reset", Some(Info)),
                ("supabase db reset --db-url postgresql://postgres:postgres@127.0.0.1:54322/postgres --yes", Some(Info)),
                // Look-alikes.
                ("prisma migrate reset", None),
                // prisma-migrate-reset already reports these, naming `--force`.
                ("prisma migrate reset --force", None),
                ("npx prisma migrate reset -f --skip-seed", None),
                ("npx --yes prisma migrate reset", None),
                ("supabase db reset --yes", None),
                ("supabase db reset --linked", None),
                ("prisma migrate deploy --force", None),
                ("drizzle-kit push --force", None),
                ("prisma db push --accept-data-loss", None),
                ("git push --force", None),
                ("pnpm install --force", None),
                ("yes | npx create-next-app", None),
                ("echo n | prisma migrate reset", None),
                ("echo prisma migrate reset --force", None),
                ("apt-get install -y postgresql-client", None),
            ],
        );
    }

    #[test]
    fn follows_the_enabled_destructive_rules() {
        use crate::fragment::map::OffsetMap;
        use crate::fragment::{Fragment, HostContext};
        use crate::lang::FileKind;
        use std::sync::Arc;
        let src = "supabase db reset --linked --yes";
        let f = Fragment::shell(
            src.to_string(),
            OffsetMap::linear(0, src.len()),
            Arc::new(HostContext::new(FileKind::Shell)),
        );
        let cmds = crate::shell::commands(&f);
        let all = destructive_command::RULES;
        assert!(Rule.check_enabled(&cmds[0], all).is_some());
        let without: Vec<&dyn CommandRule> = all
            .iter()
            .copied()
            .filter(|r| r.meta().id != "supabase-db-reset")
            .collect();
        assert!(Rule.check_enabled(&cmds[0], &without).is_none());
        assert!(Rule.check_enabled(&cmds[0], &[]).is_none());
    }

    #[test]
    fn spans() {
        use crate::fragment::map::OffsetMap;
        use crate::fragment::{Fragment, HostContext};
        use crate::lang::FileKind;
        use std::sync::Arc;
        for (src, want) in [
            ("supabase db reset --linked --yes", "--yes"),
            ("yes | npx prisma migrate reset", "yes | npx prisma"),
            ("echo y | prisma migrate reset", "y | prisma"),
            ("supabase db push --yes", "--yes"),
        ] {
            let f = Fragment::shell(
                src.to_string(),
                OffsetMap::linear(0, src.len()),
                Arc::new(HostContext::new(FileKind::Shell)),
            );
            let hits: Vec<_> = crate::shell::commands(&f)
                .iter()
                .filter_map(|c| Rule.check(c))
                .collect();
            assert_eq!(&src[hits[0].span.clone()], want, "{src}");
        }
    }
}
