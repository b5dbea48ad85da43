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

/// Verbs that switch something off.
const OFF_VERBS: &[&str] = &["SKIP", "BYPASS", "DISABLE", "OVERRIDE", "IGNORE"];

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
    "LOCK",
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

/// Which part of the grammar a name matched (for tests and messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    /// `SKIP_`/`BYPASS_`/`DISABLE_`/`OVERRIDE_`/`IGNORE_` + a safety word.
    SwitchOff,
    /// `ALLOW_*_PROD*`, `ALLOW_*_DESTRUCTIVE*`, `ALLOW_UNSAFE*`, `ALLOW_*_DATA_LOSS`.
    Allow,
    /// `FORCE_` + PROD/RESET/DROP/MIGRATE….
    Force,
    /// `UNSAFE_*`.
    Unsafe,
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
    let guard = t
        .iter()
        .any(|x| x.ends_with("GUARD") || x.ends_with("GUARDS"));
    let safety = any_of(SAFETY_WORDS) || guard;
    let db_check = any_of(CHECK_WORDS) && any_of(DB_WORDS);
    if any_of(OFF_VERBS) && (safety || db_check) {
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
        if rest.iter().any(prod)
            || rest.iter().any(|x| x.starts_with("DESTRUCTIVE"))
            || rest.first().is_some_and(|x| x.starts_with("UNSAFE"))
            || rest.windows(2).any(|w| w == ["DATA", "LOSS"])
            || rest.iter().any(|x| x.starts_with("DANGEROUS"))
        {
            return Some(Form::Allow);
        }
    }
    if let Some(i) = t.iter().position(|x| *x == "FORCE") {
        if t[i + 1..].iter().any(|x| FORCE_OBJECTS.contains(x)) {
            return Some(Form::Force);
        }
    }
    if t.first() == Some(&"UNSAFE") && t.len() > 1 {
        return Some(Form::Unsafe);
    }
    None
}

/// Whether a command-line flag (`--skip-safety-check`, `--i-know-what-i-am-doing`) reads as a
/// bypass. Only the switch-off, `allow` and "I know" forms: `--force-reset` and `--unsafe-perm`
/// are the tools' own flags, judged by other rules.
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

pub(crate) fn bypass_flag(flag: &str) -> Option<Form> {
    let name = flag.strip_prefix("--")?;
    let name = name.split('=').next().unwrap_or(name);
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-') {
        return None;
    }
    let upper = name.replace('-', "_").to_ascii_uppercase();
    bypass_name(&upper).filter(|f| matches!(f, Form::SwitchOff | Form::Allow | Form::IKnow))
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
            ("UNSAFE_MODE", Form::Unsafe),
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
            "ALLOW_PRODUCT_REVIEWS",
            "ALLOW_SEED",
            "DANGEROUSLY_DISABLE_HOST_CHECK",
            "DISABLE_ESLINT_PLUGIN",
            "DISABLE_TYPE_CHECK",
            "NPM_CONFIG_UNSAFE_PERM",
            "UNSAFE",
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
