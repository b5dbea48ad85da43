//! Category `suppression`: dbguard's own suppressions must be honest. The rules are reported by
//! the suppress stage (`src/suppress.rs`), which reads the directives; these files hold their
//! metadata and documentation.

pub mod forbidden_suppression;
pub mod suppression_without_reason;
pub mod unknown_rule_in_suppression;
pub mod unused_suppression;

use super::RuleMeta;

/// The family's rules, in catalogue order.
pub static METAS: &[&RuleMeta] = &[
    &suppression_without_reason::META,
    &unused_suppression::META,
    &unknown_rule_in_suppression::META,
    &forbidden_suppression::META,
];
