//! Dockerfile: `RUN` instructions (shell form, exec form and heredocs) are fragments, and so are
//! `CMD` and `ENTRYPOINT`; `ENV`/`ARG` values set before them are their environment. A `RUN`
//! executes at image build and `CMD`/`ENTRYPOINT` on every container start: deploy contexts.
//!
//! Lines are read the way BuildKit reads them: the `# escape=` parser directive picks the
//! continuation character (`\` or `` ` ``), comment and empty lines inside a continuation are
//! dropped, and the lines of a heredoc body (`RUN <<EOT … EOT`) belong to their instruction.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use super::escape::push_escaped;
use super::map::{FragmentBuilder, OffsetMap};
use super::{Body, Fragment, HostContext};
use crate::lang::FileKind;
use crate::shell::normalize::program_name;
use crate::shell::words::{unquote, Word};
use crate::target::{classify_value, UrlClass};

/// One logical instruction: its text with continuations joined, the map, and its heredocs.
struct Instruction {
    text: String,
    map: OffsetMap,
    heredocs: Vec<Heredoc>,
}

/// A heredoc of a `RUN`/`COPY`/`ADD`: the lines after the instruction up to the delimiter.
struct Heredoc {
    /// Host ranges of the body lines, without newline (and without leading tabs if `chomp`).
    body: Vec<Range<usize>>,
    /// Host range of the terminator line (the delimiter word).
    terminator: Range<usize>,
}

/// A `<<WORD` marker in an instruction, as BuildKit recognises it: a whole shell word of the
/// form `[n]<<[-]WORD` (not a here-string `<<<`).
struct Marker {
    /// Range of the marker word in the instruction text.
    range: Range<usize>,
    /// The delimiter with quotes removed.
    name: String,
    /// `<<-`: leading tabs are stripped from the body lines and the terminator.
    chomp: bool,
    /// The body goes to standard input (no file descriptor, or `0<<`).
    stdin: bool,
}

/// The parser directive `# escape=…` at the top of the file: `\` (default) or `` ` ``.
/// Directives end at the first line that is not one (a comment, an empty line, an instruction).
fn escape_char(src: &str) -> char {
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let mut escape = '\\';
    for line in src.lines() {
        let Some(rest) = line.trim().strip_prefix('#') else {
            break;
        };
        let Some((key, value)) = rest.split_once('=') else {
            break;
        };
        let key = key.trim();
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric()) {
            break;
        }
        if key.eq_ignore_ascii_case("escape") {
            match value.trim() {
                "`" => escape = '`',
                "\\" => escape = '\\',
                _ => {}
            }
        }
    }
    escape
}

/// The lines of the file: host start and content without the line ending.
fn physical_lines(src: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in src.split_inclusive('\n') {
        out.push((offset, line.trim_end_matches(['\n', '\r'])));
        offset += line.len();
    }
    out
}

/// Where the continuation character of a continued line stands, if the line is continued:
/// the line ends with the escape character (trailing blanks allowed) not itself escaped.
fn continuation(content: &str, escape: char) -> Option<usize> {
    let t = content.trim_end_matches([' ', '\t']);
    let cut = t.strip_suffix(escape)?.len();
    (!t[..cut].ends_with(escape)).then_some(cut)
}

fn is_comment_or_empty(content: &str) -> bool {
    let t = content.trim_start();
    t.is_empty() || t.starts_with('#')
}

/// Joins continued lines as BuildKit does: the escape character and the line break are removed
/// and the lines are concatenated; comment and empty lines inside a continuation are dropped.
/// The heredoc bodies of `RUN`/`COPY`/`ADD` are taken with their instruction, so their lines
/// are never read as instructions.
fn instructions(src: &str) -> Vec<Instruction> {
    let escape = escape_char(src);
    let lines = physical_lines(src);
    let mut delimiters: Option<Delimiters> = None;
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let (mut start, mut content) = lines[i];
        i += 1;
        if is_comment_or_empty(content) {
            continue;
        }
        let mut b = FragmentBuilder::new();
        loop {
            let Some(cut) = continuation(content, escape) else {
                b.push_verbatim(content, start);
                break;
            };
            b.push_verbatim(&content[..cut], start);
            // The next line that is not a comment or empty continues the instruction.
            while i < lines.len() && is_comment_or_empty(lines[i].1) {
                i += 1;
            }
            let Some(&next) = lines.get(i) else {
                break;
            };
            i += 1;
            (start, content) = next;
        }
        let (text, map) = b.finish();
        let markers = if takes_heredocs(&text) {
            heredoc_markers(&text)
        } else {
            Vec::new()
        };
        let heredocs = if markers.is_empty() {
            Vec::new()
        } else {
            let d = delimiters.get_or_insert_with(|| Delimiters::new(&lines));
            read_heredocs(&markers, &lines, d, &mut i)
        };
        out.push(Instruction {
            text,
            map,
            heredocs,
        });
    }
    out
}

/// BuildKit reads heredocs for `RUN`, `COPY` and `ADD` only.
fn takes_heredocs(text: &str) -> bool {
    let keyword = text.split_whitespace().next().unwrap_or("");
    ["RUN", "COPY", "ADD"]
        .iter()
        .any(|k| k.eq_ignore_ascii_case(keyword))
}

/// Where each line that could end a heredoc stands, so that finding a delimiter is a lookup
/// and a file full of unterminated `<<EOF` markers is still read in linear time.
struct Delimiters<'a> {
    /// Line text → ascending line indices.
    raw: HashMap<&'a str, Vec<usize>>,
    /// The same with leading tabs stripped, for `<<-`.
    chomped: HashMap<&'a str, Vec<usize>>,
}

impl<'a> Delimiters<'a> {
    fn new(lines: &[(usize, &'a str)]) -> Self {
        let mut d = Delimiters {
            raw: HashMap::new(),
            chomped: HashMap::new(),
        };
        for (k, (_, content)) in lines.iter().enumerate() {
            d.raw.entry(content).or_default().push(k);
            d.chomped
                .entry(content.trim_start_matches('\t'))
                .or_default()
                .push(k);
        }
        d
    }

    /// The first line at or after `from` that ends the heredoc `m`.
    fn find(&self, m: &Marker, from: usize) -> Option<usize> {
        let table = if m.chomp { &self.chomped } else { &self.raw };
        let at = table.get(m.name.as_str())?;
        at.get(at.partition_point(|&k| k < from)).copied()
    }
}

/// Reads the bodies of `markers` from `lines[*i..]`, in order. When a delimiter never comes
/// (BuildKit refuses such a file) nothing is taken, so the following lines stay instructions.
fn read_heredocs(
    markers: &[Marker],
    lines: &[(usize, &str)],
    delimiters: &Delimiters,
    i: &mut usize,
) -> Vec<Heredoc> {
    let mut out = Vec::new();
    let mut j = *i;
    // Host range of a line, without the tabs `<<-` strips.
    let range = |k: usize, chomp: bool| {
        let (start, content): (usize, &str) = lines[k];
        let tabs = if chomp {
            content.len() - content.trim_start_matches('\t').len()
        } else {
            0
        };
        start + tabs..start + content.len()
    };
    for m in markers {
        let Some(end) = delimiters.find(m, j) else {
            return Vec::new(); // unterminated
        };
        out.push(Heredoc {
            body: (j..end).map(|k| range(k, m.chomp)).collect(),
            terminator: range(end, m.chomp),
        });
        j = end + 1;
    }
    *i = j;
    out
}

/// A shell token of an instruction: a word, or an operator that ends a simple command.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(Range<usize>),
    Separator,
}

/// Splits shell text into words and command separators (`&&`, `||`, `;`, `|`, `&`, `(`, `)`),
/// keeping quotes and `$(…)` inside their word. Enough to find heredoc markers and the simple
/// command each belongs to; the real parse happens in the shell layer.
fn tokens(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut word: Option<usize> = None;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                if let Some(s) = word.take() {
                    out.push(Token::Word(s..i));
                }
                i += 1;
            }
            b';' | b'|' | b'(' | b')' => {
                if let Some(s) = word.take() {
                    out.push(Token::Word(s..i));
                }
                out.push(Token::Separator);
                i += 1;
            }
            // `&` ends a command, but `>&2`, `<&0` are redirections inside a word.
            b'&' if !(i > 0 && matches!(bytes[i - 1], b'>' | b'<')) => {
                if let Some(s) = word.take() {
                    out.push(Token::Word(s..i));
                }
                out.push(Token::Separator);
                i += 1;
            }
            // A `#` that starts a word starts a comment.
            b'#' if word.is_none() => break,
            _ => {
                word.get_or_insert(i);
                i = skip_word_piece(bytes, i);
            }
        }
    }
    if let Some(s) = word {
        out.push(Token::Word(s..bytes.len()));
    }
    out
}

/// Skips one piece of a word starting at `i`: a quoted string, a `\` escape, a `$(…)`/`${…}`
/// (balanced, quotes respected only shallowly), a backtick substitution, or one byte.
fn skip_word_piece(bytes: &[u8], i: usize) -> usize {
    let closing = |open: u8, close: u8, from: usize| {
        let mut depth = 0usize;
        let mut j = from;
        while j < bytes.len() {
            match bytes[j] {
                b'\\' => j += 1,
                c if c == open => depth += 1,
                c if c == close => {
                    depth -= 1;
                    if depth == 0 {
                        return j + 1;
                    }
                }
                _ => {}
            }
            j += 1;
        }
        bytes.len()
    };
    match bytes[i] {
        b'\\' => (i + 2).min(bytes.len()),
        q @ (b'\'' | b'`') => bytes[i + 1..]
            .iter()
            .position(|&c| c == q)
            .map_or(bytes.len(), |p| i + p + 2),
        b'"' => {
            let mut j = i + 1;
            while j < bytes.len() && bytes[j] != b'"' {
                j += if bytes[j] == b'\\' { 2 } else { 1 };
            }
            (j + 1).min(bytes.len())
        }
        b'$' if bytes.get(i + 1) == Some(&b'(') => closing(b'(', b')', i + 1),
        b'$' if bytes.get(i + 1) == Some(&b'{') => closing(b'{', b'}', i + 1),
        _ => i + 1,
    }
}

/// The heredoc marker a word is, if any: `[n]<<[-]WORD` with the quotes of WORD removed, and
/// whether it is `<<-`.
fn marker(word: &str) -> Option<(String, bool)> {
    let rest = word.trim_start_matches(|c: char| c.is_ascii_digit());
    let rest = rest.strip_prefix("<<")?;
    let (chomp, rest) = match rest.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    if rest.is_empty() || rest.contains('<') {
        return None;
    }
    let name: String = rest.chars().filter(|c| !matches!(c, '"' | '\'')).collect();
    (!name.is_empty()).then_some((name, chomp))
}

/// Every heredoc marker of an instruction, in order.
fn heredoc_markers(text: &str) -> Vec<Marker> {
    tokens(text)
        .into_iter()
        .filter_map(|t| match t {
            Token::Word(r) => marker(&text[r.clone()]).map(|(name, chomp)| Marker {
                stdin: matches!(text[r.clone()].split("<<").next(), Some("" | "0")),
                range: r,
                name,
                chomp,
            }),
            Token::Separator => None,
        })
        .collect()
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
        let mut rest = skip_blanks(text, keyword_end);
        let deploy = match keyword.as_str() {
            "FROM" => {
                env.clear();
                continue;
            }
            "ENV" | "ARG" => {
                env.extend(env_pairs(&text[rest..]));
                continue;
            }
            "RUN" => "a Dockerfile `RUN` executes during the image build",
            "CMD" => "a Dockerfile `CMD` runs on every container start",
            "ENTRYPOINT" => "a Dockerfile `ENTRYPOINT` runs on every container start",
            _ => continue,
        };
        if keyword == "RUN" {
            // Skip `--mount=…`, `--network=…` flags.
            while text[rest..].starts_with("--") {
                let end = text[rest..]
                    .find(char::is_whitespace)
                    .map(|i| rest + i)
                    .unwrap_or(text.len());
                rest = skip_blanks(text, end);
            }
        }
        let mut ctx = HostContext::new(FileKind::Dockerfile);
        ctx.env = env.clone();
        if keyword != "RUN" {
            // At container start the deployment's environment overrides ENV (and ARG is gone):
            // a local database URL written here does not pin the runtime target.
            ctx.env.retain(|(_, v)| {
                !matches!(classify_value(v), UrlClass::Local(_) | UrlClass::TestDb(_))
            });
        }
        ctx.deploy = Some(deploy.into());
        let ctx = Arc::new(ctx);
        if !ins.heredocs.is_empty() {
            out.extend(heredoc_run(src, &ins, rest, ctx));
        } else if text[rest..].starts_with('[') {
            if let Some(words) = exec_form(text, &ins.map, rest) {
                let span = ins.map.range_to_host(rest..text.trim_end().len());
                out.push(Fragment {
                    body: Body::Argv(words),
                    span,
                    ctx,
                    refused_in_test: false,
                    host_guard: None,
                });
            }
        } else {
            let mut b = FragmentBuilder::new();
            b.push_from(text, &ins.map, rest..text.len());
            let (t, m) = b.finish();
            out.push(Fragment::shell(t, m, ctx));
        }
    }
    out
}

fn skip_blanks(text: &str, from: usize) -> usize {
    from + (text[from..].len() - text[from..].trim_start().len())
}

/// A `RUN` with heredocs. `RUN <<EOT` alone runs the body as a script (unless a shebang names
/// another interpreter). Any other form is, as in BuildKit, the command line followed by the
/// bodies and delimiters, handed to the shell: `RUN <<EOT bash`, `RUN python3 <<EOF`,
/// `RUN <<EOT cat > /etc/motd` then mean what the shell makes of them.
fn heredoc_run(
    src: &str,
    ins: &Instruction,
    rest: usize,
    ctx: Arc<HostContext>,
) -> Option<Fragment> {
    let text = ins.text.as_str();
    let markers = heredoc_markers(&text[rest..]);
    if markers.len() != ins.heredocs.len() {
        return None; // a marker in the flags: not a form BuildKit runs
    }
    let mut b = FragmentBuilder::new();
    if ins.heredocs.len() == 1 && markers[0].range == (0..text[rest..].trim_end().len()) {
        let doc = &ins.heredocs[0];
        if let Some(first) = doc.body.first() {
            if !shebang_is_shell(&src[first.clone()]) {
                return None;
            }
        }
        push_lines(&mut b, src, &doc.body);
    } else {
        push_heredoc_script(&mut b, src, ins, rest, &markers);
    }
    let (t, m) = b.finish();
    Some(Fragment::shell(t, m, ctx))
}

/// Appends heredoc body lines, each followed by a newline that maps to its line end.
fn push_lines(b: &mut FragmentBuilder, src: &str, lines: &[Range<usize>]) {
    for r in lines {
        b.push_verbatim(&src[r.clone()], r.start);
        b.push_decoded("\n", r.end);
    }
}

/// A first body line that is a shebang must name a shell for the body to be shell code.
fn shebang_is_shell(first: &str) -> bool {
    let Some(interp) = first.strip_prefix("#!") else {
        return true;
    };
    let mut words = interp.split_whitespace();
    let mut program = words.next().map(program_name).unwrap_or("");
    if program == "env" {
        program = words.find(|w| !w.starts_with('-')).unwrap_or("");
    }
    matches!(
        program,
        "sh" | "bash" | "dash" | "zsh" | "ksh" | "ash" | "mksh"
    )
}

/// Writes the command line of a heredoc `RUN` and its bodies as a script the shell layer
/// parses the way a shell runs it. Each simple command goes on a line of its own, followed by
/// the body of its standard-input heredoc: `<<A bash && <<B cat > f` becomes
/// `bash <<A`, body A, `A`, `cat > f <<B`, body B, `B`. Markers move after the command's words
/// (`<<EOT bash` is `bash <<EOT`); a command made of markers only gets the no-op `:` (its
/// bodies are data). Other heredocs of a command (`3<<X`, all but the last) are not stdin and
/// are left out. Lists (`&&`, `|`) become separate lines: what each command runs is kept,
/// not how they chain.
fn push_heredoc_script(
    b: &mut FragmentBuilder,
    src: &str,
    ins: &Instruction,
    rest: usize,
    markers: &[Marker],
) {
    let (text, map) = (ins.text.as_str(), &ins.map);
    let host = |i: usize| map.to_host(rest + i);
    // Markers are in text order: a binary search keeps many of them cheap.
    let marker_at = |r: &Range<usize>| {
        markers
            .binary_search_by_key(&r.start, |m| m.range.start)
            .ok()
            .filter(|&k| markers[k].range == *r)
    };
    let mut commands: Vec<Vec<Range<usize>>> = vec![Vec::new()];
    for t in tokens(&text[rest..]) {
        match t {
            Token::Word(r) => commands.last_mut().expect("one").push(r),
            Token::Separator => commands.push(Vec::new()),
        }
    }
    for words in commands.iter().filter(|w| !w.is_empty()) {
        let stdin = words
            .iter()
            .filter_map(marker_at)
            .rfind(|&m| markers[m].stdin);
        let mut plain = words.iter().filter(|r| marker_at(r).is_none()).peekable();
        if plain.peek().is_none() {
            b.push_decoded(":", host(words[0].start));
        }
        for (k, w) in plain.enumerate() {
            if k > 0 {
                b.push_decoded(" ", host(w.start));
            }
            b.push_from(text, map, rest + w.start..rest + w.end);
        }
        if let Some(m) = stdin {
            let w = &markers[m].range;
            b.push_decoded(" ", host(w.start));
            b.push_from(text, map, rest + w.start..rest + w.end);
        }
        let last = words[words.len() - 1].end;
        b.push_decoded("\n", host(last - 1) + 1);
        if let Some(m) = stdin {
            let doc = &ins.heredocs[m];
            push_lines(b, src, &doc.body);
            push_lines(b, src, std::slice::from_ref(&doc.terminator));
        }
    }
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
        // Two `RUN`s and the `CMD`.
        assert_eq!(f.len(), 3);
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

    /// Every command of a Dockerfile: its argv joined, and the host text of its program word.
    fn run(src: &str) -> Vec<(String, String)> {
        extract(src)
            .iter()
            .flat_map(commands)
            .map(|c| {
                let argv: Vec<&str> = c.argv.iter().map(|w| w.text.as_str()).collect();
                (argv.join(" "), src[c.argv[0].span.clone()].to_string())
            })
            .collect()
    }

    fn has(cmds: &[(String, String)], argv: &str) -> bool {
        cmds.iter().any(|(a, _)| a == argv)
    }

    #[test]
    fn heredoc_run_bodies_are_scripts_with_exact_positions() {
        let src =
            "FROM node:20\nRUN <<EOT\nset -e\nnpx prisma migrate reset --force\nEOT\nCOPY . .\n";
        let f = extract(src);
        assert_eq!(f.len(), 1);
        let cmds = commands(&f[0]);
        let reset = cmds.iter().find(|c| c.program() == "prisma").unwrap();
        assert_eq!(&src[reset.span.clone()], "npx prisma migrate reset --force");
        assert_eq!(&src[reset.flag("--force").unwrap().span.clone()], "--force");
        // The instruction after the delimiter is read again.
        let src2 = format!("{src}RUN dropdb app\n");
        assert!(has(&run(&src2), "dropdb app"));
    }

    #[test]
    fn heredoc_forms_bash_chomp_quoted_and_several() {
        // `<<EOT bash`: the shell reads the body.
        let src = "RUN <<EOT bash\n  npx prisma migrate reset --force\nEOT\n";
        let c = run(src);
        assert!(has(&c, "prisma migrate reset --force"), "{c:?}");
        assert!(c.iter().all(|(a, _)| a != "EOT"), "{c:?}");
        // `<<-EOF`: tabs stripped from the body and the delimiter.
        let src =
            "RUN <<-EOF sh -e\n\tnpx prisma db push --accept-data-loss\n\tEOF\nRUN dropdb x\n";
        let c = run(src);
        let push = c
            .iter()
            .find(|(a, _)| a.starts_with("prisma db push"))
            .unwrap();
        assert_eq!(push.1, "prisma");
        assert!(has(&c, "dropdb x"));
        // A quoted delimiter, alone on the RUN line.
        let src = "RUN <<\"EOF\"\ndropdb \"$DB\"\nEOF\n";
        let f = extract(src);
        let cmds = commands(&f[0]);
        assert_eq!(cmds[0].program(), "dropdb");
        assert_eq!(&src[cmds[0].span.clone()], "dropdb \"$DB\"");
        // Several heredocs: one run by bash, one written to a file (data).
        let src = "RUN <<A bash && <<B cat > /notes.txt\ndropdb a\nA\ndropdb b\nB\nRUN dropdb c\n";
        let c = run(src);
        assert!(has(&c, "dropdb a"), "{c:?}");
        assert!(!has(&c, "dropdb b"), "{c:?}");
        assert!(has(&c, "dropdb c"), "{c:?}");
        let a = c.iter().find(|(a, _)| a == "dropdb a").unwrap();
        assert_eq!(a.1, "dropdb");
        // A heredoc fed to a command that comes first keeps working as stdin.
        let src = "RUN mongosh \"$MONGO_URL\" <<JS\ndb.dropDatabase()\nJS\n";
        let f = extract(src);
        let cmds = commands(&f[0]);
        assert_eq!(cmds[0].stdin_text(), Some("db.dropDatabase()\n"));
    }

    #[test]
    fn heredoc_look_alikes_are_data() {
        for src in [
            // Written to a file, by a heredoc before or after the command.
            "RUN <<EOT cat > /usr/local/bin/reset\nnpx prisma migrate reset --force\nEOT\n",
            "RUN cat <<'EOT' > /usr/local/bin/reset\nnpx prisma migrate reset --force\nEOT\n",
            // Another interpreter, by command or shebang.
            "RUN python3 <<EOF\nprint('npx prisma migrate reset --force')\nEOF\n",
            "RUN <<EOF\n#!/usr/bin/env python3\nimport os; os.system('npx prisma migrate reset --force')\nEOF\n",
            // Only markers: the shell runs nothing.
            "RUN <<A <<B\nnpx prisma migrate reset --force\nA\ndropdb x\nB\n",
            // COPY heredocs are files; their lines are not instructions.
            "COPY <<EOF /app/reset.sh\nRUN npx prisma migrate reset --force\nEOF\n",
        ] {
            let c = run(src);
            assert!(
                c.iter()
                    .all(|(a, _)| !a.starts_with("prisma") && !a.starts_with("dropdb")),
                "{src}: {c:?}"
            );
        }
        // A body line is not an ENV instruction.
        let src = "RUN <<EOT\necho hi\nEOT\nCOPY <<EOF /x\nENV DATABASE_URL=postgres://localhost/x\nEOF\nRUN dropdb app\n";
        let f = extract(src);
        assert!(f.iter().all(|f| f.ctx.env.is_empty()));
        // A shell shebang keeps the body shell.
        assert!(has(
            &run("RUN <<EOF\n#!/bin/bash -e\ndropdb app\nEOF\n"),
            "dropdb app"
        ));
    }

    #[test]
    fn unterminated_heredoc_takes_no_lines() {
        let c = run("RUN cat <<EOF > /x\nRUN dropdb app\n");
        assert!(has(&c, "dropdb app"), "{c:?}");
    }

    #[test]
    fn env_pins_build_time_not_container_start() {
        // The deployment's environment overrides ENV at container start.
        let f = extract("FROM node\nENV DATABASE_URL=postgres://localhost/x NODE_ENV=production\nRUN a\nCMD b\n");
        assert_eq!(f[0].ctx.env.len(), 2);
        assert_eq!(f[1].ctx.env, [("NODE_ENV".into(), "production".into())]);
    }

    #[test]
    fn cmd_and_entrypoint_run_on_container_start() {
        let src = "FROM node:20\nENV NODE_ENV=production\nCMD [\"sh\", \"-c\", \"npx prisma migrate reset --force && node server.js\"]\nENTRYPOINT npx prisma db push --accept-data-loss && node server.js\n";
        let f = extract(src);
        assert_eq!(f.len(), 2);
        assert!(matches!(f[0].body, Body::Argv(_)));
        assert!(f[0]
            .ctx
            .deploy
            .as_deref()
            .unwrap()
            .contains("`CMD` runs on every container start"));
        assert!(f[1].ctx.deploy.as_deref().unwrap().contains("`ENTRYPOINT`"));
        assert_eq!(f[1].ctx.env, [("NODE_ENV".into(), "production".into())]);
        let reset = commands(&f[0]);
        let reset = reset.iter().find(|c| c.program() == "prisma").unwrap();
        assert_eq!(&src[reset.span.clone()], "npx prisma migrate reset --force");
        let push = commands(&f[1]);
        let push = push.iter().find(|c| c.program() == "prisma").unwrap();
        assert_eq!(
            &src[push.flag("--accept-data-loss").unwrap().span.clone()],
            "--accept-data-loss"
        );
        // Look-alikes: other instructions that mention the commands run nothing.
        let c = run("LABEL x=\"npx prisma migrate reset\"\nCMD [\"echo\", \"prisma migrate reset\"]\nHEALTHCHECK NONE\nSTOPSIGNAL SIGTERM\n");
        assert!(c.iter().all(|(a, _)| !a.starts_with("prisma")), "{c:?}");
    }

    #[test]
    fn escape_directive_picks_the_continuation_character() {
        let src = "# escape=`\nFROM mcr.microsoft.com/windows\nRUN npx prisma db push `\n    --accept-data-loss\nRUN dir C:\\\nRUN dropdb app\n";
        let f = extract(src);
        assert_eq!(f.len(), 3, "a `\\` line end is no continuation here");
        let cmds = commands(&f[0]);
        let push = cmds.iter().find(|c| c.program() == "prisma").unwrap();
        assert!(push.subcommand_is(&["db", "push"]));
        let flag = push.flag("--accept-data-loss").unwrap();
        assert_eq!(&src[flag.span.clone()], "--accept-data-loss");
        assert_eq!(&src[push.argv[0].span.clone()], "prisma");
        // Without the directive (or after another line), a backtick ends nothing.
        let src = "FROM x\n# escape=`\nRUN echo `\nRUN dropdb app\n";
        assert_eq!(escape_char(src), '\\');
        assert!(has(&run(src), "dropdb app"));
        // Directives may come in any order at the top; case does not matter.
        assert_eq!(
            escape_char("# syntax=docker/dockerfile:1\n#ESCAPE = `\nFROM x\n"),
            '`'
        );
    }

    #[test]
    fn continuations_with_trailing_blanks_and_empty_lines() {
        let src = "RUN npx prisma db push \\  \n\n      --accept-data-loss\n";
        let c = run(src);
        assert!(has(&c, "prisma db push --accept-data-loss"), "{c:?}");
        // An escaped backslash at the end is not a continuation.
        let c = run("RUN echo a\\\\\nRUN dropdb app\n");
        assert!(has(&c, "dropdb app"), "{c:?}");
    }

    #[test]
    fn shell_instruction_does_not_stop_run_parsing() {
        let src = "FROM mcr.microsoft.com/powershell\nSHELL [\"pwsh\", \"-Command\"]\nRUN npx prisma migrate reset --force\n";
        let c = run(src);
        assert!(has(&c, "prisma migrate reset --force"), "{c:?}");
    }
}
