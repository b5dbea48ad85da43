//! Classify: decide a file's kind from its name, or its shebang for extension-less files.
//! Files of no known kind are never read.

use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JsDialect {
    JavaScript,
    TypeScript,
    Tsx,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    Js(JsDialect),
    Shell,
    Sql,
    PackageJson,
    GithubWorkflow,
    GitlabCi,
    Makefile,
    Dockerfile,
    Env,
    /// `docker-compose.yml`, `compose.yaml`: read by the file rules (URLs, hosts), not for
    /// commands.
    Compose,
}

impl FileKind {
    pub fn name(self) -> &'static str {
        match self {
            FileKind::Js(JsDialect::JavaScript) => "javascript",
            FileKind::Js(JsDialect::TypeScript) => "typescript",
            FileKind::Js(JsDialect::Tsx) => "tsx",
            FileKind::Shell => "shell",
            FileKind::Sql => "sql",
            FileKind::PackageJson => "package.json",
            FileKind::GithubWorkflow => "github-workflow",
            FileKind::GitlabCi => "gitlab-ci",
            FileKind::Makefile => "makefile",
            FileKind::Dockerfile => "dockerfile",
            FileKind::Env => "env",
            FileKind::Compose => "compose",
        }
    }

    /// Files whose commands run in CI.
    pub fn is_ci(self) -> bool {
        matches!(self, FileKind::GithubWorkflow | FileKind::GitlabCi)
    }
}

/// What classification decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Classified {
    Kind(FileKind),
    /// No extension and no known name: the first line decides (a sh/bash shebang).
    NeedsShebang,
    Unknown,
}

/// `docker-compose.yml`, `docker-compose.prod.yaml`, `compose.yml`, `compose.override.yaml`.
fn is_compose_file(name: &str) -> bool {
    let Some(stem) = name
        .strip_suffix(".yml")
        .or_else(|| name.strip_suffix(".yaml"))
    else {
        return false;
    };
    ["docker-compose", "compose"]
        .iter()
        .any(|base| stem == *base || stem.strip_prefix(base).is_some_and(|r| r.starts_with('.')))
}

/// Classifies by path alone.
pub fn classify_path(path: &Path) -> Classified {
    // A name that is not UTF-8 (`caf\xe9.sql`) is classified by its lossy form: the kind is in
    // the ASCII extension.
    let Some(name) = path.file_name().map(|n| n.to_string_lossy()) else {
        return Classified::Unknown;
    };
    let name: &str = &name;
    let kind = match name {
        "package.json" => Some(FileKind::PackageJson),
        ".gitlab-ci.yml" | ".gitlab-ci.yaml" => Some(FileKind::GitlabCi),
        "Makefile" | "makefile" | "GNUmakefile" => Some(FileKind::Makefile),
        "Dockerfile" | "Containerfile" => Some(FileKind::Dockerfile),
        ".env" => Some(FileKind::Env),
        _ if name.starts_with(".env.") => Some(FileKind::Env),
        _ if name.starts_with("Dockerfile.") => Some(FileKind::Dockerfile),
        _ if is_compose_file(name) => Some(FileKind::Compose),
        _ => None,
    };
    if let Some(kind) = kind {
        return Classified::Kind(kind);
    }
    let ext = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext,
        _ => return Classified::NeedsShebang,
    };
    let kind = match ext {
        "js" | "jsx" | "mjs" | "cjs" => FileKind::Js(JsDialect::JavaScript),
        "ts" | "mts" | "cts" => FileKind::Js(JsDialect::TypeScript),
        "tsx" => FileKind::Js(JsDialect::Tsx),
        "sh" | "bash" => FileKind::Shell,
        "sql" => FileKind::Sql,
        "mk" => FileKind::Makefile,
        "Dockerfile" | "dockerfile" => FileKind::Dockerfile,
        "yml" | "yaml" if is_github_workflow(path) => FileKind::GithubWorkflow,
        _ => return Classified::Unknown,
    };
    // `.d.ts` declaration files hold no code that runs.
    if name.ends_with(".d.ts") {
        return Classified::Unknown;
    }
    Classified::Kind(kind)
}

fn is_github_workflow(path: &Path) -> bool {
    let mut comps = path.components().rev().skip(1);
    let parent = comps.next().and_then(|c| c.as_os_str().to_str());
    let grandparent = comps.next().and_then(|c| c.as_os_str().to_str());
    parent == Some("workflows") && grandparent == Some(".github")
}

/// Decides an extension-less file from its first bytes.
pub fn classify_shebang(head: &[u8]) -> Option<FileKind> {
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let line = head.split(|&b| b == b'\n').next()?;
    let line = std::str::from_utf8(line).ok()?.trim_end();
    let rest = line.strip_prefix("#!")?.trim();
    let mut words = rest.split_whitespace();
    let mut prog = words.next()?.rsplit('/').next()?;
    if prog == "env" {
        prog = words.find(|w| !w.starts_with('-'))?;
    }
    matches!(prog, "sh" | "bash" | "dash" | "zsh" | "ksh").then_some(FileKind::Shell)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(p: &str) -> Classified {
        classify_path(Path::new(p))
    }

    #[test]
    fn classifies_by_name() {
        assert_eq!(
            kind("a/b.tsx"),
            Classified::Kind(FileKind::Js(JsDialect::Tsx))
        );
        assert_eq!(
            kind("x.cjs"),
            Classified::Kind(FileKind::Js(JsDialect::JavaScript))
        );
        assert_eq!(kind("types.d.ts"), Classified::Unknown);
        assert_eq!(
            kind(".github/workflows/ci.yml"),
            Classified::Kind(FileKind::GithubWorkflow)
        );
        assert_eq!(kind("config/ci.yml"), Classified::Unknown);
        assert_eq!(
            kind("ci/Dockerfile.prod"),
            Classified::Kind(FileKind::Dockerfile)
        );
        assert_eq!(
            kind("api.Dockerfile"),
            Classified::Kind(FileKind::Dockerfile)
        );
        assert_eq!(kind(".env.production"), Classified::Kind(FileKind::Env));
        for name in [
            "docker-compose.yml",
            "docker-compose.prod.yaml",
            "compose.yaml",
            "deploy/compose.override.yml",
        ] {
            assert_eq!(kind(name), Classified::Kind(FileKind::Compose), "{name}");
        }
        for name in ["docker-compose-notes.yml", "composer.yml", "compose.json"] {
            assert_ne!(kind(name), Classified::Kind(FileKind::Compose), "{name}");
        }
        assert_eq!(kind("rules.mk"), Classified::Kind(FileKind::Makefile));
        assert_eq!(kind("README.md"), Classified::Unknown);
        assert_eq!(kind("bin/reset"), Classified::NeedsShebang);
        assert_eq!(kind(".bashrc"), Classified::NeedsShebang);
    }

    #[test]
    fn classifies_shebangs() {
        assert_eq!(
            classify_shebang(b"#!/usr/bin/env bash\necho"),
            Some(FileKind::Shell)
        );
        assert_eq!(classify_shebang(b"#!/bin/sh -e\n"), Some(FileKind::Shell));
        assert_eq!(
            classify_shebang(b"#!/usr/bin/env -S bash -eu\n"),
            Some(FileKind::Shell)
        );
        assert_eq!(classify_shebang(b"#!/usr/bin/env node\n"), None);
        assert_eq!(classify_shebang(b"hello"), None);
    }
}
