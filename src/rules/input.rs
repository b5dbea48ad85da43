//! What a file rule sees: one whole host file, with its syntax tree, comments and shell
//! commands computed on first use (most files need none of them).

use std::cell::OnceCell;
use std::ops::Range;

use crate::config::Config;
use crate::lang::FileKind;
use crate::rules::{RuleMeta, Severity};
use crate::shell::Command;
use crate::source::SourceFile;

/// One host file, as the file rules see it.
pub struct FileInput<'a> {
    pub source: &'a SourceFile,
    pub kind: FileKind,
    /// Path relative to the config root, `/`-separated.
    pub rel: &'a str,
    /// The file matches `[files] tests` (or is a test setup file).
    pub is_test: bool,
    /// The file matches `[files] scripts`.
    pub is_script: bool,
    pub config: &'a Config,
    js: OnceCell<Option<tree_sitter::Tree>>,
    /// The engine already measured the bracket depth (and it was within the budget).
    depth_checked: bool,
    comments: OnceCell<Vec<Range<usize>>>,
    commands: OnceCell<Vec<Command>>,
}

impl<'a> FileInput<'a> {
    pub fn new(
        source: &'a SourceFile,
        kind: FileKind,
        rel: &'a str,
        config: &'a Config,
        is_test: bool,
        is_script: bool,
    ) -> Self {
        FileInput {
            source,
            kind,
            rel,
            is_test: is_test || is_test_setup(rel),
            is_script,
            config,
            js: OnceCell::new(),
            depth_checked: false,
            comments: OnceCell::new(),
            commands: OnceCell::new(),
        }
    }

    /// Says that the text's bracket depth is known to be within the JS budget.
    pub fn with_depth_checked(mut self, checked: bool) -> Self {
        self.depth_checked = checked;
        self
    }

    pub fn text(&self) -> &'a str {
        &self.source.text
    }

    /// The JS/TS syntax tree (`None` for other kinds, and for a file nested too deeply to
    /// parse, which is then reported as partly skipped).
    pub fn js_tree(&self) -> Option<&tree_sitter::Tree> {
        self.js
            .get_or_init(|| {
                let FileKind::Js(dialect) = self.kind else {
                    return None;
                };
                let depth = if self.depth_checked {
                    0
                } else {
                    crate::budget::bracket_depth(self.text())
                };
                if depth > crate::budget::MAX_JS_DEPTH {
                    crate::budget::note(|| {
                        format!(
                            "JS/TS nested {depth} levels deep (more than {}): not parsed",
                            crate::budget::MAX_JS_DEPTH
                        )
                    });
                    return None;
                }
                crate::fragment::javascript::parse(dialect, self.text())
            })
            .as_ref()
    }

    /// The byte ranges of the file's comments, in order.
    pub fn comments(&self) -> &[Range<usize>] {
        self.comments.get_or_init(|| {
            let tree = if matches!(self.kind, FileKind::Js(_)) {
                self.js_tree()
            } else {
                None
            };
            crate::fragment::comments::ranges(self.kind, self.text(), tree)
        })
    }

    /// True when `offset` is inside a comment.
    pub fn in_comment(&self, offset: usize) -> bool {
        crate::fragment::comments::contains(self.comments(), offset)
    }

    /// Every shell command of the file (package.json scripts, CI `run:`, Makefile recipes,
    /// Dockerfile `RUN`, shell scripts, JS exec calls), in source order.
    pub fn commands(&self) -> &[Command] {
        self.commands.get_or_init(|| {
            crate::engine::fragments(
                self.kind,
                self.text(),
                &self.source.display,
                &self.config.guard_functions,
            )
            .iter()
            .flat_map(crate::shell::commands)
            .collect()
        })
    }
}

/// Test setup files that `[files] tests` need not list: the runners' configs and setups.
pub fn is_test_setup(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let stem = name.split('.').next().unwrap_or(name);
    let has_ext = name.contains('.');
    has_ext
        && (matches!(
            stem,
            "playwright" | "vitest" | "jest" | "cypress" | "global-setup" | "globalSetup"
        ) && (name.contains(".config.")
            || name.contains(".setup.")
            || stem.starts_with("global")))
}

/// A file rule's verdict.
#[derive(Debug, Clone)]
pub struct FileHit {
    pub severity: Severity,
    pub message: String,
    /// Host byte range to report.
    pub span: Range<usize>,
    /// Replaces the rule's help line for this finding.
    pub help: Option<String>,
}

/// A rule over a whole host file: raw text (URLs, `.env` files), the JS/TS syntax tree
/// (environment reads), or the file's commands together with its other content.
pub trait FileRule: Sync {
    fn meta(&self) -> &'static RuleMeta;

    /// The literals the prefilter looks for (default: the meta's). A rule that decides on
    /// its own which files it reads (`needs_no_literal`) can return none, so that its
    /// literals (which must still be in each finding's span) cost nothing per file.
    fn prefilter_literals(&self) -> &'static [&'static str] {
        self.meta().literals
    }

    /// Whether the rule may match a file whose text contains none of the meta's literals
    /// (a rule whose literals come from the config, such as production hosts).
    fn needs_no_literal(&self, _input: &FileInput) -> bool {
        false
    }

    fn check(&self, input: &FileInput, out: &mut Vec<FileHit>);
}

#[cfg(test)]
mod tests {
    use super::is_test_setup;

    #[test]
    fn test_setup_files() {
        for p in [
            "playwright.config.ts",
            "web/vitest.config.mts",
            "jest.config.js",
            "jest.setup.ts",
            "vitest.setup.ts",
            "e2e/global-setup.ts",
            "globalSetup.js",
        ] {
            assert!(is_test_setup(p), "{p}");
        }
        for p in ["playwright.ts", "jest", "src/config.ts", "vite.config.ts"] {
            assert!(!is_test_setup(p), "{p}");
        }
    }
}
