//! Category `bypass`: escape hatches that switch a safety check off (see each rule's file).
//!
//! The name grammar shared by the rules lives here: [`bypass_name`] says whether an
//! environment variable (or a `--flag`, spelled as a variable) reads as "turn the safety off".

mod auto_confirm_destructive;
mod bypass_variable;
mod hook_bypass;

use super::{CommandRule, FileRule};

/// The family's command rules (commands that set or skip a safety switch).
pub static COMMAND_RULES: &[&dyn CommandRule] =
    &[&hook_bypass::Rule, &auto_confirm_destructive::Rule];

/// The family's file rules (code that reads a safety switch).
pub static RULES: &[&dyn FileRule] = &[&bypass_variable::Rule];

/// Verbs that switch something off, before or after the thing (`SKIP_DB_GUARD`,
/// `DB_GUARD_DISABLED`, `SAFETY_OFF`).
const OFF_VERBS: &[&str] = &[
    "SKIP",
    "SKIPPED",
    "BYPASS",
    "BYPASSED",
    "DISABLE",
    "DISABLED",
    "OVERRIDE",
    "OVERRIDDEN",
    "IGNORE",
    "IGNORED",
    "OFF",
];

/// Words that name a safety mechanism on their own.
const SAFETY_WORDS: &[&str] = &[
    "SAFETY",
    "SAFEGUARD",
    "SAFEGUARDS",
    "GUARDRAIL",
    "GUARDRAILS",
    "PROTECTION",
    "PROTECTIONS",
    "PROTECT",
    "CONFIRM",
    "CONFIRMATION",
    "CONFIRMATIONS",
    "PROMPT",
    "PROMPTS",
    "FINGERPRINT",
    "FINGERPRINTS",
    "DESTRUCTIVE",
    "DANGER",
    "DANGEROUS",
    // Row level security: the check that keeps one tenant's rows from another.
    "RLS",
];

/// Words that name a check, safety-related only next to a database word
/// (`SKIP_DB_CHECK`, not `SKIP_PREFLIGHT_CHECK` or `BYPASS_PREMIUM_CHECKS`).
const CHECK_WORDS: &[&str] = &[
    "CHECK",
    "CHECKS",
    "VALIDATION",
    "VALIDATIONS",
    "VALIDATE",
    "VERIFY",
    "VERIFICATION",
    "ASSERT",
    "ASSERTION",
    "ASSERTIONS",
    "WARNING",
    "WARNINGS",
];

/// Words that put a check in the database's domain.
const DB_WORDS: &[&str] = &[
    "DB",
    "DATABASE",
    "MIGRATION",
    "MIGRATIONS",
    "MIGRATE",
    "SCHEMA",
    "PROD",
    "PRODUCTION",
];

/// What `FORCE_…` must be followed by.
const FORCE_OBJECTS: &[&str] = &[
    "PROD",
    "PRODUCTION",
    "RESET",
    "DROP",
    "MIGRATE",
    "MIGRATION",
    "WIPE",
    "TRUNCATE",
    "DESTRUCTIVE",
];

/// Things that are not a safety check: a safety or check word next to one of them names that
/// thing (`SKIP_CONFIRMATION_EMAIL` skips an email, `DISABLE_PROMPT_CACHING` an LLM cache).
const OTHER_OBJECTS: &[&str] = &[
    "EMAIL",
    "EMAILS",
    "MAIL",
    "MAILS",
    "SMS",
    "MESSAGE",
    "MESSAGES",
    "NOTIFICATION",
    "NOTIFICATIONS",
    "TEMPLATE",
    "TEMPLATES",
    "CACHE",
    "CACHING",
    "CACHED",
    "INLINE",
    "EVAL",
    "HASH",
    "HASHES",
];

/// What an AI coding agent's approval step is called (`--dangerously-skip-permissions`,
/// `--dangerously-bypass-approvals-and-sandbox`): safety words after `DANGEROUSLY` only.
const AGENT_WORDS: &[&str] = &[
    "PERMISSION",
    "PERMISSIONS",
    "APPROVAL",
    "APPROVALS",
    "SANDBOX",
];

/// Which part of the grammar a name matched (for tests and messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    /// A switch-off verb (`SKIP_`, `…_DISABLED`, `…_OFF`) or `NO_` first, with a safety word.
    SwitchOff,
    /// `ALLOW_*_PROD*`, `ALLOW_*_DESTRUCTIVE*`, `ALLOW_UNSAFE_*` with a database word,
    /// `ALLOW_*_DATA_LOSS`.
    Allow,
    /// `FORCE_` + PROD/RESET/DROP/MIGRATE….
    Force,
    /// `UNSAFE_*` with a database word.
    Unsafe,
    /// `DANGEROUSLY_` + a switch-off verb + a safety or agent-approval word.
    Dangerously,
    /// `I_KNOW_WHAT_I_AM_DOING` and its kin.
    IKnow,
    /// `PRISMA_USER_CONSENT_FOR_DANGEROUS_AI_ACTION`.
    PrismaConsent,
}

/// Whether an environment variable name reads as a switch that turns a safety check off.
/// Only upper-case names count (`skipLoading` is a program variable, not a switch).
pub(crate) fn bypass_name(name: &str) -> Option<Form> {
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
    {
        return None;
    }
    if name == "PRISMA_USER_CONSENT_FOR_DANGEROUS_AI_ACTION" {
        return Some(Form::PrismaConsent);
    }
    let t: Vec<&str> = name.split('_').filter(|t| !t.is_empty()).collect();
    let has = |w: &str| t.contains(&w);
    let seq = |s: &[&str]| t.windows(s.len()).any(|w| w == s);
    if t.starts_with(&["I", "KNOW"])
        || t.starts_with(&["YES", "I"])
        || t.starts_with(&["IM", "SURE"])
        || seq(&["I", "UNDERSTAND"])
        || seq(&["I", "AM", "SURE"])
    {
        return Some(Form::IKnow);
    }
    let any_of = |words: &[&str]| t.iter().any(|x| words.contains(x));
    // A safety or check word counts unless a neighbour names another object.
    let beside_other = |i: usize| {
        (i > 0 && OTHER_OBJECTS.contains(&t[i - 1]))
            || t.get(i + 1).is_some_and(|x| OTHER_OBJECTS.contains(x))
    };
    let counts = |pred: &dyn Fn(&str) -> bool| {
        t.iter()
            .enumerate()
            .any(|(i, x)| pred(x) && !beside_other(i))
    };
    let safety =
        counts(&|x| SAFETY_WORDS.contains(&x) || x.ends_with("GUARD") || x.ends_with("GUARDS"));
    let db = any_of(DB_WORDS);
    let db_check = db && counts(&|x| CHECK_WORDS.contains(&x));
    let prod_lock = (has("PROD") || has("PRODUCTION")) && (has("LOCK") || has("LOCKS"));
    if t.first() == Some(&"DANGEROUSLY") {
        let verb = t.get(1).is_some_and(|x| OFF_VERBS.contains(x));
        if verb && (safety || db_check || any_of(AGENT_WORDS)) {
            return Some(Form::Dangerously);
        }
        // `DANGEROUSLY_ALLOW_PROD…`: read as `ALLOW_PROD…` below.
        if t.get(1) == Some(&"ALLOW") {
            if let Some(Form::Allow) = bypass_name(&t[1..].join("_")) {
                return Some(Form::Dangerously);
            }
        }
    }
    let off = any_of(OFF_VERBS) || (t.first() == Some(&"NO") && t.len() > 1);
    if off && (safety || db_check || prod_lock) {
        return Some(Form::SwitchOff);
    }
    if has("BYPASS") && (has("PROD") || has("PRODUCTION")) {
        return Some(Form::SwitchOff);
    }
    if t.first() == Some(&"ALLOW") {
        let rest = &t[1..];
        let prod = |x: &&str| {
            x.starts_with("PROD") && (!x.starts_with("PRODUCT") || x.starts_with("PRODUCTION"))
        };
        let unsafe_db = rest.first().is_some_and(|x| x.starts_with("UNSAFE"))
            && rest
                .iter()
                .any(|x| DB_WORDS.contains(x) || FORCE_OBJECTS.contains(x));
        if rest.iter().any(prod)
            || rest.iter().any(|x| x.starts_with("DESTRUCTIVE"))
            || unsafe_db
            || rest.windows(2).any(|w| w == ["DATA", "LOSS"])
            || rest.iter().any(|x| x.starts_with("DANGEROUS"))
            // `ALLOW_DROP_TABLES`, `ALLOW_TRUNCATE`, `ALLOW_WIPE` (not `ALLOW_PASSWORD_RESET`).
            || rest
                .first()
                .is_some_and(|x| matches!(*x, "DROP" | "TRUNCATE" | "WIPE"))
            // `ALLOW_REMOTE`, `ALLOW_REMOTE_DB` (not `ALLOW_REMOTE_IMAGES`).
            || (rest.first() == Some(&"REMOTE")
                && (rest.len() == 1 || rest[1..].iter().any(|x| DB_WORDS.contains(x))))
        {
            return Some(Form::Allow);
        }
    }
    if let Some(i) = t.iter().position(|x| *x == "FORCE") {
        if t[i + 1..].iter().any(|x| FORCE_OBJECTS.contains(x)) {
            return Some(Form::Force);
        }
    }
    if t.first() == Some(&"UNSAFE")
        && t[1..]
            .iter()
            .any(|x| DB_WORDS.contains(x) || FORCE_OBJECTS.contains(x))
    {
        return Some(Form::Unsafe);
    }
    None
}

/// True when `text` holds a name or flag of the grammar: files that do not are not parsed.
pub(crate) fn may_name_bypass(text: &str) -> bool {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .any(|t| {
            if t.starts_with("--") {
                bypass_flag(t).is_some()
            } else {
                t.split('-').any(|part| bypass_name(part).is_some())
            }
        })
}

/// Whether a command-line flag (`--skip-safety-check`, `--i-know-what-i-am-doing`) reads as a
/// bypass. Only the switch-off, `allow`, `dangerously` and "I know" forms: `--force-reset` and
/// `--unsafe-perm` are the tools' own flags, judged by other rules, and `--no-…` is how every
/// tool spells a boolean option off (`--no-prompt`, `--no-confirm`).
pub(crate) fn bypass_flag(flag: &str) -> Option<Form> {
    let name = flag.strip_prefix("--")?;
    let name = name.split('=').next().unwrap_or(name);
    if name.is_empty()
        || !name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
        || name.starts_with("no-")
    {
        return None;
    }
    let upper = name.replace('-', "_").to_ascii_uppercase();
    bypass_name(&upper).filter(|f| {
        matches!(
            f,
            Form::SwitchOff | Form::Allow | Form::Dangerously | Form::IKnow
        )
    })
}

/// A value that leaves the switch off (`SKIP_DB_GUARD=0`): setting it bypasses nothing.
pub(crate) fn value_is_off(value: &str) -> bool {
    let v = value.trim().to_ascii_lowercase();
    matches!(v.as_str(), "" | "0" | "false" | "no" | "off" | "n")
}

/// The name is listed in `[bypass] allow`.
pub(crate) fn allowed(config: &crate::config::Config, name: &str) -> bool {
    config.bypass_allow.iter().any(|a| a == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_grammar() {
        for (name, form) in [
            ("SKIP_DB_GUARD", Form::SwitchOff),
            ("BYPASS_SAFETY", Form::SwitchOff),
            ("BYPASS_FINGERPRINT", Form::SwitchOff),
            ("SKIP_CONFIRMATION", Form::SwitchOff),
            ("SKIP_PROD_CHECK", Form::SwitchOff),
            ("SKIP_MIGRATION_CHECKS", Form::SwitchOff),
            ("DISABLE_DATABASE_ENVIRONMENT_CHECK", Form::SwitchOff),
            ("DISABLE_SAFETY_CHECKS", Form::SwitchOff),
            ("DBGUARD_SKIP", Form::SwitchOff),
            ("PROD_GUARD_DISABLE", Form::SwitchOff),
            ("BYPASS_PROD", Form::SwitchOff),
            ("IGNORE_DESTRUCTIVE_WARNING", Form::SwitchOff),
            ("ALLOW_PROD_RESET", Form::Allow),
            ("ALLOW_SEED_IN_PRODUCTION", Form::Allow),
            ("ALLOW_DESTRUCTIVE_MIGRATIONS", Form::Allow),
            ("ALLOW_UNSAFE_MIGRATIONS", Form::Allow),
            ("ALLOW_DATA_LOSS", Form::Allow),
            ("FORCE_PROD_RESET", Form::Force),
            ("FORCE_DROP", Form::Force),
            ("UNSAFE_MIGRATIONS", Form::Unsafe),
            ("UNSAFE_DB_RESET", Form::Unsafe),
            ("ALLOW_UNSAFE_SCHEMA_CHANGES", Form::Allow),
            ("DISABLE_RLS_CHECK", Form::SwitchOff),
            ("BYPASS_RLS", Form::SwitchOff),
            ("SKIP_RLS", Form::SwitchOff),
            ("ALLOW_DROP_TABLES", Form::Allow),
            ("ALLOW_REMOTE", Form::Allow),
            ("ALLOW_REMOTE_DATABASE", Form::Allow),
            ("ALLOW_TRUNCATE", Form::Allow),
            ("DANGEROUSLY_ALLOW_PROD", Form::Dangerously),
            // The verb after the thing, or `NO_` first.
            ("DB_GUARD_DISABLED", Form::SwitchOff),
            ("PROD_CHECKS_OFF", Form::SwitchOff),
            ("SAFETY_OFF", Form::SwitchOff),
            ("CONFIRMATION_SKIPPED", Form::SwitchOff),
            ("MIGRATION_CHECKS_BYPASSED", Form::SwitchOff),
            ("NO_DB_GUARD", Form::SwitchOff),
            ("NO_CONFIRM", Form::SwitchOff),
            // Warnings are a check next to a database word.
            ("IGNORE_PROD_WARNING", Form::SwitchOff),
            ("SKIP_MIGRATION_WARNINGS", Form::SwitchOff),
            // A production lock is a safety lock.
            ("DISABLE_PROD_LOCK", Form::SwitchOff),
            // AI agents' approval steps.
            ("DANGEROUSLY_SKIP_PERMISSIONS", Form::Dangerously),
            (
                "DANGEROUSLY_BYPASS_APPROVALS_AND_SANDBOX",
                Form::Dangerously,
            ),
            ("DANGEROUSLY_SKIP_DB_CHECKS", Form::Dangerously),
            // Forcing a migration past a load check still forces it.
            ("FORCE_MIGRATE_UNDER_LOAD", Form::Force),
            // The other object word is not beside the safety word.
            ("SKIP_SAFETY_CHECK_FOR_EMAIL", Form::SwitchOff),
            ("I_KNOW_WHAT_I_AM_DOING", Form::IKnow),
            ("I_KNOW_WHAT_IM_DOING", Form::IKnow),
            ("YES_I_AM_SURE", Form::IKnow),
            ("YES_I_REALLY_WANT_TO_DELETE", Form::IKnow),
            ("I_UNDERSTAND_THE_RISKS", Form::IKnow),
            (
                "PRISMA_USER_CONSENT_FOR_DANGEROUS_AI_ACTION",
                Form::PrismaConsent,
            ),
        ] {
            assert_eq!(bypass_name(name), Some(form), "{name}");
        }
        for name in [
            "SKIP_ENV_VALIDATION",
            "SKIP_PREFLIGHT_CHECK",
            "BYPASS_PREMIUM_CHECKS",
            "SKIP_DB_MIGRATION",
            "SKIP_MIGRATIONS",
            "SKIP_SEED",
            "SKIP_PROD_DEPLOY",
            "SKIP_DB_RESET",
            "S3_FORCE_PATH_STYLE",
            "FORCE_COLOR",
            "ALLOW_ORIGINS",
            "ALLOW_PASSWORD_RESET",
            "ALLOW_REMOTE_IMAGES",
            "ALLOW_DELETE_ACCOUNT",
            "ALLOW_PRODUCT_REVIEWS",
            "ALLOW_SEED",
            "DANGEROUSLY_DISABLE_HOST_CHECK",
            "DISABLE_ESLINT_PLUGIN",
            "DISABLE_TYPE_CHECK",
            "NPM_CONFIG_UNSAFE_PERM",
            "UNSAFE",
            "UNSAFE_MODE",
            // Other objects beside the safety word: an email, an LLM cache, CSP keywords.
            "DISABLE_PROMPT_CACHING",
            "SKIP_CONFIRMATION_EMAIL",
            "SKIP_CONFIRMATION_EMAILS",
            "SKIP_EMAIL_CONFIRMATION",
            "DISABLE_SMS_CONFIRMATION",
            "CONFIRMATION_EMAIL_DISABLED",
            "DISABLE_PROMPT_TEMPLATE_CACHE",
            "UNSAFE_INLINE",
            "UNSAFE_EVAL",
            "UNSAFE_HASHES",
            "ALLOW_UNSAFE_EVAL",
            "ALLOW_UNSAFE_INLINE",
            "CSP_ALLOW_UNSAFE_INLINE",
            // Migration and advisory locks are concurrency control, documented tool settings.
            "DISABLE_MIGRATION_LOCK",
            "PRISMA_SCHEMA_DISABLE_ADVISORY_LOCK",
            "SKIP_DB_LOCK",
            // Permissions without `DANGEROUSLY`: product authorisation flags.
            "SKIP_PERMISSIONS",
            "BYPASS_PERMISSION_CHECKS",
            "NODE_NO_WARNINGS",
            "NO_COLOR",
            "NO_UPDATE_NOTIFIER",
            "DISABLE_WARNINGS",
            "TURN_OFF_LIGHTS",
            "skipLoading",
            "Skip_Db_Guard",
            "HUSKY",
            "SKIP",
            "NODE_ENV",
        ] {
            assert_eq!(bypass_name(name), None, "{name}");
        }
    }

    #[test]
    fn flag_grammar() {
        for f in [
            "--skip-safety-check",
            "--bypass-guard",
            "--i-know-what-i-am-doing",
            "--yes-i-am-sure",
            "--dangerously-skip-permissions",
            "--dangerously-bypass-approvals-and-sandbox",
            "--db-guard-off",
            "--allow-prod",
            "--skip-confirmation=true",
        ] {
            assert!(bypass_flag(f).is_some(), "{f}");
        }
        for f in [
            "--force-reset",
            "--unsafe-perm",
            "--skip-seed",
            "--skip-generate",
            "--no-verify",
            "-y",
            "--force",
            "--skip-checks",
            "--no-confirm",
            "--no-prompt",
            "--no-db-guard",
            "--dangerously-disable-host-check",
            "skip-safety-check",
        ] {
            assert!(bypass_flag(f).is_none(), "{f}");
        }
    }

    #[test]
    fn off_values() {
        for v in ["0", "false", "", "No", "off"] {
            assert!(value_is_off(v), "{v}");
        }
        for v in ["1", "true", "yes", "$X"] {
            assert!(!value_is_off(v), "{v}");
        }
    }
}
