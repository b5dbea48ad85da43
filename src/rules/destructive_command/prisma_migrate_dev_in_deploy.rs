use super::{verdict, DB_VARS};
use crate::fragment::deploy_name;
use crate::rules::{Category, CommandRule, Hit, RuleDoc, RuleMeta, Severity};
use crate::shell::Command;
use crate::target::assess;

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "prisma-migrate-dev-in-deploy",
    category: Category::DestructiveCommand,
    severity: Severity::Error,
    summary: "`prisma migrate dev` in a deploy or production context",
    help: "deploy with `prisma migrate deploy`, which only applies committed migrations and never resets",
    literals: &["prisma"],
    doc: RuleDoc {
        what: "`prisma migrate dev` where the host says it deploys: a package.json script, Makefile target, CI workflow/job/step or script file whose name says deploy/prod/production/release (or a `build`/`postbuild`/`vercel-build`/`heroku-postbuild` script), a CI job with `environment: production`, a Dockerfile `RUN`, or `NODE_ENV=production` in the command's environment. Elsewhere `prisma migrate dev` is the normal development command and is not reported.",
        why: "`migrate dev` is a development command: it creates new migrations from schema drift and, when it detects drift or an edited migration, it offers to reset the database. In a deploy pipeline it can generate and apply unreviewed SQL against production, or block on a reset prompt.",
        example: "- name: Migrate\n  run: npx prisma migrate dev --name auto   # in a job with environment: production",
        instead: "Use `prisma migrate deploy` in deploy pipelines and build steps; create migrations locally with `prisma migrate dev` and commit them.",
    },
};

/// Why this command runs in a deploy context, if it does.
fn deploy_context(cmd: &Command) -> Option<String> {
    if let Some(why) = &cmd.ctx.deploy {
        return Some(why.clone());
    }
    if let Some(name) = cmd.ctx.names.iter().find(|n| deploy_name(n)) {
        return Some(format!("it runs in `{name}`, a deploy context"));
    }
    match cmd.env_var("NODE_ENV") {
        Some(v) if v.value() == "production" => Some("it runs with NODE_ENV=production".into()),
        _ => None,
    }
}

impl CommandRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cmd: &Command) -> Option<Hit> {
        if cmd.program() != "prisma" || !cmd.subcommand_is(&["migrate", "dev"]) {
            return None;
        }
        let why = deploy_context(cmd)?;
        let target = assess(cmd, &[], DB_VARS);
        let mut hit = verdict(
            cmd,
            META.severity,
            "creates and applies unreviewed migrations",
            &target,
        );
        if hit.severity != Severity::Info {
            hit.message = format!(
                "`{}` creates and applies unreviewed migrations: {why}",
                super::command_text(cmd)
            );
        }
        Some(hit)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check_in, expect};
    use super::*;
    use crate::fragment::HostContext;
    use crate::lang::FileKind;
    use Severity::*;

    #[test]
    fn cases() {
        expect(
            &Rule,
            &[
                ("NODE_ENV=production npx prisma migrate dev", Some(Error)),
                (
                    "cross-env NODE_ENV=production prisma migrate dev --name x",
                    Some(Error),
                ),
                (
                    "export NODE_ENV=production\nprisma migrate dev",
                    Some(Error),
                ),
                ("prisma migrate dev", None),
                ("NODE_ENV=development prisma migrate dev", None),
                ("NODE_ENV=production prisma migrate deploy", None),
            ],
        );
    }

    #[test]
    fn named_deploy_contexts() {
        let mut ctx = HostContext::new(FileKind::PackageJson);
        ctx.names.push("deploy:db".into());
        assert_eq!(check_in(&Rule, ctx.clone(), "prisma migrate dev"), [Error]);
        ctx.names = vec!["dev".into()];
        assert!(check_in(&Rule, ctx.clone(), "prisma migrate dev").is_empty());
        ctx.deploy = Some("the job deploys to environment `production`".into());
        assert_eq!(check_in(&Rule, ctx, "prisma migrate dev"), [Error]);
    }
}
