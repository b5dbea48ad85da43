//! squawk's own migration rules (the `squawk-linter` crate, by Steve Dignam and contributors),
//! run on migration files as the rule group `squawk`: each rule is `squawk/<squawk's name>`,
//! default severity `warning`, with squawk's messages.
//!
//! On by default: squawk's default rules about locks, table rewrites and backwards
//! compatibility, with squawk's `assume-in-transaction` setting (most runners apply each
//! migration in a transaction). Off unless enabled (`[rules] enable =
//! ["squawk/prefer-text-field"]`, or `["squawk"]` for all): squawk's own opt-in rules, its
//! style rules (they fire on nearly every ORM-generated migration and say nothing about
//! production safety), and the rules that
//! duplicate dbguard's `destructive-sql` rules.

use std::sync::OnceLock;

use squawk_linter::{Linter, Rule};

use crate::rules::{Category, RuleDoc, RuleMeta, Severity};

/// The group name accepted by `[rules] disable/enable`.
pub const GROUP: &str = "squawk";

/// squawk rules that are style, not safety: off by default here.
const STYLE: &[Rule] = &[
    Rule::PreferBigintOverInt,
    Rule::PreferBigintOverSmallint,
    Rule::PreferIdentity,
    Rule::PreferTextField,
    Rule::PreferTimestampTz,
    Rule::BanCharField,
    Rule::PreferRobustStmts,
    Rule::RequireLockTimeout,
    Rule::RequireStatementTimeout,
];

/// squawk rules that dbguard's own `destructive-sql` rules cover (at a higher severity).
const DUPLICATES: &[Rule] = &[
    Rule::BanDropTable,
    Rule::BanDropColumn,
    Rule::BanDropDatabase,
    Rule::BanDropSchema,
    Rule::BanTruncateCascade,
];

/// squawk's rules and their metadata, in the same order (sorted by id).
struct Catalogue {
    rules: Vec<(Rule, bool)>,
    metas: Vec<RuleMeta>,
}

fn catalogue() -> &'static Catalogue {
    static ALL: OnceLock<Catalogue> = OnceLock::new();
    ALL.get_or_init(|| {
        let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
        let mut rules: Vec<Rule> = enum_iterator::all::<Rule>()
            // Not rules of their own: squawk's unused-ignore report and an alias of two rules.
            .filter(|r| !matches!(r, Rule::UnusedIgnore | Rule::RequireTimeoutSettings))
            .collect();
        rules.sort_by_key(|r| r.to_string());
        let mut cat = Catalogue {
            rules: Vec::new(),
            metas: Vec::new(),
        };
        for rule in rules {
            let name = rule.to_string();
            let opt_in = rule.is_opt_in() || STYLE.contains(&rule) || DUPLICATES.contains(&rule);
            let why = if DUPLICATES.contains(&rule) {
                "Off by default: dbguard's own destructive-sql rules report the same statements as errors."
            } else if STYLE.contains(&rule) {
                "Off by default in dbguard: a style rule that fires on most ORM-generated migrations."
            } else if rule.is_opt_in() {
                "Off by default (an opt-in rule in squawk too)."
            } else {
                "On by default: squawk flags statements that take long locks, rewrite tables or break code that is still deployed."
            };
            cat.rules.push((rule, opt_in));
            cat.metas.push(RuleMeta {
                id: leak(format!("squawk/{name}")),
                category: Category::MigrationSafety,
                severity: Severity::Warning,
                summary: leak(format!("squawk's `{name}` migration rule")),
                help: leak(format!("see https://squawkhq.com/docs/{name}")),
                literals: &[],
                doc: RuleDoc {
                    what: leak(format!(
                        "squawk's `{name}` rule, run on migration files (files in a `migrations`, `migration` or `migrate` folder). Its documentation: https://squawkhq.com/docs/{name}"
                    )),
                    why: leak(format!(
                        "{why} The finding carries squawk's own message and help."
                    )),
                    example: "-- see the squawk documentation linked above",
                    instead: leak(format!(
                        "Follow squawk's advice for `{name}` (https://squawkhq.com/docs/{name}). Enable or disable it with `[rules] enable`/`disable` = [\"squawk/{name}\"], or the whole group with \"squawk\"."
                    )),
                },
            });
        }
        cat
    })
}

/// The metadata of every squawk rule, sorted by id.
pub fn metas() -> &'static [RuleMeta] {
    &catalogue().metas
}

pub fn is_opt_in(id: &str) -> bool {
    let cat = catalogue();
    cat.metas
        .iter()
        .zip(&cat.rules)
        .any(|(m, (_, opt_in))| m.id == id && *opt_in)
}

/// A Prisma migration folder whose `migration_lock.toml` names a provider other than
/// PostgreSQL: squawk's rules are about Postgres locks and do not apply.
pub fn not_postgres(migration_file: &std::path::Path) -> bool {
    let Some(dir) = crate::project::migration_folder(migration_file) else {
        return false;
    };
    let Ok(lock) = std::fs::read_to_string(dir.join("migration_lock.toml")) else {
        return false;
    };
    lock.lines()
        .filter_map(|l| l.trim().strip_prefix("provider"))
        .filter_map(|l| l.trim_start().strip_prefix('='))
        .map(|v| v.trim().trim_matches('"').to_ascii_lowercase())
        .any(|p| matches!(p.as_str(), "sqlite" | "mysql" | "sqlserver" | "mongodb"))
}

/// The top-level statement at `offset` alters or indexes a table the same fragment created
/// earlier.
pub fn on_new_table(
    parsed: &crate::sql::Parsed,
    cx: &crate::sql::SqlContext,
    offset: usize,
) -> bool {
    use squawk_syntax::ast::AstNode;
    use squawk_syntax::SyntaxKind as K;
    let Some(stmt) = parsed.tree.syntax().children().find(|s| {
        let r = s.text_range();
        usize::from(r.start()) <= offset && offset < usize::from(r.end())
    }) else {
        return false;
    };
    let relation = match stmt.kind() {
        K::ALTER_TABLE => stmt.children().find(|c| c.kind() == K::TABLE_RELATION_NAME),
        K::CREATE_INDEX => stmt
            .descendants()
            .find(|c| c.kind() == K::RELATION_NAME || c.kind() == K::TABLE_RELATION_NAME),
        _ => None,
    };
    relation
        .and_then(|r| crate::sql::TableName::from_path(&crate::sql::compact(&r)))
        .is_some_and(|t| {
            cx.created_before(&t, usize::from(stmt.text_range().start()))
                .is_some()
        })
}

/// One squawk violation, in fragment offsets.
pub struct Violation {
    pub id: &'static str,
    pub message: String,
    pub help: Option<String>,
    pub span: std::ops::Range<usize>,
}

/// Runs the enabled squawk rules over a parsed migration.
pub fn lint(
    parse: &squawk_syntax::Parse<squawk_syntax::SourceFile>,
    text: &str,
    enabled: &dyn Fn(&'static str) -> bool,
) -> Vec<Violation> {
    let cat = catalogue();
    let on: Vec<(Rule, &'static str)> = cat
        .rules
        .iter()
        .zip(&cat.metas)
        .filter(|(_, m)| enabled(m.id))
        .map(|((r, _), m)| (*r, m.id))
        .collect();
    if on.is_empty() {
        return Vec::new();
    }
    let mut linter = Linter::from(on.iter().map(|e| e.0));
    // Prisma, Supabase, Knex, dbmate and most migration runners apply each file in a
    // transaction: a table created in the same file is not locked for anyone else.
    linter.settings.assume_in_transaction = true;
    linter
        .lint(parse, text)
        .into_iter()
        .filter_map(|v| {
            let (_, id) = on.iter().find(|e| e.0 == v.code)?;
            Some(Violation {
                id,
                message: v.message,
                help: v.help,
                span: usize::from(v.text_range.start())..usize::from(v.text_range.end()),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_defaults() {
        assert!(metas().iter().all(|m| m.id.starts_with("squawk/")));
        assert!(metas()
            .iter()
            .any(|m| m.id == "squawk/require-concurrent-index-creation"));
        assert!(!is_opt_in("squawk/require-concurrent-index-creation"));
        assert!(is_opt_in("squawk/prefer-robust-stmts"));
        assert!(is_opt_in("squawk/ban-drop-table"));
        assert!(is_opt_in("squawk/ban-create-policy"));
        assert!(!metas().iter().any(|m| m.id == "squawk/unused-ignore"));
    }

    #[test]
    fn runs_squawk_with_its_messages() {
        let sql = "CREATE INDEX users_email ON users (email);";
        let parse = squawk_syntax::SourceFile::parse(sql);
        let v = lint(&parse, sql, &|id| !is_opt_in(id));
        assert_eq!(
            v.len(),
            1,
            "{:?}",
            v.iter().map(|v| v.id).collect::<Vec<_>>()
        );
        assert_eq!(v[0].id, "squawk/require-concurrent-index-creation");
        assert!(v[0].message.contains("blocked"), "{}", v[0].message);
        let v = lint(&parse, sql, &|_| false);
        assert!(v.is_empty());
    }
}
