use crate::rules::{Category, RuleDoc, RuleMeta, Severity};

pub static META: RuleMeta = RuleMeta {
    id: "suppression-without-reason",
    category: Category::Suppression,
    severity: Severity::Error,
    summary: "a `dbguard-ignore` comment or `[[suppress]]` entry gives no reason",
    help: "say why after ` -- `: `dbguard-ignore RULE -- why this is safe here`",
    literals: &["dbguard-ignore"],
    doc: RuleDoc {
        what: "An inline `dbguard-ignore RULE`, a `dbguard-ignore-file RULE`, or a `[[suppress]]` entry in `dbguard.toml` without a reason (the text after ` -- `, or the entry's `reason`). Reported when `[suppressions] require_reason` is true, the default. The suppression still applies: the finding about it fails the run instead.",
        why: "A suppression without a reason cannot be reviewed: a year later nobody knows whether the command it hides was judged safe or only silenced to get a commit through.",
        example: "npx prisma migrate reset --force  # dbguard-ignore prisma-migrate-reset",
        instead: "Write the reason: `# dbguard-ignore prisma-migrate-reset -- runs against the compose database started above`.",
    },
};
