//! Makefile: recipe lines are shell fragments named after their target. Recipe prefixes
//! (`@`, `-`, `+`) are dropped, `$$` becomes `$`, `$(VAR)` is replaced by the variable's
//! value when the Makefile defines it literally, and otherwise becomes the shell expansion
//! `${VAR}` (dynamic). Variable definitions that hold database URLs are the recipe's env.

use std::collections::HashMap;
use std::sync::Arc;

use super::map::FragmentBuilder;
use super::{Fragment, HostContext};
use crate::lang::FileKind;

pub fn extract(src: &str) -> Vec<Fragment> {
    let vars = variables(src);
    let env: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let mut out = Vec::new();
    let mut target: Option<String> = None;
    let mut offset = 0;
    let mut lines = src.split_inclusive('\n').peekable();
    while let Some(line) = lines.next() {
        let start = offset;
        offset += line.len();
        if let Some(recipe) = line.strip_prefix('\t') {
            let Some(t) = &target else { continue };
            let mut b = FragmentBuilder::new();
            let mut body = recipe;
            let mut body_start = start + 1;
            // Recipe prefixes.
            let prefix = body.len() - body.trim_start_matches(['@', '-', '+', ' ']).len();
            body = &body[prefix..];
            body_start += prefix;
            push_recipe_line(&mut b, body, body_start, &vars);
            // `\`-continued lines belong to the same shell command; make strips one leading tab.
            let mut last = body;
            while last.trim_end_matches(['\n', '\r']).ends_with('\\') {
                let Some(next) = lines.next() else { break };
                let next_start = offset;
                offset += next.len();
                let (cont, cont_start) = match next.strip_prefix('\t') {
                    Some(rest) => (rest, next_start + 1),
                    None => (next, next_start),
                };
                push_recipe_line(&mut b, cont, cont_start, &vars);
                last = cont;
            }
            let (text, map) = b.finish();
            let mut ctx = HostContext::new(FileKind::Makefile);
            ctx.names.push(t.clone());
            ctx.env = env.clone();
            out.push(Fragment::shell(text, map, Arc::new(ctx)));
            continue;
        }
        let content = line.trim_end();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        target = rule_target(content);
    }
    out
}

/// `target other: deps` → `target`; variable assignments and directives are not rules.
fn rule_target(line: &str) -> Option<String> {
    if line.starts_with([' ', '\t']) {
        return None;
    }
    let colon = line.find(':')?;
    let after = &line[colon + 1..];
    if after.starts_with('=')
        || line[..colon].contains('=')
        || line[..colon].contains('$')
            && line[..colon].contains('(')
            && !line[..colon].contains(')')
    {
        return None;
    }
    line[..colon].split_whitespace().next().map(str::to_string)
}

/// `NAME = value`, `NAME := value`, `NAME ?= value`, `export NAME = value`: literal values only.
fn variables(src: &str) -> HashMap<String, String> {
    let mut vars = HashMap::new();
    for line in src.lines() {
        if line.starts_with('\t') {
            continue;
        }
        let line = line.trim().strip_prefix("export ").unwrap_or(line.trim());
        let Some(eq) = line.find('=') else { continue };
        let name = line[..eq]
            .trim_end_matches([':', '?', '+', '!', ':'])
            .trim();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let value = line[eq + 1..].trim();
        if !value.contains('$') {
            vars.insert(name.to_string(), value.to_string());
        }
    }
    vars
}

fn push_recipe_line(
    b: &mut FragmentBuilder,
    line: &str,
    start: usize,
    vars: &HashMap<String, String>,
) {
    let bytes = line.as_bytes();
    let mut last = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'$' || i + 1 >= bytes.len() {
            i += 1;
            continue;
        }
        b.push_verbatim(&line[last..i], start + last);
        match bytes[i + 1] {
            b'$' => {
                b.push_decoded("$", start + i);
                i += 2;
            }
            open @ (b'(' | b'{') => {
                let close = if open == b'(' { ')' } else { '}' };
                match line[i + 2..].find(close) {
                    Some(len)
                        if line[i + 2..i + 2 + len]
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_') =>
                    {
                        let name = &line[i + 2..i + 2 + len];
                        match vars.get(name) {
                            Some(value) => b.push_decoded(value, start + i),
                            None => b.push_decoded(&format!("${{{name}}}"), start + i),
                        }
                        i += len + 3;
                    }
                    _ => {
                        b.push_verbatim("$", start + i);
                        i += 1;
                    }
                }
            }
            _ => {
                b.push_verbatim(&line[i..i + 1], start + i);
                i += 1;
            }
        }
        last = i;
    }
    b.push_verbatim(&line[last..], start + last);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::commands;

    #[test]
    fn recipes_prefixes_continuations_and_variables() {
        let src = "PRISMA := npx prisma\n.PHONY: reset\nreset: deps\n\t@echo \"$$HOME\"\n\t-$(PRISMA) migrate \\\n\t\treset --force\n\n# dropdb x\nclean:\n\trm -rf dist\n";
        let f = extract(src);
        assert_eq!(f.len(), 3);
        assert_eq!(f[0].ctx.names, ["reset"]);
        let cmds = commands(&f[1]);
        let reset = cmds
            .iter()
            .find(|c| c.program() == "prisma")
            .expect("prisma");
        assert!(reset.subcommand_is(&["migrate", "reset"]));
        // The substituted program maps to where `$(PRISMA)` is written.
        let at = src.find("$(PRISMA)").unwrap();
        assert_eq!(reset.span.start, at);
        let flag = reset.flag("--force").unwrap();
        assert_eq!(&src[flag.span.clone()], "--force");
    }

    #[test]
    fn assignments_are_not_targets() {
        assert_eq!(rule_target("A := b"), None);
        assert_eq!(rule_target("deploy: build"), Some("deploy".into()));
        assert_eq!(rule_target("x = a:b"), None);
    }
}
