//! Category `migration-safety`: squawk's migration rules (locks, rewrites, backwards
//! compatibility), run as the `squawk` rule group, and the order of a migrations folder.

pub mod migration_order;
pub mod squawk;
