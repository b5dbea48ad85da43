//! CI YAML: GitHub Actions `run:` steps and GitLab CI `script:`/`before_script:`/
//! `after_script:` entries are shell fragments. Workflow/job/step names, `env:`/`variables:`
//! blocks, `environment:` and `services:` become the fragment's context.

use std::cell::RefCell;
use std::sync::Arc;

use tree_sitter::{Node, Parser};

use super::escape::push_escaped;
use super::map::{FragmentBuilder, OffsetMap};
use super::{deploy_name, Fragment, HostContext};
use crate::lang::FileKind;

thread_local! {
    static YAML: RefCell<Parser> = RefCell::new({
        let mut p = Parser::new();
        p.set_language(&tree_sitter_yaml::LANGUAGE.into()).expect("yaml grammar");
        p
    });
}

/// The value node inside `block_node`/`flow_node` wrappers (anchors and tags skipped).
fn inner(node: Node) -> Node {
    if matches!(node.kind(), "block_node" | "flow_node") {
        let mut c = node.walk();
        let found = node
            .named_children(&mut c)
            .find(|n| !matches!(n.kind(), "anchor" | "tag" | "comment"));
        if let Some(n) = found {
            return n;
        }
    }
    node
}

/// Key/value pairs of a mapping node.
fn pairs<'t>(node: Node<'t>, src: &str) -> Vec<(String, Node<'t>)> {
    let node = inner(node);
    if !matches!(node.kind(), "block_mapping" | "flow_mapping") {
        return Vec::new();
    }
    let mut c = node.walk();
    node.named_children(&mut c)
        .filter(|n| matches!(n.kind(), "block_mapping_pair" | "flow_pair"))
        .filter_map(|p| {
            let key = scalar(p.child_by_field_name("key")?, src)?.0;
            Some((key, p.child_by_field_name("value")?))
        })
        .collect()
}

fn get<'t>(node: Node<'t>, src: &str, key: &str) -> Option<Node<'t>> {
    pairs(node, src)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

/// Items of a sequence node.
fn items<'t>(node: Node<'t>) -> Vec<Node<'t>> {
    let node = inner(node);
    let mut c = node.walk();
    match node.kind() {
        "block_sequence" => node
            .named_children(&mut c)
            .filter(|n| n.kind() == "block_sequence_item")
            .filter_map(|i| i.named_child(0))
            .collect(),
        "flow_sequence" => node
            .named_children(&mut c)
            .filter(|n| n.kind() == "flow_node")
            .collect(),
        _ => Vec::new(),
    }
}

/// A scalar's value and its map back to the host.
pub fn scalar(node: Node, src: &str) -> Option<(String, OffsetMap)> {
    let node = inner(node);
    let r = node.byte_range();
    let mut b = FragmentBuilder::new();
    match node.kind() {
        "plain_scalar" => fold_lines(&mut b, src, r, |b, s, r| {
            b.push_verbatim(&s[r.clone()], r.start)
        }),
        "single_quote_scalar" => fold_lines(&mut b, src, r.start + 1..r.end - 1, |b, s, r| {
            let mut last = r.start;
            while let Some(i) = s[last..r.end].find("''") {
                b.push_verbatim(&s[last..last + i + 1], last);
                last += i + 2;
            }
            b.push_verbatim(&s[last..r.end], last);
        }),
        "double_quote_scalar" => fold_lines(&mut b, src, r.start + 1..r.end - 1, |b, s, r| {
            push_escaped(b, s, r, 0)
        }),
        "block_scalar" => block_scalar(&mut b, src, r),
        _ => return None,
    }
    Some(b.finish())
}

/// Flow scalars fold line breaks into spaces (an empty line is a newline).
fn fold_lines(
    b: &mut FragmentBuilder,
    src: &str,
    r: std::ops::Range<usize>,
    mut push: impl FnMut(&mut FragmentBuilder, &str, std::ops::Range<usize>),
) {
    if r.start >= r.end {
        return;
    }
    let mut pos = r.start;
    let mut first = true;
    let mut pending_break = false;
    for line in src[r.clone()].split('\n') {
        let line_start = pos;
        pos += line.len() + 1;
        let trimmed_start = if first {
            0
        } else {
            line.len() - line.trim_start().len()
        };
        let content = &line[trimmed_start..];
        let content = if pos > r.end {
            content
        } else {
            content.trim_end()
        };
        if !first && content.is_empty() {
            b.push_decoded("\n", line_start);
            pending_break = false;
            continue;
        }
        if pending_break {
            b.push_decoded(" ", line_start);
        }
        let s = line_start + trimmed_start;
        push(b, src, s..s + content.len());
        pending_break = true;
        first = false;
    }
}

/// `|` keeps line breaks, `>` folds them; the header may carry chomping and indentation.
fn block_scalar(b: &mut FragmentBuilder, src: &str, r: std::ops::Range<usize>) {
    let text = &src[r.clone()];
    let folded = text.starts_with('>');
    let Some(nl) = text.find('\n') else { return };
    let body_start = r.start + nl + 1;
    let body = &src[body_start..r.end];
    let indent = body
        .lines()
        .find(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches(' ').len())
        .unwrap_or(0);
    let mut pos = body_start;
    let mut prev_folds = false;
    for line in body.split_inclusive('\n') {
        let line_start = pos;
        pos += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        if content.trim().is_empty() {
            b.push_decoded("\n", line_start);
            prev_folds = false;
            continue;
        }
        let cut = indent.min(content.len() - content.trim_start_matches(' ').len());
        let s = line_start + cut;
        let more_indented = content[cut..].starts_with([' ', '\t']);
        if folded && prev_folds && !more_indented {
            b.push_decoded(" ", s);
        } else if folded && prev_folds {
            b.push_decoded("\n", s);
        }
        b.push_verbatim(&content[cut..], s);
        if folded && !more_indented {
            prev_folds = true;
        } else {
            b.push_decoded("\n", line_start + content.len());
            prev_folds = false;
        }
    }
    if prev_folds {
        b.push_decoded("\n", pos.saturating_sub(1));
    }
}

/// Scalar values of a mapping (`env:`, `variables:`), as name/value pairs.
fn env_block(node: Option<Node>, src: &str) -> Vec<(String, String)> {
    let Some(node) = node else { return Vec::new() };
    pairs(node, src)
        .into_iter()
        .filter_map(|(k, v)| {
            // GitLab allows `VAR: { value: "…", description: "…" }`.
            let v = get(v, src, "value").unwrap_or(v);
            Some((k, scalar(v, src)?.0))
        })
        .collect()
}

/// `environment: production` or `environment: { name: production }`.
fn environment(node: Option<Node>, src: &str) -> Option<String> {
    let node = node?;
    scalar(node, src)
        .or_else(|| scalar(get(node, src, "name")?, src))
        .map(|s| s.0)
}

fn deploy_reason(env_name: Option<&str>) -> Option<String> {
    let name = env_name?;
    deploy_name(name).then(|| format!("the job deploys to environment `{name}`"))
}

fn document_root(tree: &tree_sitter::Tree) -> Option<Node<'_>> {
    let stream = tree.root_node();
    let mut c = stream.walk();
    let doc = stream
        .named_children(&mut c)
        .find(|n| n.kind() == "document")?;
    let mut c = doc.walk();
    let root = doc
        .named_children(&mut c)
        .find(|n| matches!(n.kind(), "block_node" | "flow_node"));
    root
}

fn file_stem(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.split('.').next().unwrap_or(name).to_string()
}

/// GitHub Actions workflow.
pub fn extract_github(src: &str, path: &str) -> Vec<Fragment> {
    let Some(tree) = YAML.with(|p| p.borrow_mut().parse(src, None)) else {
        return Vec::new();
    };
    let Some(root) = document_root(&tree) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut names = vec![file_stem(path)];
    if let Some((n, _)) = get(root, src, "name").and_then(|n| scalar(n, src)) {
        names.push(n);
    }
    let wf_env = env_block(get(root, src, "env"), src);
    let Some(jobs) = get(root, src, "jobs") else {
        return out;
    };
    for (job_id, job) in pairs(jobs, src) {
        let mut job_names = names.clone();
        job_names.push(job_id);
        if let Some((n, _)) = get(job, src, "name").and_then(|n| scalar(n, src)) {
            job_names.push(n);
        }
        let mut job_env = wf_env.clone();
        job_env.extend(env_block(get(job, src, "env"), src));
        let deploy = deploy_reason(environment(get(job, src, "environment"), src).as_deref());
        let has_services = get(job, src, "services").is_some();
        let Some(steps) = get(job, src, "steps") else {
            continue;
        };
        for step in items(steps) {
            let Some(run) = get(step, src, "run") else {
                continue;
            };
            if let Some((shell, _)) = get(step, src, "shell").and_then(|s| scalar(s, src)) {
                if !matches!(shell.split_whitespace().next(), Some("bash" | "sh")) {
                    continue;
                }
            }
            let Some((text, map)) = scalar(run, src) else {
                continue;
            };
            let mut ctx = HostContext::new(FileKind::GithubWorkflow);
            ctx.names = job_names.clone();
            if let Some((n, _)) = get(step, src, "name").and_then(|n| scalar(n, src)) {
                ctx.names.push(n);
            }
            ctx.env = job_env.clone();
            ctx.env.extend(env_block(get(step, src, "env"), src));
            ctx.deploy = deploy.clone();
            ctx.has_services = has_services;
            out.push(Fragment::shell(text, map, Arc::new(ctx)));
        }
    }
    out
}

const GITLAB_RESERVED: &[&str] = &[
    "stages",
    "variables",
    "default",
    "include",
    "workflow",
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
    "spec",
];
const GITLAB_SCRIPTS: &[&str] = &["before_script", "script", "after_script"];

/// GitLab CI configuration.
pub fn extract_gitlab(src: &str) -> Vec<Fragment> {
    let Some(tree) = YAML.with(|p| p.borrow_mut().parse(src, None)) else {
        return Vec::new();
    };
    let Some(root) = document_root(&tree) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let global_env = env_block(get(root, src, "variables"), src);
    let mut emit = |node: Node, ctx: &HostContext| {
        let mut entries = vec![node];
        // `script:` is a string or a (possibly nested) list of strings.
        while let Some(n) = entries.pop() {
            let list = items(n);
            if list.is_empty() {
                if let Some((text, map)) = scalar(n, src) {
                    out.push(Fragment::shell(text, map, Arc::new(ctx.clone())));
                }
            } else {
                entries.extend(list.into_iter().rev());
            }
        }
    };
    for key in ["before_script", "after_script"] {
        if let Some(node) = get(root, src, key) {
            let mut ctx = HostContext::new(FileKind::GitlabCi);
            ctx.env = global_env.clone();
            emit(node, &ctx);
        }
    }
    if let Some(default) = get(root, src, "default") {
        for key in ["before_script", "after_script"] {
            if let Some(node) = get(default, src, key) {
                let mut ctx = HostContext::new(FileKind::GitlabCi);
                ctx.env = global_env.clone();
                emit(node, &ctx);
            }
        }
    }
    for (job_name, job) in pairs(root, src) {
        if GITLAB_RESERVED.contains(&job_name.as_str()) {
            continue;
        }
        let mut ctx = HostContext::new(FileKind::GitlabCi);
        ctx.names.push(job_name.clone());
        if let Some((stage, _)) = get(job, src, "stage").and_then(|s| scalar(s, src)) {
            ctx.names.push(stage);
        }
        ctx.env = global_env.clone();
        ctx.env.extend(env_block(get(job, src, "variables"), src));
        ctx.deploy = deploy_reason(environment(get(job, src, "environment"), src).as_deref());
        ctx.has_services = get(job, src, "services").is_some();
        for key in GITLAB_SCRIPTS {
            if let Some(node) = get(job, src, key) {
                emit(node, &ctx);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fragment::Body;

    fn texts(f: &[Fragment]) -> Vec<String> {
        f.iter()
            .map(|f| match &f.body {
                Body::Shell { text, .. } => text.clone(),
                Body::Argv(_) => String::new(),
            })
            .collect()
    }

    const WF: &str = "name: Deploy\non: push\nenv:\n  A: \"1\"\njobs:\n  migrate:\n    environment: production\n    services:\n      postgres:\n        image: postgres\n    env:\n      DATABASE_URL: ${{ secrets.DATABASE_URL }}\n    steps:\n      - name: one\n        run: |\n          echo hi\n          npx prisma migrate reset --force\n      - run: \"npx prisma \\\"db\\\" push\"\n      - run: >\n          npx prisma\n          migrate deploy\n      - uses: actions/checkout@v4\n      - shell: python\n        run: print('x')\n";

    #[test]
    fn github_run_steps_with_context() {
        let f = extract_github(WF, ".github/workflows/deploy.yml");
        assert_eq!(
            texts(&f),
            [
                "echo hi\nnpx prisma migrate reset --force\n",
                "npx prisma \"db\" push",
                "npx prisma migrate deploy\n"
            ]
        );
        let ctx = &f[0].ctx;
        assert_eq!(ctx.names, ["deploy", "Deploy", "migrate", "one"]);
        assert_eq!(
            ctx.env,
            [
                ("A".into(), "1".into()),
                ("DATABASE_URL".into(), "${{ secrets.DATABASE_URL }}".into())
            ]
        );
        assert!(ctx.deploy.is_some());
        assert!(ctx.has_services);
        // Positions inside the block scalar map to the host line.
        let Body::Shell { text, map } = &f[0].body else {
            panic!()
        };
        let at = text.find("prisma").unwrap();
        assert_eq!(&WF[map.to_host(at)..map.to_host(at) + 6], "prisma");
        let Body::Shell { text, map } = &f[2].body else {
            panic!()
        };
        let at = text.find("migrate").unwrap();
        assert_eq!(&WF[map.to_host(at)..map.to_host(at) + 7], "migrate");
    }

    #[test]
    fn gitlab_scripts() {
        let src = "variables:\n  DATABASE_URL: postgres://postgres@postgres/app_test\nstages: [test]\ndefault:\n  before_script:\n    - npm ci\ntest:\n  stage: test\n  services: [postgres]\n  script:\n    - npx prisma migrate reset --force\n    - |\n      npm test\n  after_script: echo done\n";
        let f = extract_gitlab(src);
        assert_eq!(
            texts(&f),
            [
                "npm ci",
                "npx prisma migrate reset --force",
                "npm test\n",
                "echo done"
            ]
        );
        assert_eq!(f[1].ctx.names, ["test", "test"]);
        assert!(f[1].ctx.has_services);
        assert_eq!(f[1].ctx.env[0].0, "DATABASE_URL");
    }

    #[test]
    fn tolerates_odd_documents() {
        assert!(extract_github("", "x.yml").is_empty());
        assert!(extract_github("- a\n- b", "x.yml").is_empty());
        assert!(extract_github("jobs: [1, 2]", "x.yml").is_empty());
        assert!(extract_gitlab("a: &x [*x]").is_empty());
    }
}
