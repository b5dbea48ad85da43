//! Category `bypass`: see each rule's file.

use super::{CommandRule, FileRule};

/// The family's command rules (commands that set or skip a safety switch).
pub static COMMAND_RULES: &[&dyn CommandRule] = &[];

/// The family's file rules (code that reads a safety switch).
pub static RULES: &[&dyn FileRule] = &[];
