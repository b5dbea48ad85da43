//! Extract: every host file becomes fragments of shell code with exact maps back to the host.
//! One module per host kind; JS/TS extraction uses the tree-sitter queries under `queries/`.

pub mod ci_yaml;
pub mod comments;
pub mod dockerfile;
pub mod escape;
pub mod javascript;
pub mod js_sql;
pub mod makefile;
pub mod map;
pub mod package_json;

use std::ops::Range;
use std::sync::Arc;

use crate::lang::FileKind;
use crate::shell::words::Word;
use map::OffsetMap;

/// Where a fragment runs, as far as the host file says.
#[derive(Debug, Clone)]
pub struct HostContext {
    pub kind: FileKind,
    /// Names that say what the code is for: package.json script name, CI workflow/job/step
    /// names, Makefile target, shell file name.
    pub names: Vec<String>,
    /// Environment the host sets around the command: CI `env:`/`variables:`, Dockerfile `ENV`,
    /// Makefile variables.
    pub env: Vec<(String, String)>,
    /// Why the host itself says this runs in a deploy/production context.
    pub deploy: Option<String>,
    /// The CI job declares database service containers.
    pub has_services: bool,
}

impl HostContext {
    pub fn new(kind: FileKind) -> Self {
        HostContext {
            kind,
            names: Vec::new(),
            env: Vec::new(),
            deploy: None,
            has_services: false,
        }
    }
}

/// The code of a fragment.
#[derive(Debug, Clone)]
pub enum Body {
    /// Shell source text, mapped to the host.
    Shell { text: String, map: OffsetMap },
    /// An argv that is executed without a shell (`spawn("x", [...])`, Dockerfile exec form).
    Argv(Vec<Word>),
}

/// A piece of executable shell code found in a host file.
#[derive(Debug, Clone)]
pub struct Fragment {
    pub body: Body,
    /// Host range of the whole fragment (for reporting an argv as one unit).
    pub span: Range<usize>,
    pub ctx: Arc<HostContext>,
    /// A test asserts that running this is refused (`expect(() => execSync(…)).toThrow()`).
    pub refused_in_test: bool,
    /// The host code refuses a non-local database before this runs (a JS/TS `if` that throws).
    pub host_guard: Option<crate::shell::guard::Guard>,
}

impl Fragment {
    pub fn shell(text: String, map: OffsetMap, ctx: Arc<HostContext>) -> Fragment {
        let span = if text.is_empty() {
            0..0
        } else {
            map.range_to_host(0..text.len())
        };
        Fragment {
            body: Body::Shell { text, map },
            span,
            ctx,
            refused_in_test: false,
            host_guard: None,
        }
    }
}

/// Every node below `root` (itself included), in source order: one cursor, no recursion, so
/// deep trees do not exhaust the stack.
pub fn preorder<'t>(root: tree_sitter::Node<'t>, mut f: impl FnMut(tree_sitter::Node<'t>)) {
    let mut cursor = root.walk();
    loop {
        f(cursor.node());
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
        }
    }
}

/// The inside of a complete quoted literal node (`"…"`, `'…'`, `` `…` ``). Error recovery
/// can produce a string whose closing quote is missing (zero width): then the last byte is
/// not a quote, and `end - 1` could fall inside a multi-byte character.
pub fn quoted_inner(node: tree_sitter::Node, src: &str) -> Option<Range<usize>> {
    let r = node.byte_range();
    if r.len() < 2 || r.end > src.len() || node.has_error() {
        return None;
    }
    let bytes = src.as_bytes();
    let (open, close) = (bytes[r.start], bytes[r.end - 1]);
    // Quotes are ASCII, so both inner bounds are character boundaries.
    (open == close && matches!(open, b'"' | b'\'' | b'`')).then(|| r.start + 1..r.end - 1)
}

/// Splits a name such as `deploy:db`, `heroku-postbuild` or `Release to prod` into lowercase
/// tokens and says whether it names a deploy/production context.
pub fn deploy_name(name: &str) -> bool {
    const TOKENS: &[&str] = &[
        "deploy",
        "deployment",
        "deploys",
        "prod",
        "production",
        "release",
        "postbuild",
        "predeploy",
        "postdeploy",
        "vercel-build",
        "heroku-postbuild",
        "build",
        "live",
    ];
    let lower = name.to_ascii_lowercase();
    if TOKENS.contains(&lower.as_str()) {
        return true;
    }
    lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|t| TOKENS.contains(&t) && t != "build" && t != "live")
}

#[cfg(test)]
mod tests {
    use super::deploy_name;

    #[test]
    fn deploy_names() {
        for n in [
            "deploy",
            "db:deploy",
            "Deploy to production",
            "release",
            "heroku-postbuild",
            "build",
            "migrate-prod",
        ] {
            assert!(deploy_name(n), "{n}");
        }
        for n in [
            "dev",
            "test",
            "db:reset",
            "prebuild-check",
            "build:watch",
            "product-seed",
            "deliver",
        ] {
            assert!(!deploy_name(n), "{n}");
        }
    }
}
