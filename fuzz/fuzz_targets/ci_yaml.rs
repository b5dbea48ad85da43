#![no_main]
//! The GitHub Actions and GitLab CI extractors (anchors, aliases, templates, `${{ }}`), the
//! shell commands they yield, and the whole pipeline on the same text.

#[path = "../common.rs"]
mod common;

use dbguard::lang::FileKind;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let text = text.to_string();
    common::with_big_stack(move || {
        let path = ".github/workflows/deploy.yml";
        let github = dbguard::fragment::ci_yaml::extract_github(&text, path);
        common::check_fragments(&text, &github);
        let gitlab = dbguard::fragment::ci_yaml::extract_gitlab(&text);
        common::check_fragments(&text, &gitlab);
        common::lint_and_check(path, FileKind::GithubWorkflow, &text);
        common::lint_and_check(".gitlab-ci.yml", FileKind::GitlabCi, &text);
    });
});
