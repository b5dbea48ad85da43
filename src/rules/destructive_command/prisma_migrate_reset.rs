use super::{verdict, DB_VARS};
use crate::rules::{Category, CommandRule, Hit, RuleDoc, RuleMeta, Severity};
use crate::shell::Command;
use crate::target::assess;

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "prisma-migrate-reset",
    category: Category::DestructiveCommand,
    severity: Severity::Error,
    summary: "`prisma migrate reset` drops the database and recreates it from migrations",
    help: "pin the target: run it only with an inline local DATABASE_URL or `dotenv -e .env.test --`, and never in a script that production credentials can reach",
    literals: &["prisma"],
    doc: RuleDoc {
        what: "Any `prisma migrate reset` (with or without `--force`), however it is started: `npx`, `pnpm exec`, `dotenv -e … --`, `cross-env`, a package.json script, a CI step, a Makefile recipe, a Dockerfile `RUN` or `execSync` in a script.",
        why: "It drops every table of the database `DATABASE_URL` points at, re-applies all migrations and runs the seed. `--force` skips the only confirmation. Run with a production `DATABASE_URL` (a loaded `.env`, an exported variable, an AI agent's shell) it destroys production data.",
        example: "\"db:reset\": \"dotenv -e .env -- prisma migrate reset --force\"",
        instead: "Pin the command to a local or test database in the same line: `DATABASE_URL=postgresql://postgres:postgres@localhost:5432/app prisma migrate reset`, or `dotenv -e .env.test -- prisma migrate reset`. dbguard then reports it as `info`. Keep production changes to `prisma migrate deploy`.",
    },
};

impl CommandRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cmd: &Command) -> Option<Hit> {
        if cmd.program() != "prisma" || !cmd.subcommand_is(&["migrate", "reset"]) {
            return None;
        }
        let target = assess(cmd, &[], DB_VARS);
        Some(verdict(
            cmd,
            META.severity,
            "drops and recreates the database",
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
                ("prisma migrate reset", Some(Error)),
                ("npx prisma migrate reset --force", Some(Error)),
                ("pnpm exec prisma migrate reset --force --skip-seed", Some(Error)),
                ("dotenv -e .env -- prisma migrate reset", Some(Error)),
                ("./node_modules/.bin/prisma migrate reset --schema prisma/schema.prisma", Some(Error)),
                ("DATABASE_URL=postgres://u:p@db.example.com/app prisma migrate reset", Some(Error)),
                ("DATABASE_URL=$PROD_URL npx prisma migrate reset", Some(Error)),
                ("DATABASE_URL=postgresql://postgres:postgres@localhost:5432/app prisma migrate reset", Some(Info)),
                ("dotenv -e .env.test -- prisma migrate reset --force", Some(Info)),
                ("docker compose up -d db && prisma migrate reset --force", Some(Info)),
                ("DATABASE_URL=file:./dev.db prisma migrate reset", Some(Info)),
                ("DATABASE_URL=postgres://u@db.prod.example.com/app SHADOW_DATABASE_URL=postgres://u@localhost/s prisma migrate reset --force", Some(Error)),
                ("SHADOW_DATABASE_URL=postgres://u@localhost/s prisma migrate reset --force", Some(Error)),
                ("REDIS_URL=redis://localhost prisma migrate reset --force", Some(Error)),
                ("MY_DB_URL=postgres://postgres@localhost/app prisma migrate reset --force", Some(Info)),
                ("[[ $DATABASE_URL == *localhost* ]] || exit 1\nprisma migrate reset --force", Some(Info)),
                ("[[ $DATABASE_URL == *localhost* ]] && echo local\nprisma migrate reset --force", Some(Error)),
                ("prisma migrate deploy", None),
                ("prisma migrate status", None),
                ("prisma migrate dev", None),
                ("echo prisma migrate reset", None),
                ("# prisma migrate reset", None),
                ("git reset --hard", None),
            ],
        );
    }
}
