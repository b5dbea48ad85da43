use std::ops::Range;

use crate::rules::{Category, CommandRule, Hit, RuleDoc, RuleMeta, Severity};
use crate::shell::{Command, EnvSource};

pub struct Rule;

pub static META: RuleMeta = RuleMeta {
    id: "hook-bypass",
    category: Category::Bypass,
    severity: Severity::Warning,
    summary: "`git commit --no-verify`, `git push --no-verify` or `HUSKY=0` skips the repository's git hooks",
    help: "let the hooks run; if one is wrong, fix or narrow the hook itself instead of skipping all of them",
    literals: &["--no-verify", "commit", "push", "husky", "lefthook", "skip=", "hookspath"],
    doc: RuleDoc {
        what: "In scripts, package.json, Makefiles, Dockerfiles and CI: `git commit --no-verify` or `git commit -n` (also inside a short-option bundle such as `-anm`), `git push --no-verify`, and a `git commit`/`git push` that runs with `HUSKY=0`, `HUSKY_SKIP_HOOKS=1`, `LEFTHOOK=0` or pre-commit's `SKIP=hook,…` in its environment (inline, `export`ed earlier in the script, or in the CI job's `env:`); a `git commit`/`git push` given `-c core.hooksPath=…` with any value before the subcommand (`git -c core.hooksPath=/dev/null commit`: the hooks come from that directory, or from nowhere, instead of the repository's); `git config core.hooksPath /dev/null` (also `--global`, `set`, `NUL` or an empty value), which switches the hooks off for every later commit and push. Not reported: `git config core.hooksPath .githooks` (pointing git at a real hooks directory is how teams install their hooks), reading or `--unset`ting the setting, `git push -n` (a dry run), `--no-verify` inside a commit message (`-m \"…\"`), and `HUSKY=0` or `SKIP=…` around other commands (`HUSKY=0 npm ci` in a Dockerfile only skips installing the hooks, as husky's documentation recommends; `SKIP=no-commit-to-branch pre-commit run --all-files` skips one hook in a lint job).",
        why: "Pre-commit and pre-push hooks are where teams put the checks that keep dangerous migrations, secrets and `dbguard` findings out of the repository. A script that commits or pushes with the hooks switched off ships whatever those checks would have stopped, every time it runs.",
        example: "\"release\": \"git commit -am 'release' --no-verify && git push --no-verify\"",
        instead: "Let the hooks run in automation too. If a hook is slow or wrong for a bot, fix the hook (or skip that one hook by name where the hook tool allows it, with a comment saying why) rather than disabling every hook.",
    },
};

/// Options of `git` itself that take a value (`git -C dir commit`).
const GIT_VALUE_OPTS: &[&str] = &["-C", "-c", "--git-dir", "--work-tree", "--namespace"];

/// `git commit` options that take a value as the next word.
const COMMIT_VALUE_OPTS: &[&str] = &[
    "-m",
    "--message",
    "-F",
    "--file",
    "-C",
    "--reuse-message",
    "-c",
    "--reedit-message",
    "--author",
    "--date",
    "-t",
    "--template",
    "--fixup",
    "--squash",
    "--cleanup",
    "--trailer",
];

/// Short `git commit` options that take a value (the rest of a bundle is that value).
const COMMIT_VALUE_SHORTS: &[u8] = b"mFCct";

impl CommandRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cmd: &Command) -> Option<Hit> {
        if cmd.program() != "git" || cmd.refused_in_test {
            return None;
        }
        let args = cmd.args();
        let (i, sub) = subcommand(args)?;
        if sub == "config" {
            return config_hooks_path(&args[i + 1..]);
        }
        if sub != "commit" && sub != "push" {
            return None;
        }
        let sub_span = args[i].span.clone();
        if let Some((w, value)) = hooks_path_option(&args[..i]) {
            let effect = if hooks_off(value) {
                "switches off".to_string()
            } else {
                format!("takes its hooks from `{value}`: it skips")
            };
            return Some(Hit {
                severity: META.severity,
                message: format!(
                    "`git -c {} {sub}` {effect} the repository's {} hooks",
                    w.text,
                    if sub == "commit" {
                        "commit"
                    } else {
                        "pre-push"
                    }
                ),
                span: w.span.clone(),
            });
        }
        if let Some(flag) = skip_flag(&args[i + 1..], sub == "commit") {
            let span = if flag.text.starts_with("--") {
                flag.span.clone()
            } else {
                // `-n` alone names nothing: the span runs from `commit` to the flag.
                sub_span.start..flag.span.end
            };
            return Some(Hit {
                severity: META.severity,
                message: format!(
                    "`git {sub} {}` skips the repository's {} hooks",
                    flag.text,
                    if sub == "commit" {
                        "commit"
                    } else {
                        "pre-push"
                    }
                ),
                span,
            });
        }
        env_skip(cmd, sub, sub_span)
    }
}

/// The index and text of git's subcommand.
fn subcommand(args: &[crate::shell::words::Word]) -> Option<(usize, &str)> {
    let mut i = 0;
    while let Some(w) = args.get(i) {
        if GIT_VALUE_OPTS.contains(&w.text.as_str()) {
            i += 2;
            continue;
        }
        if !w.text.starts_with('-') {
            return Some((i, w.text.as_str()));
        }
        i += 1;
    }
    None
}

/// A `-c core.hooksPath=…` among git's own options (before the subcommand): the word and its
/// value. Git's configuration keys are case-insensitive.
fn hooks_path_option(
    opts: &[crate::shell::words::Word],
) -> Option<(&crate::shell::words::Word, &str)> {
    opts.windows(2).find_map(|w| {
        if w[0].text != "-c" {
            return None;
        }
        let (key, value) = w[1].text.split_once('=')?;
        key.eq_ignore_ascii_case("core.hooksPath")
            .then_some((&w[1], value))
    })
}

/// A hooks directory that holds no hooks: `/dev/null`, `NUL`, empty.
fn hooks_off(value: &str) -> bool {
    let v = value.trim();
    v.is_empty() || v == "/dev/null" || v.eq_ignore_ascii_case("nul")
}

/// `git config [--global|--local|set …] core.hooksPath /dev/null`: every later commit and push
/// skips the hooks. Pointing it at a real directory (`git config core.hooksPath .githooks`) is
/// how teams install their hooks, and stays clean.
fn config_hooks_path(args: &[crate::shell::words::Word]) -> Option<Hit> {
    let k = args
        .iter()
        .position(|w| w.text.eq_ignore_ascii_case("core.hooksPath"))?;
    let value = args[k + 1..].iter().find(|w| !w.text.starts_with("--"))?;
    if !hooks_off(&value.text) {
        return None;
    }
    Some(Hit {
        severity: META.severity,
        message: format!(
            "`git config {} {}` switches off the repository's git hooks for every later commit and push",
            args[k].text,
            if value.text.is_empty() { "\"\"" } else { value.text.as_str() }
        ),
        span: args[k].span.start..value.span.end.max(args[k].span.end),
    })
}

/// The `--no-verify` (or, for commit, `-n` / a bundle holding `n`) argument.
fn skip_flag(
    args: &[crate::shell::words::Word],
    commit: bool,
) -> Option<&crate::shell::words::Word> {
    let mut i = 0;
    while let Some(w) = args.get(i) {
        let t = w.text.as_str();
        i += 1;
        if t == "--" {
            return None;
        }
        if t == "--no-verify" {
            return Some(w);
        }
        if !commit {
            continue;
        }
        if COMMIT_VALUE_OPTS.contains(&t) {
            i += 1;
            continue;
        }
        if let Some(shorts) = t.strip_prefix('-').filter(|s| !s.starts_with('-')) {
            for b in shorts.bytes() {
                if b == b'n' {
                    return Some(w);
                }
                if COMMIT_VALUE_SHORTS.contains(&b) {
                    // The rest of the bundle is the value, or the next word is.
                    if shorts.ends_with(b as char) {
                        i += 1;
                    }
                    break;
                }
            }
        }
    }
    None
}

/// `HUSKY=0`, `HUSKY_SKIP_HOOKS=1`, `LEFTHOOK=0`, `SKIP=…` in the environment of a commit/push.
fn env_skip(cmd: &Command, sub: &str, sub_span: Range<usize>) -> Option<Hit> {
    // The most specific setting is the one to name: the command's own, then the script's,
    // then the job's (`SKIP=eslint git commit` in a job with `HUSKY: 0` is about `SKIP`).
    let mut names = ["HUSKY", "HUSKY_SKIP_HOOKS", "LEFTHOOK", "SKIP"];
    names.sort_by_key(|n| match cmd.env_var(n) {
        Some(EnvSource::Inline(_)) => 0,
        Some(EnvSource::Script(_)) => 1,
        _ => 2,
    });
    for name in names {
        let Some(src) = cmd.env_var(name) else {
            continue;
        };
        let v = src.value().trim();
        let skips = match name {
            "HUSKY" | "LEFTHOOK" => matches!(v, "0" | "false"),
            "HUSKY_SKIP_HOOKS" => !super::value_is_off(v),
            _ => !v.is_empty(),
        };
        if !skips {
            continue;
        }
        let (span, whence) = match src {
            EnvSource::Inline(w) => {
                let start = w.span.start.saturating_sub(name.len() + 1);
                (start..w.span.end, "")
            }
            EnvSource::Script(_) => (sub_span.clone(), ", set earlier in the script"),
            EnvSource::Host(_) => (sub_span.clone(), ", set in the job's environment"),
        };
        return Some(Hit {
            severity: META.severity,
            message: format!(
                "`git {sub}` runs with `{name}={}`{whence}: it skips the repository's git hooks",
                src.value()
            ),
            span,
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::destructive_command::testing::expect;
    use Severity::*;

    #[test]
    fn cases() {
        expect(
            &Rule,
            &[
                ("git commit --no-verify -m wip", Some(Warning)),
                ("git commit -n -m wip", Some(Warning)),
                ("git commit -anm wip", Some(Warning)),
                ("git -C packages/db commit -m 'x' -n", Some(Warning)),
                ("git push --no-verify origin main", Some(Warning)),
                ("HUSKY=0 git commit -m release", Some(Warning)),
                ("HUSKY=0 git push", Some(Warning)),
                ("LEFTHOOK=0 git commit -m x", Some(Warning)),
                ("HUSKY_SKIP_HOOKS=1 git commit -m x", Some(Warning)),
                ("SKIP=eslint,prettier git commit -m x", Some(Warning)),
                ("export HUSKY=0\ngit commit -m release", Some(Warning)),
                ("git push -n origin main", None),
                ("git push --dry-run", None),
                ("git commit -m '--no-verify'", None),
                ("git commit -m \"skip with -n\"", None),
                ("git commit -mn", None),
                ("git commit --amend --no-edit", None),
                ("HUSKY=0 npm ci --omit=dev", None),
                ("HUSKY=1 git commit -m x", None),
                ("SKIP=no-commit-to-branch pre-commit run --all-files", None),
                ("echo git commit --no-verify", None),
                ("# git commit --no-verify", None),
                ("git log -n 5", None),
                ("git -c core.hooksPath=/dev/null status", None),
                (
                    "git -c core.hooksPath=/dev/null commit -m wip",
                    Some(Warning),
                ),
                ("git -c core.hookspath= commit -am wip", Some(Warning)),
                (
                    "git -c user.name=bot -c core.hooksPath=.no-hooks push origin main",
                    Some(Warning),
                ),
                ("git config core.hooksPath /dev/null", Some(Warning)),
                (
                    "git config --global core.hooksPath /dev/null",
                    Some(Warning),
                ),
                ("git config core.hooksPath ''", Some(Warning)),
                // Installing the team's hooks, reading the setting, an unrelated option.
                ("git config core.hooksPath .githooks", None),
                ("git config core.hooksPath", None),
                ("git config --get core.hooksPath", None),
                ("git config --unset core.hooksPath", None),
                ("git -c user.email=bot@example.com commit -m release", None),
                ("git commit -m 'core.hooksPath=/dev/null'", None),
                ("git -c core.hooksPath=/dev/null log", None),
            ],
        );
    }

    #[test]
    fn spans() {
        use crate::fragment::map::OffsetMap;
        use crate::fragment::{Fragment, HostContext};
        use crate::lang::FileKind;
        use std::sync::Arc;
        for (src, want) in [
            ("git commit -m x --no-verify", "--no-verify"),
            ("git commit -m x -n", "commit -m x -n"),
            ("HUSKY=0 git commit -m x", "HUSKY=0"),
            ("HUSKY=\"0\" git push", "HUSKY=\"0\""),
            (
                "git -c core.hooksPath=/dev/null commit -m wip",
                "core.hooksPath=/dev/null",
            ),
            (
                "git config --global core.hooksPath /dev/null",
                "core.hooksPath /dev/null",
            ),
        ] {
            let f = Fragment::shell(
                src.to_string(),
                OffsetMap::linear(0, src.len()),
                Arc::new(HostContext::new(FileKind::Shell)),
            );
            let hits: Vec<_> = crate::shell::commands(&f)
                .iter()
                .filter_map(|c| Rule.check(c))
                .collect();
            assert_eq!(&src[hits[0].span.clone()], want, "{src}");
        }
    }
}
