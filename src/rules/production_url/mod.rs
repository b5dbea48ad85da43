//! Category `production-url`: see each rule's file.

use super::FileRule;

/// The family's file rules, in catalogue order.
pub static RULES: &[&dyn FileRule] = &[];
