use std::ops::Range;

use tree_sitter::Node;

use super::{allowed, bypass_flag, bypass_name, value_is_off};
use crate::fragment::Body;
use crate::lang::FileKind;
use crate::rules::{Category, FileHit, FileInput, FileRule, RuleDoc, RuleMeta, Severity};

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "bypass-variable",
    category: Category::Bypass,
    severity: Severity::Error,
    summary: "an environment variable or flag that switches a safety check off (`SKIP_DB_GUARD`, `ALLOW_PROD_RESET`, `--i-know-what-i-am-doing`)",
    help: "remove the escape hatch and make the guarded operation safe by construction (pin the target database); if the switch must stay, list it in `[bypass] allow` in dbguard.toml and say why there",
    literals: &[
        "skip", "bypass", "allow_", "allow-", "disable", "override", "ignore", "force_",
        "unsafe_", "i_know", "i-know", "yes_i", "yes-i", "im_sure", "im-sure", "understand",
        "i_am_sure", "i-am-sure", "user_consent_for_dangerous", "overridden", "_off", "-off", "no_",
    ],
    doc: RuleDoc {
        what: "An upper-case environment variable whose name says \"turn the safety off\", where code reads it (`process.env.X`, `process.env[\"X\"]`, `const { X } = process.env`, `import.meta.env.X`, `Bun.env.X`, in JS/TS) or where a host sets it: inline for a command (`X=1 node …`, `cross-env X=1 …`, `env X=1 …`), `export X=1` or `X=1` in a script, package.json script, CI `run:` step, Makefile recipe or Dockerfile `RUN`; the keys of CI `env:`/`variables:` blocks; Dockerfile `ENV` and `ARG`; Makefile `export X=1`. Also a command-line flag with such a name passed to a command (`--skip-safety-check`) or compared in JS/TS (`argv.includes('--i-know-what-i-am-doing')`).\n\nThe name grammar (split on `_`; for flags, on `-`): (1) a switch-off verb `SKIP(PED)`, `BYPASS(ED)`, `DISABLE(D)`, `OVERRIDE`/`OVERRIDDEN`, `IGNORE(D)` or `OFF` anywhere (`SKIP_DB_GUARD`, `DB_GUARD_DISABLED`, `SAFETY_OFF`), or `NO` as the first word (`NO_DB_GUARD`), together with a safety word (`SAFETY`, `SAFEGUARD(S)`, `GUARDRAIL(S)`, any word ending in `GUARD(S)` such as `DBGUARD`, `PROTECT`, `PROTECTION(S)`, `CONFIRM`, `CONFIRMATION(S)`, `PROMPT(S)`, `FINGERPRINT(S)`, `DESTRUCTIVE`, `DANGER(OUS)`, `RLS`), or with a check word (`CHECK(S)`, `VALIDATE`, `VALIDATION(S)`, `VERIFY`, `VERIFICATION`, `ASSERT(ION)(S)`, `WARNING(S)`) *and* a database word (`DB`, `DATABASE`, `MIGRATE`, `MIGRATION(S)`, `SCHEMA`, `PROD`, `PRODUCTION`), or with `LOCK(S)` and `PROD`/`PRODUCTION`; a safety or check word right before or after a word that names another object (`EMAIL(S)`, `MAIL(S)`, `SMS`, `MESSAGE(S)`, `NOTIFICATION(S)`, `TEMPLATE(S)`, `CACHE`, `CACHING`, `CACHED`, `INLINE`, `EVAL`, `HASH(ES)`) does not count (`SKIP_CONFIRMATION_EMAIL` skips an email); `BYPASS` with `PROD`/`PRODUCTION` alone also counts; (2) `ALLOW_` first, followed by a `PROD`/`PRODUCTION…` word (not `PRODUCT…`), a `DESTRUCTIVE…` or `DANGEROUS…` word, `UNSAFE…` right after `ALLOW` with a database word or a `FORCE` object (below) later in the name, `DATA_LOSS`, `DROP`/`TRUNCATE`/`WIPE` right after `ALLOW` (`ALLOW_DROP_TABLES`; not `ALLOW_PASSWORD_RESET`), or `REMOTE` alone or with a database word (`ALLOW_REMOTE`, `ALLOW_REMOTE_DB`; not `ALLOW_REMOTE_IMAGES`); (3) `FORCE` followed by `PROD`, `PRODUCTION`, `RESET`, `DROP`, `MIGRATE`, `MIGRATION`, `WIPE`, `TRUNCATE` or `DESTRUCTIVE`; (4) `UNSAFE_` first, with a database word or a `FORCE` object later in the name (`UNSAFE_MIGRATIONS`); (5) `DANGEROUSLY_` first, then a switch-off verb, with a safety word, a check word and a database word, or an AI agent's approval word (`PERMISSION(S)`, `APPROVAL(S)`, `SANDBOX`: `--dangerously-skip-permissions`), or then a form-(2) `ALLOW_…` name (`DANGEROUSLY_ALLOW_PROD`); (6) \"I know\" names: starting with `I_KNOW_` (`I_KNOW_WHAT_I_AM_DOING`), `YES_I_` (`YES_I_AM_SURE`) or `IM_SURE`, or containing `I_UNDERSTAND` or `I_AM_SURE`; (7) `PRISMA_USER_CONSENT_FOR_DANGEROUS_AI_ACTION`. Flags count for forms (1), (2), (5) and (6) only, and not when they start with `--no-`: `--force-reset` and `--unsafe-perm` belong to their tools and to other rules, and `--no-prompt`/`--no-confirm` is how every tool spells its own option off.\n\nClean by design (look-alikes from real code): `SKIP_ENV_VALIDATION` (t3 apps skip the zod schema of their env at build time; no database word), `SKIP_PREFLIGHT_CHECK` (Create React App), `BYPASS_PREMIUM_CHECKS` (product flags), `SKIP_*_MIGRATION`, `SKIP_SEED`, `SKIP_PROD_DEPLOY` (skipping work is the safe direction), `DANGEROUSLY_DISABLE_HOST_CHECK` (dev server), `DISABLE_PROMPT_CACHING` (an LLM SDK setting), `SKIP_CONFIRMATION_EMAIL`, `SKIP_EMAIL_CONFIRMATION` (auth features), `UNSAFE_INLINE`, `ALLOW_UNSAFE_EVAL` (Content-Security-Policy keywords), `UNSAFE_MODE` (no database word), `DISABLE_MIGRATION_LOCK` and `PRISMA_SCHEMA_DISABLE_ADVISORY_LOCK` (a migration lock only keeps two migration runs apart; turning it off is a documented setting for databases or poolers without advisory locks, not a check of which database is targeted), `SKIP_PERMISSIONS` without `DANGEROUSLY` (product authorisation), `NODE_NO_WARNINGS`, `S3_FORCE_PATH_STYLE`, `FORCE_COLOR`, `ALLOW_ORIGINS`, `ALLOW_PRODUCT_*`, `ALLOW_SEED`, `NPM_CONFIG_UNSAFE_PERM`, camelCase names (`skipLoading`), names in comments, `echo`/`console.log` text, Markdown and `.env` files, setting a switch to `0`/`false`/`no`/`off`/empty, and a JS/TS test whose body asserts that the operation is still refused (`toThrow`, `rejects`, `assert.throws`). `FORCE_MIGRATE_UNDER_LOAD` is reported: it forces a migration past the check that holds it back. Names listed in `[bypass] allow` are clean.",
        why: "A safety check with an off switch is only as strong as the least careful place that flips it. Once `BYPASS_FINGERPRINT=1` is in a package.json script, a CI job or a test setup, the check is off for everyone who runs it, including AI agents that copy the command, and nobody reviews that line again. Teams that were burnt forbid such switches with grep tests; this rule makes that check part of the linter.",
        example: "\"db:sync\": \"BYPASS_FINGERPRINT=1 tsx scripts/sync-dev-to-prod.ts\"",
        instead: "Make the dangerous operation safe without a switch: pin the target (`DATABASE_URL` to a local or test database in the same line), keep production changes to reviewed migrations, and let the guard refuse. If a switch must exist (a documented break-glass procedure), list its exact name in `[bypass] allow` in dbguard.toml with a comment saying who may use it and when.",
    },
};

impl FileRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, input: &FileInput, out: &mut Vec<FileHit>) {
        if matches!(input.kind, FileKind::Sql | FileKind::Env) {
            return;
        }
        let mut hits: Vec<(Range<usize>, String, String)> = Vec::new();
        if let FileKind::Js(_) = input.kind {
            if !super::may_name_bypass(input.text()) {
                return;
            }
            if let Some(tree) = input.js_tree() {
                js_hits(input, tree.root_node(), &mut hits);
            }
        }
        shell_hits(input, &mut hits);
        match input.kind {
            FileKind::GithubWorkflow | FileKind::GitlabCi => ci_env_hits(input, &mut hits),
            FileKind::Dockerfile => dockerfile_hits(input, &mut hits),
            FileKind::Makefile => makefile_hits(input, &mut hits),
            _ => {}
        }
        hits.sort_by_key(|(r, _, _)| (r.start, r.end));
        let mut last_end = 0;
        for (span, name, how) in hits {
            if span.start < last_end && last_end > 0 {
                continue;
            }
            if allowed(input.config, &name) || input.in_comment(span.start) {
                continue;
            }
            last_end = span.end;
            out.push(FileHit {
                severity: META.severity,
                message: format!("`{name}` switches a safety check off: {how}"),
                span,
                help: None,
            });
        }
    }
}

type Hits = Vec<(Range<usize>, String, String)>;

/// `process.env.X`, `process.env["X"]`, `const { X } = process.env`, `import.meta.env.X`, and
/// `'--flag'` strings.
fn js_hits(input: &FileInput, root: Node, hits: &mut Hits) {
    let src = input.text();
    crate::fragment::preorder(root, |node| match node.kind() {
        "member_expression" => {
            if let (Some(obj), Some(prop)) = (
                node.child_by_field_name("object"),
                node.child_by_field_name("property"),
            ) {
                if is_env_object(obj, src) {
                    let name = &src[prop.byte_range()];
                    js_name(input, node, prop.byte_range(), name, hits);
                }
            }
        }
        "subscript_expression" => {
            if let (Some(obj), Some(index)) = (
                node.child_by_field_name("object"),
                node.child_by_field_name("index"),
            ) {
                if is_env_object(obj, src) && index.kind() == "string" {
                    if let Some(inner) = crate::fragment::quoted_inner(index, src) {
                        js_name(input, node, inner.clone(), &src[inner], hits);
                    }
                }
            }
        }
        "variable_declarator" => {
            if let (Some(pattern), Some(value)) = (
                node.child_by_field_name("name"),
                node.child_by_field_name("value"),
            ) {
                if pattern.kind() == "object_pattern" && is_env_object(value, src) {
                    let mut c = pattern.walk();
                    for p in pattern.named_children(&mut c) {
                        let key = match p.kind() {
                            "shorthand_property_identifier_pattern" => Some(p),
                            "pair_pattern" => p.child_by_field_name("key"),
                            "object_assignment_pattern" => p.child_by_field_name("left"),
                            _ => None,
                        };
                        if let Some(k) = key {
                            js_name(input, p, k.byte_range(), &src[k.byte_range()], hits);
                        }
                    }
                }
            }
        }
        "string" => {
            if let Some(inner) = crate::fragment::quoted_inner(node, src) {
                let text = &src[inner.clone()];
                if bypass_flag(text).is_some()
                    && !in_console_call(node, src)
                    && !(input.is_test && refused_in_test(node, src))
                {
                    let name = text.split('=').next().unwrap_or(text).to_string();
                    hits.push((
                        inner.start..inner.start + name.len(),
                        name,
                        "the code checks for this flag".into(),
                    ));
                }
            }
        }
        _ => {}
    });
}

fn js_name(input: &FileInput, node: Node, span: Range<usize>, name: &str, hits: &mut Hits) {
    if bypass_name(name).is_none() {
        return;
    }
    let src = input.text();
    if input.is_test && refused_in_test(node, src) {
        return;
    }
    let sets = node.parent().is_some_and(|p| {
        p.kind() == "assignment_expression"
            && p.child_by_field_name("left")
                .is_some_and(|l| l.byte_range() == node.byte_range())
    });
    let how = if sets {
        "the code sets it in `process.env`, so everything that runs after it skips the check"
    } else {
        "the code reads it, so whoever sets it skips the check"
    };
    hits.push((span, name.to_string(), how.into()));
}

/// `process.env`, `import.meta.env`, `Bun.env`.
fn is_env_object(node: Node, src: &str) -> bool {
    crate::rules::environment::js::is_env_object(node, src, &[])
}

/// Inside `console.log(…)` (or any `console.*` call): text for a human.
fn in_console_call(node: Node, src: &str) -> bool {
    let mut n = node;
    for _ in 0..4 {
        let Some(p) = n.parent() else { return false };
        if p.kind() == "call_expression" {
            return p
                .child_by_field_name("function")
                .is_some_and(|f| src[f.byte_range()].starts_with("console."));
        }
        n = p;
    }
    false
}

/// Inside a test (`it(…)`/`test(…)`) whose body asserts that something is refused.
fn refused_in_test(node: Node, src: &str) -> bool {
    let mut n = node;
    while let Some(p) = n.parent() {
        n = p;
        if p.kind() != "call_expression" {
            continue;
        }
        let Some(f) = p.child_by_field_name("function") else {
            continue;
        };
        let name = &src[f.byte_range()];
        let base = name.split('.').next().unwrap_or(name);
        if matches!(base, "it" | "test") {
            let body = &src[p.byte_range()];
            let refusal = body.contains("toThrow")
                || body.contains(".rejects")
                || body.contains("assert.throws")
                || body.contains("assert.rejects");
            return refusal && !body.contains(".not.toThrow");
        }
    }
    false
}

/// Assignments in the file's shell code (`X=1 cmd`, `export X=1`), wrapper environments
/// (`cross-env X=1`, `bash -c "X=1 …"`) and bypass flags passed to commands.
fn shell_hits(input: &FileInput, hits: &mut Hits) {
    let text = input.text();
    for frag in crate::engine::fragments(
        input.kind,
        text,
        &input.source.display,
        &input.config.guard_functions,
    ) {
        let Body::Shell { text: code, map } = &frag.body else {
            continue;
        };
        if frag.refused_in_test {
            continue;
        }
        let Some(tree) = crate::shell::parse_bash(code) else {
            continue;
        };
        crate::fragment::preorder(tree.root_node(), |node| {
            if node.kind() == "variable_assignment" {
                if let Some(name) = node.child_by_field_name("name") {
                    let n = &code[name.byte_range()];
                    let value = node
                        .child_by_field_name("value")
                        .map(|v| crate::shell::words::unquote(code, map, v.byte_range()).text)
                        .unwrap_or_default();
                    if bypass_name(n).is_some() && !value_is_off(&value) {
                        let span = map.range_to_host(name.byte_range());
                        hits.push((
                            span,
                            n.to_string(),
                            format!("the script sets `{n}={value}`"),
                        ));
                    }
                }
            }
        });
    }
    for cmd in input.commands() {
        if cmd.refused_in_test {
            continue;
        }
        let what = crate::rules::destructive_command::command_text(cmd);
        for (name, value) in &cmd.env {
            if bypass_name(name).is_none() || value_is_off(&value.text) {
                continue;
            }
            let start = value.span.start.saturating_sub(name.len() + 1);
            if text.get(start..start + name.len()) != Some(name.as_str()) {
                continue;
            }
            hits.push((
                start..start + name.len(),
                name.clone(),
                format!("`{what}` runs with `{name}={}`", value.text),
            ));
        }
        for w in cmd.args() {
            let t = w.text.as_str();
            if bypass_flag(t).is_none() {
                continue;
            }
            let name = t.split('=').next().unwrap_or(t);
            let start = w.map.to_host(0);
            let span = if text.get(start..start + name.len()) == Some(name) {
                start..start + name.len()
            } else {
                w.span.clone()
            };
            hits.push((
                span,
                name.to_string(),
                format!("`{what}` is run with `{name}`"),
            ));
        }
    }
}

/// Upper-case names followed by `:` in the file's lines, with the line's start offset.
fn yaml_keys(line: &str) -> Vec<(usize, &str, &str)> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        while i < b.len() && (b[i].is_ascii_uppercase() || b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
        let boundary =
            start == 0 || !(b[start - 1].is_ascii_alphanumeric() || b[start - 1] == b'_');
        if i > start && boundary && i < b.len() && b[i] == b':' {
            let after = &line[i + 1..];
            if after.is_empty() || after.starts_with([' ', '\t']) {
                let value = after
                    .split([',', '}', '#'])
                    .next()
                    .unwrap_or("")
                    .trim()
                    .trim_matches(['"', '\'']);
                out.push((start, &line[start..i], value));
            }
        }
        if i == start {
            i += 1;
        }
    }
    out
}

/// Keys of CI `env:` (GitHub) and `variables:` (GitLab) blocks.
fn ci_env_hits(input: &FileInput, hits: &mut Hits) {
    let text = input.text();
    let lines: Vec<(usize, &str)> = line_offsets(text);
    for (li, &(off, line)) in lines.iter().enumerate() {
        for (col, name, value) in yaml_keys(line) {
            if bypass_name(name).is_none() || value_is_off(value) {
                continue;
            }
            let before = &line[..col];
            let flow = ["env:", "variables:"]
                .iter()
                .any(|k| before.find(k).is_some_and(|i| before[i..].contains('{')));
            let block = before.trim_start_matches([' ', '-']).is_empty()
                && parent_key(&lines, li, input).is_some_and(|k| k == "env" || k == "variables");
            if flow || block {
                let block_name = if input.kind == FileKind::GitlabCi {
                    "variables:"
                } else {
                    "env:"
                };
                hits.push((
                    off + col..off + col + name.len(),
                    name.to_string(),
                    format!("the CI `{block_name}` block sets it to `{value}` for every command of its scope"),
                ));
            }
        }
    }
}

fn line_offsets(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut off = 0;
    for line in text.split_inclusive('\n') {
        out.push((off, line.trim_end_matches(['\n', '\r'])));
        off += line.len();
    }
    out
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches([' ', '-']).len()
}

/// The key of the nearest less-indented line above line `li`.
fn parent_key<'t>(lines: &[(usize, &'t str)], li: usize, input: &FileInput) -> Option<&'t str> {
    let own = indent(lines[li].1);
    for &(off, line) in lines[..li].iter().rev() {
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('#') || input.in_comment(off + line.len() - t.len()) {
            continue;
        }
        if indent(line) < own {
            let t = t.trim_start_matches([' ', '-']);
            let key = t.split(':').next()?.trim();
            return t.trim_end().ends_with(':').then_some(key);
        }
    }
    None
}

/// Dockerfile `ENV A=1 B=2`, `ENV A 1`, `ARG A`, `ARG A=1`.
fn dockerfile_hits(input: &FileInput, hits: &mut Hits) {
    for (off, line) in line_offsets(input.text()) {
        let t = line.trim_start();
        let lead = line.len() - t.len();
        let Some(instr) = t.get(..4) else { continue };
        let instr = instr.to_ascii_uppercase();
        if !(instr == "ENV " || instr == "ARG ") {
            continue;
        }
        let body = &t[4..];
        let base = off + lead + 4;
        let legacy = instr == "ENV " && !body.split_whitespace().next().unwrap_or("").contains('=');
        let mut pos = 0;
        for tok in body.split(' ') {
            let here = pos;
            pos += tok.len() + 1;
            if tok.is_empty() {
                continue;
            }
            let (name, value) = match tok.split_once('=') {
                Some((n, v)) => (n, v.trim_matches(['"', '\''])),
                None if legacy => (tok, body[here + tok.len()..].trim()),
                None if instr == "ARG " => (tok, "(a build argument)"),
                None => continue,
            };
            if bypass_name(name).is_some() && !value_is_off(value) {
                let what = if instr == "ENV " { "ENV" } else { "ARG" };
                hits.push((
                    base + here..base + here + name.len(),
                    name.to_string(),
                    format!("the Dockerfile's `{what}` sets it for every later step"),
                ));
            }
            if legacy {
                break;
            }
        }
    }
}

/// Makefile `export X=1` / `export X := 1` outside recipes.
fn makefile_hits(input: &FileInput, hits: &mut Hits) {
    for (off, line) in line_offsets(input.text()) {
        let Some(rest) = line.strip_prefix("export ") else {
            continue;
        };
        let name_len = rest
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        let name = &rest[..name_len];
        let value = rest[name_len..]
            .trim_start()
            .trim_start_matches([':', '?', '+'])
            .strip_prefix('=')
            .map(str::trim);
        let Some(value) = value else { continue };
        if bypass_name(name).is_some() && !value_is_off(value) {
            let start = off + "export ".len();
            hits.push((
                start..start + name_len,
                name.to_string(),
                "the Makefile exports it to every recipe".into(),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::lang::JsDialect;
    use crate::source::SourceFile;

    fn run(kind: FileKind, rel: &str, src: &str, allow: &[&str]) -> Vec<String> {
        let mut config = Config::default_at("/repo".into());
        config.bypass_allow = allow.iter().map(|s| s.to_string()).collect();
        let source = SourceFile::new(rel.into(), std::path::PathBuf::from(rel), src.into());
        let is_test = rel.contains(".test.");
        let input = FileInput::new(&source, kind, rel, &config, is_test, false);
        let mut out = Vec::new();
        Rule.check(&input, &mut out);
        out.iter()
            .map(|h| src[h.span.clone()].to_string())
            .collect()
    }

    fn js(src: &str) -> Vec<String> {
        run(
            FileKind::Js(JsDialect::TypeScript),
            "scripts/x.ts",
            src,
            &[],
        )
    }

    #[test]
    fn js_reads_and_writes() {
        assert_eq!(js("if (process.env.SKIP_DB_GUARD) {}"), ["SKIP_DB_GUARD"]);
        assert_eq!(
            js("if (process.env.BYPASS_SAFETY === '1') return;"),
            ["BYPASS_SAFETY"]
        );
        assert_eq!(
            js("const x = process.env[\"ALLOW_PROD_RESET\"];"),
            ["ALLOW_PROD_RESET"]
        );
        assert_eq!(
            js("const { I_KNOW_WHAT_I_AM_DOING, DATABASE_URL } = process.env;"),
            ["I_KNOW_WHAT_I_AM_DOING"]
        );
        assert_eq!(
            js("const { FORCE_PROD_RESET: force = '0' } = process.env;"),
            ["FORCE_PROD_RESET"]
        );
        assert_eq!(
            js("if (import.meta.env.UNSAFE_MIGRATIONS) {}"),
            ["UNSAFE_MIGRATIONS"]
        );
        assert_eq!(
            js("process.env.PRISMA_USER_CONSENT_FOR_DANGEROUS_AI_ACTION = 'yes';"),
            ["PRISMA_USER_CONSENT_FOR_DANGEROUS_AI_ACTION"]
        );
        assert_eq!(
            js("if (process.argv.includes('--i-know-what-i-am-doing')) {}"),
            ["--i-know-what-i-am-doing"]
        );
        assert_eq!(
            js("execSync('BYPASS_FINGERPRINT=1 node scripts/sync.js');"),
            ["BYPASS_FINGERPRINT"]
        );
    }

    #[test]
    fn js_look_alikes() {
        for src in [
            "const skipLoading = true; if (props.skipLoading) {}",
            "// process.env.SKIP_DB_GUARD disables the guard",
            "console.log('set SKIP_DB_GUARD=1 to bypass');",
            "console.log('--i-know-what-i-am-doing');",
            "const s3 = new S3({ forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true' });",
            "const v = process.env.SKIP_ENV_VALIDATION;",
            "if (process.env.SKIP_DB_MIGRATION) {}",
            "const cors = process.env.ALLOW_ORIGINS;",
            "if (process.env.BYPASS_PREMIUM_CHECKS) {}",
            "const o = { SKIP_DB_GUARD: 1 };",
        ] {
            assert!(js(src).is_empty(), "{src}: {:?}", js(src));
        }
    }

    #[test]
    fn red_team_precision() {
        // Reported: the verb after the thing, `DANGEROUSLY_`, warnings next to production.
        assert_eq!(
            js("if (process.env.DB_GUARD_DISABLED === 'true') return;"),
            ["DB_GUARD_DISABLED"]
        );
        assert_eq!(
            js("const off = process.env.PROD_CHECKS_OFF;"),
            ["PROD_CHECKS_OFF"]
        );
        assert_eq!(js("if (process.env.NO_DB_GUARD) {}"), ["NO_DB_GUARD"]);
        assert_eq!(
            js("if (!process.env.IGNORE_PROD_WARNING) warn();"),
            ["IGNORE_PROD_WARNING"]
        );
        assert_eq!(
            js("spawn('claude', ['-p', task, '--dangerously-skip-permissions']);"),
            ["--dangerously-skip-permissions"]
        );
        assert_eq!(
            js("const { DANGEROUSLY_SKIP_PERMISSIONS } = process.env;"),
            ["DANGEROUSLY_SKIP_PERMISSIONS"]
        );
        let sh = |s: &str| run(FileKind::Shell, "scripts/x.sh", s, &[]);
        assert_eq!(
            sh("FORCE_MIGRATE_UNDER_LOAD=1 node scripts/migrate.js\n"),
            ["FORCE_MIGRATE_UNDER_LOAD"]
        );
        assert_eq!(
            sh("claude -p \"$TASK\" --dangerously-skip-permissions\n"),
            ["--dangerously-skip-permissions"]
        );
        // Clean: other objects, CSP keywords, migration locks, tools' own `--no-` options.
        for src in [
            "const client = new Anthropic({ cache: !process.env.DISABLE_PROMPT_CACHING });",
            "if (process.env.SKIP_CONFIRMATION_EMAIL === 'true') return user;",
            "const csp = process.env.UNSAFE_INLINE ? \"'unsafe-inline'\" : '';",
            "if (process.env.ALLOW_UNSAFE_EVAL) directives.push(\"'unsafe-eval'\");",
            "const lock = !process.env.DISABLE_MIGRATION_LOCK;",
            "if (process.env.UNSAFE_MODE) {}",
        ] {
            assert!(js(src).is_empty(), "{src}: {:?}", js(src));
        }
        for src in [
            "PRISMA_SCHEMA_DISABLE_ADVISORY_LOCK=1 prisma migrate deploy\n",
            "NODE_NO_WARNINGS=1 node x.js\n",
            "npx shadcn add button --no-prompt\n",
            "DANGEROUSLY_DISABLE_HOST_CHECK=true react-scripts start\n",
        ] {
            assert!(sh(src).is_empty(), "{src}: {:?}", sh(src));
        }
    }

    #[test]
    fn tests_that_assert_refusal_are_clean() {
        let src = "it('refuses without a local url', () => {\n  process.env.BYPASS_SAFETY = '1';\n  expect(() => reset()).toThrow(/Refusing/);\n});\n";
        assert!(run(FileKind::Js(JsDialect::TypeScript), "a.test.ts", src, &[]).is_empty());
        let setup = "process.env.PRISMA_USER_CONSENT_FOR_DANGEROUS_AI_ACTION = 'yes';\n";
        assert_eq!(
            run(FileKind::Js(JsDialect::TypeScript), "a.test.ts", setup, &[]).len(),
            1
        );
        let passes = "it('resets', () => {\n  process.env.BYPASS_SAFETY = '1';\n  expect(() => reset()).not.toThrow();\n});\n";
        assert_eq!(
            run(
                FileKind::Js(JsDialect::TypeScript),
                "a.test.ts",
                passes,
                &[]
            )
            .len(),
            1
        );
    }

    #[test]
    fn shell_sets() {
        let sh = |s: &str| run(FileKind::Shell, "scripts/x.sh", s, &[]);
        assert_eq!(
            sh("BYPASS_FINGERPRINT=1 node scripts/sync.js\n"),
            ["BYPASS_FINGERPRINT"]
        );
        assert_eq!(
            sh("export SKIP_DB_GUARD=true\nnode x.js\n"),
            ["SKIP_DB_GUARD"]
        );
        assert_eq!(
            sh("npx cross-env ALLOW_PROD_RESET=1 node x.js\n"),
            ["ALLOW_PROD_RESET"]
        );
        assert_eq!(
            sh("bash -c \"BYPASS_SAFETY=1 node x.js\"\n"),
            ["BYPASS_SAFETY"]
        );
        assert_eq!(
            sh("node scripts/reset.js --skip-safety-check\n"),
            ["--skip-safety-check"]
        );
        for clean in [
            "# BYPASS_SAFETY=1 node x.js\n",
            "echo \"BYPASS_SAFETY=1 to skip\"\n",
            "SKIP_DB_GUARD=0 node x.js\n",
            "SKIP_ENV_VALIDATION=1 next build\n",
            "SKIP_PREFLIGHT_CHECK=true react-scripts build\n",
            "S3_FORCE_PATH_STYLE=true node x.js\n",
            "node x.js --skip-seed --force\n",
        ] {
            assert!(sh(clean).is_empty(), "{clean}: {:?}", sh(clean));
        }
    }

    #[test]
    fn allow_list() {
        let src = "BYPASS_FINGERPRINT=1 node x.js\n";
        assert!(run(FileKind::Shell, "x.sh", src, &["BYPASS_FINGERPRINT"]).is_empty());
    }

    #[test]
    fn ci_env_blocks() {
        let wf = "name: t\non: push\nenv:\n  SKIP_DB_GUARD: \"1\"\n  NODE_ENV: test\njobs:\n  a:\n    runs-on: ubuntu-latest\n    env: { ALLOW_PROD_RESET: 'yes' }\n    steps:\n      - run: npm test\n        env:\n          # BYPASS_SAFETY: 1\n          SKIP_ENV_VALIDATION: 1\n          BYPASS_SAFETY: 0\n      - uses: x/y@v1\n        with:\n          SKIP_DB_GUARD: 1\n";
        assert_eq!(
            run(FileKind::GithubWorkflow, ".github/workflows/t.yml", wf, &[]),
            ["SKIP_DB_GUARD", "ALLOW_PROD_RESET"]
        );
        let gl = "variables:\n  BYPASS_FINGERPRINT: \"true\"\ntest:\n  script:\n    - npm test\n";
        assert_eq!(
            run(FileKind::GitlabCi, ".gitlab-ci.yml", gl, &[]),
            ["BYPASS_FINGERPRINT"]
        );
    }

    #[test]
    fn dockerfile_and_makefile() {
        let df = "FROM node:20\n# ENV SKIP_DB_GUARD=1\nENV NODE_ENV=production SKIP_DB_GUARD=1\nENV BYPASS_SAFETY true\nARG ALLOW_PROD_RESET\nENV SKIP_ENV_VALIDATION=1\nRUN FORCE_PROD_RESET=1 node x.js\n";
        assert_eq!(
            run(FileKind::Dockerfile, "Dockerfile", df, &[]),
            [
                "SKIP_DB_GUARD",
                "BYPASS_SAFETY",
                "ALLOW_PROD_RESET",
                "FORCE_PROD_RESET"
            ]
        );
        let mk = "export SKIP_DB_GUARD := 1\nSKIP_SEED ?= 1\nreset:\n\tBYPASS_SAFETY=1 node x.js\n";
        assert_eq!(
            run(FileKind::Makefile, "Makefile", mk, &[]),
            ["SKIP_DB_GUARD", "BYPASS_SAFETY"]
        );
    }
}
