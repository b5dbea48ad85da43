//! Where a host file's comments are. Rules that read raw text (URLs, variable names) skip
//! them, and suppressions (`dbguard-ignore`) live in them.
//!
//! The scanners are lexical and conservative: a `#` starts a comment only at the start of a
//! line or after whitespace (shell, YAML, Makefile, Dockerfile, TOML, `.env`), outside quotes;
//! SQL has `--` and `/* */` outside strings; JS/TS comments come from the syntax tree.
//! `package.json` has none.

use std::ops::Range;

use crate::lang::FileKind;

/// Byte ranges of the comments of `text`, in order. `js` is the file's tree for JS/TS (no
/// tree, no comments: text that cannot be parsed is not guessed at).
pub fn ranges(kind: FileKind, text: &str, js: Option<&tree_sitter::Tree>) -> Vec<Range<usize>> {
    match kind {
        FileKind::Js(_) => js.map(js_comments).unwrap_or_default(),
        FileKind::Sql => sql_comments(text),
        FileKind::PackageJson => Vec::new(),
        FileKind::Dockerfile => line_comments(text, true),
        FileKind::Shell
        | FileKind::Makefile
        | FileKind::GithubWorkflow
        | FileKind::GitlabCi
        | FileKind::Env
        | FileKind::Compose => line_comments(text, false),
    }
}

/// True when `offset` is inside one of `ranges` (sorted).
pub fn contains(ranges: &[Range<usize>], offset: usize) -> bool {
    let i = ranges.partition_point(|r| r.end <= offset);
    ranges.get(i).is_some_and(|r| r.start <= offset)
}

fn js_comments(tree: &tree_sitter::Tree) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    super::preorder(tree.root_node(), |node| {
        if node.kind() == "comment" || node.kind() == "html_comment" {
            out.push(node.byte_range());
        }
    });
    out
}

/// `#` comments. With `line_start_only` (Dockerfile) only a `#` that begins a line counts.
fn line_comments(text: &str, line_start_only: bool) -> Vec<Range<usize>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    let mut line_start = true;
    while i < b.len() {
        let c = b[i];
        if c == b'\n' {
            // Quotes do not span lines in the hosts whose comments matter here (YAML, .env,
            // Makefile); a shell string that does is rare and only hides a comment.
            quote = None;
            line_start = true;
            i += 1;
            continue;
        }
        match quote {
            Some(q) => {
                if c == b'\\' && q == b'"' {
                    i += 1;
                } else if c == q {
                    quote = None;
                }
            }
            None if c == b'#' && (line_start || (!line_start_only && is_space_before(b, i))) => {
                let end = memchr_newline(b, i);
                out.push(i..end);
                i = end;
                continue;
            }
            None if line_start_only => {}
            None if c == b'\'' || c == b'"' => quote = Some(c),
            None if c == b'\\' => i += 1,
            None => {}
        }
        if !c.is_ascii_whitespace() {
            line_start = false;
        }
        i += 1;
    }
    out
}

fn is_space_before(b: &[u8], i: usize) -> bool {
    i > 0 && matches!(b[i - 1], b' ' | b'\t')
}

fn memchr_newline(b: &[u8], from: usize) -> usize {
    b[from..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |p| from + p)
}

fn sql_comments(text: &str) -> Vec<Range<usize>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match crate::sql::skip_literal(b, i) {
            Some(last) => {
                // A `--` comment ends before its newline; strings are not comments.
                if b[i] == b'-' {
                    out.push(i..memchr_newline(b, i));
                } else if b[i] == b'/' {
                    out.push(i..(last + 1).min(b.len()));
                }
                i = last + 1;
            }
            None => i += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::JsDialect;

    fn texts(kind: FileKind, src: &str) -> Vec<String> {
        let tree = match kind {
            FileKind::Js(d) => crate::fragment::javascript::parse(d, src),
            _ => None,
        };
        ranges(kind, src, tree.as_ref())
            .into_iter()
            .map(|r| src[r].to_string())
            .collect()
    }

    #[test]
    fn shell_like_comments() {
        let src = "# top\nA=\"x # not\" # tail\nB=a#b\n  # indented\n";
        assert_eq!(
            texts(FileKind::Shell, src),
            ["# top", "# tail", "# indented"]
        );
        assert_eq!(
            texts(FileKind::GithubWorkflow, "run: echo 'a # b' # c\n"),
            ["# c"]
        );
        // Dockerfile: only whole-line comments.
        assert_eq!(
            texts(FileKind::Dockerfile, "# c\nRUN echo a # b\n"),
            ["# c"]
        );
    }

    #[test]
    fn sql_and_js_comments() {
        assert_eq!(
            texts(FileKind::Sql, "select '--x'; -- one\n/* two */ select 1;"),
            ["-- one", "/* two */"]
        );
        assert_eq!(
            texts(
                FileKind::Js(JsDialect::TypeScript),
                "const a = '// no'; // yes\n/* also */ f();"
            ),
            ["// yes", "/* also */"]
        );
        assert!(texts(FileKind::PackageJson, "{\"a\": \"# no\"}").is_empty());
    }

    #[test]
    fn contains_is_exact() {
        let r = [2..4, 8..9];
        assert!(!contains(&r, 1));
        assert!(contains(&r, 2));
        assert!(contains(&r, 3));
        assert!(!contains(&r, 4));
        assert!(contains(&r, 8));
        assert!(!contains(&r, 9));
    }
}
