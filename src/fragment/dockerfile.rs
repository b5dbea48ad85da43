//! Dockerfile: `RUN` instructions (shell and exec form) are fragments; `ENV`/`ARG` values set
//! before a `RUN` are its environment. A `RUN` executes at image build, a deploy context.

use std::sync::Arc;

use super::escape::push_escaped;
use super::map::FragmentBuilder;
use super::{Body, Fragment, HostContext};
use crate::lang::FileKind;
use crate::shell::words::{unquote, Word};

/// One logical instruction: its text with continuations joined, and the map.
struct Instruction {
    text: String,
    map: super::map::OffsetMap,
}

/// Joins `\`-continued lines; comment lines inside a continuation are dropped, as Docker does.
fn instructions(src: &str) -> Vec<Instruction> {
    let mut out = Vec::new();
    let mut b: Option<FragmentBuilder> = None;
    let mut offset = 0;
    for line in src.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        let trimmed = content.trim_start();
        if b.is_some() && trimmed.starts_with('#') {
            continue;
        }
        if b.is_none() && (trimmed.is_empty() || trimmed.starts_with('#')) {
            continue;
        }
        let builder = b.get_or_insert_with(FragmentBuilder::new);
        let continued = content.trim_end().ends_with('\\');
        // Keep the line as written; a trailing `\` + newline is a shell line continuation.
        builder.push_verbatim(&line[..content.len()], start);
        if continued {
            builder.push_verbatim(&line[content.len()..], start + content.len());
        } else {
            let (text, map) = b.take().expect("builder").finish();
            out.push(Instruction { text, map });
        }
    }
    if let Some(builder) = b {
        let (text, map) = builder.finish();
        out.push(Instruction { text, map });
    }
    out
}

pub fn extract(src: &str) -> Vec<Fragment> {
    let mut out = Vec::new();
    let mut env: Vec<(String, String)> = Vec::new();
    for ins in instructions(src) {
        let text = ins.text.as_str();
        let lead = text.len() - text.trim_start().len();
        let keyword_end = text[lead..]
            .find(char::is_whitespace)
            .map(|i| lead + i)
            .unwrap_or(text.len());
        let keyword = text[lead..keyword_end].to_ascii_uppercase();
        let mut rest =
            keyword_end + (text[keyword_end..].len() - text[keyword_end..].trim_start().len());
        match keyword.as_str() {
            "FROM" => env.clear(),
            "ENV" | "ARG" => env.extend(env_pairs(&text[rest..])),
            "RUN" => {
                // Skip `--mount=…`, `--network=…` flags.
                while text[rest..].starts_with("--") {
                    let end = text[rest..]
                        .find(char::is_whitespace)
                        .map(|i| rest + i)
                        .unwrap_or(text.len());
                    rest = end + (text[end..].len() - text[end..].trim_start().len());
                }
                if text[rest..].starts_with("<<") {
                    continue; // heredoc RUN: not supported yet
                }
                let mut ctx = HostContext::new(FileKind::Dockerfile);
                ctx.env = env.clone();
                ctx.deploy = Some("a Dockerfile `RUN` executes during the image build".into());
                let ctx = Arc::new(ctx);
                if text[rest..].starts_with('[') {
                    if let Some(words) = exec_form(text, &ins.map, rest) {
                        let span = ins.map.range_to_host(rest..text.trim_end().len());
                        out.push(Fragment {
                            body: Body::Argv(words),
                            span,
                            ctx,
                            refused_in_test: false,
                        });
                    }
                } else {
                    let mut b = FragmentBuilder::new();
                    b.push_from(text, &ins.map, rest..text.len());
                    let (t, m) = b.finish();
                    out.push(Fragment::shell(t, m, ctx));
                }
            }
            _ => {}
        }
    }
    out
}

/// `ENV A=1 B="two"` or the legacy `ENV A 1`.
fn env_pairs(s: &str) -> Vec<(String, String)> {
    let s = s.trim();
    if !s.contains('=')
        || s.split_whitespace()
            .next()
            .is_some_and(|w| !w.contains('='))
    {
        let mut it = s.splitn(2, char::is_whitespace);
        return match (it.next(), it.next()) {
            (Some(k), Some(v)) => vec![(k.to_string(), v.trim().to_string())],
            _ => Vec::new(),
        };
    }
    let map = super::map::OffsetMap::linear(0, s.len());
    let mut out = Vec::new();
    // Split on unquoted whitespace, then unquote each `K=V`.
    let mut start = None;
    let mut quote = None;
    let bytes = s.as_bytes();
    for i in 0..=bytes.len() {
        let c = bytes.get(i).copied();
        match (c, quote) {
            (Some(q @ (b'"' | b'\'')), None) => {
                quote = Some(q);
                start.get_or_insert(i);
            }
            (Some(q), Some(open)) if q == open => quote = None,
            (Some(b' ' | b'\t' | b'\\' | b'\n' | b'\r') | None, None) => {
                if let Some(st) = start.take() {
                    let w: Word = unquote(s, &map, st..i);
                    if let Some((k, v)) = w.as_assignment() {
                        out.push((k.to_string(), v.text));
                    }
                }
            }
            _ => {
                start.get_or_insert(i);
            }
        }
    }
    out
}

/// `RUN ["npx", "prisma", "migrate", "reset"]`: the JSON array's strings are the argv.
fn exec_form(text: &str, map: &super::map::OffsetMap, open: usize) -> Option<Vec<Word>> {
    let mut words = Vec::new();
    let bytes = text.as_bytes();
    let mut i = open + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let start = i + 1;
                let mut j = start;
                while j < bytes.len() && bytes[j] != b'"' {
                    j += if bytes[j] == b'\\' { 2 } else { 1 };
                }
                let end = j.min(bytes.len());
                let mut b = FragmentBuilder::new();
                let mut local = FragmentBuilder::new();
                push_escaped(&mut local, text, start..end, 0);
                let (ltext, lmap) = local.finish();
                // Map through the instruction's map to the host.
                for (k, ch) in ltext.char_indices() {
                    b.push_decoded(&ch.to_string(), map.to_host(lmap.to_host(k)));
                }
                let (wtext, wmap) = b.finish();
                words.push(Word {
                    dynamic: wtext.contains('$'),
                    span: map.range_to_host(start - 1..(end + 1).min(text.len())),
                    text: wtext,
                    map: wmap,
                });
                i = end + 1;
            }
            b']' => return Some(words),
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::commands;

    #[test]
    fn run_lines_with_continuations_and_exec_form() {
        let src = "FROM node:20\nENV DATABASE_URL=postgres://localhost/x NODE_ENV=\"production\"\nRUN npm ci && \\\n    # a comment\n    npx prisma db push \\\n      --accept-data-loss\nRUN [\"npx\", \"prisma\", \"migrate\", \"reset\"]\nCMD [\"node\", \"x\"]\n";
        let f = extract(src);
        assert_eq!(f.len(), 2);
        assert_eq!(
            f[0].ctx.env,
            [
                ("DATABASE_URL".into(), "postgres://localhost/x".into()),
                ("NODE_ENV".into(), "production".into())
            ]
        );
        let cmds = commands(&f[0]);
        let push = cmds.iter().find(|c| c.program() == "prisma").unwrap();
        assert!(push.has_flag("--accept-data-loss"));
        assert_eq!(&src[push.argv[0].span.clone()], "prisma");
        let flag = push.flag("--accept-data-loss").unwrap();
        assert_eq!(&src[flag.span.clone()], "--accept-data-loss");
        let exec = commands(&f[1]);
        assert_eq!(exec[0].program(), "prisma");
        assert_eq!(&src[exec[0].argv[0].span.clone()], "\"prisma\"");
    }

    #[test]
    fn legacy_env_form() {
        assert_eq!(
            env_pairs("PGHOST db.internal"),
            [("PGHOST".to_string(), "db.internal".to_string())]
        );
    }
}
