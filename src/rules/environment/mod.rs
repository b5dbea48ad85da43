//! Category `environment`: code that lets tests and scripts reach the production database
//! through its environment variables. See each rule's file; [`js`] holds what they share.

pub mod env_fallback_to_production;
pub mod js;
pub mod missing_environment_guard;
pub mod test_reads_production_env;

use super::FileRule;

/// The family's file rules, in catalogue order.
pub static RULES: &[&dyn FileRule] = &[
    &test_reads_production_env::Rule,
    &env_fallback_to_production::Rule,
    &missing_environment_guard::Rule,
];
