use crate::rules::{Category, RuleDoc, RuleMeta, Severity};

pub static META: RuleMeta = RuleMeta {
    id: "forbidden-suppression",
    category: Category::Suppression,
    severity: Severity::Error,
    summary: "a suppression names a rule or category that `[suppressions] forbid` lists",
    help: "fix the finding instead; this rule cannot be suppressed in this repository",
    literals: &["dbguard-ignore"],
    doc: RuleDoc {
        what: "A `dbguard-ignore`, `dbguard-ignore-file` or `[[suppress]]` entry naming a rule or category listed in `[suppressions] forbid`. The finding it tried to hide is reported as well.",
        why: "Some dangers are never acceptable in a repository (a hardcoded production URL, a `prisma migrate reset` in a deploy script): the team decided once, and a comment must not undo that decision.",
        example: "# dbguard.toml: [suppressions] forbid = [\"production-url\"]\nDATABASE_URL=postgres://app:pw@db.prod.acme.io/app  # dbguard-ignore production-url -- needed",
        instead: "Fix the code, or change the policy in `dbguard.toml` where the whole team reviews it.",
    },
};
