//! Category `access-control`: Row Level Security switched off or missing, policies and grants
//! that let anyone write, functions that run with their owner's rights unsafely. These matter
//! where tables are exposed through an API (Supabase/PostgREST) or where a project relies on
//! RLS.

pub(crate) mod dynamic_sql_concatenation;
mod grant_write_to_anon;
mod permissive_write_policy;
mod rls_disabled;
mod security_definer_without_search_path;
pub mod table_without_rls;

use super::{Severity, SqlHit, SqlRule};
use crate::sql::{SqlContext, SqlNode};

pub static RULES: &[&dyn SqlRule] = &[
    &rls_disabled::Rule,
    &permissive_write_policy::Rule,
    &grant_write_to_anon::Rule,
    &security_definer_without_search_path::Rule,
    &dynamic_sql_concatenation::Rule,
];

/// The common verdict: the rule's severity, `info` in test files (a test may set up an
/// insecure fixture on purpose); the function is named when the statement is in its body.
pub(crate) fn verdict(node: &SqlNode, cx: &SqlContext, severity: Severity, what: String) -> SqlHit {
    let mut message = what;
    if let Some(f) = node.in_function() {
        message.push_str(&format!(" (in the body of function `{f}`)"));
    }
    let severity = if cx.role.test {
        message.push_str("; in a test file");
        Severity::Info
    } else if severity == Severity::Error && cx.in_down_migration(&node.range()) {
        message.push_str("; in a down migration");
        Severity::Warning
    } else {
        severity
    };
    SqlHit {
        severity,
        message,
        span: node.range(),
    }
}

/// Lowercased identifiers of a role list (`anon`, `public`, `"Anon"` keeps its case).
pub(crate) fn roles(list: &squawk_syntax::SyntaxNode) -> Vec<String> {
    list.children()
        .filter(|c| c.kind() == squawk_syntax::SyntaxKind::ROLE_REF)
        .map(|r| {
            let t = crate::sql::compact(&r);
            match t.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
                Some(q) => q.to_string(),
                None => t.to_ascii_lowercase(),
            }
        })
        .collect()
}
