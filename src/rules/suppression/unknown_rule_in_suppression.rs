use crate::rules::{Category, RuleDoc, RuleMeta, Severity};

pub static META: RuleMeta = RuleMeta {
    id: "unknown-rule-in-suppression",
    category: Category::Suppression,
    severity: Severity::Error,
    summary: "a `dbguard-ignore` comment names no known rule or category",
    help: "use a rule id or category from `dbguard rules`",
    literals: &["dbguard-ignore"],
    doc: RuleDoc {
        what: "A name in a `dbguard-ignore` or `dbguard-ignore-file` comment that is neither a rule id, a category, nor the `squawk` group; or a directive that names nothing at all (a blanket `dbguard-ignore` is not accepted). `[[suppress]]` entries are checked when the config is read (an unknown rule there is a config error).",
        why: "A typo in a suppression suppresses nothing, and the next reader believes the line was reviewed.",
        example: "// dbguard-ignore prisma-reset -- local only\nexecSync('prisma migrate reset --force')",
        instead: "Name the rule as `dbguard rules` lists it: `// dbguard-ignore prisma-migrate-reset -- local only`.",
    },
};
