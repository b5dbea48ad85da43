//! Shell words: unquoting with an exact map back to the host file.

use std::ops::Range;

use crate::fragment::map::{FragmentBuilder, OffsetMap};

/// One word of a command after quote removal.
#[derive(Debug, Clone)]
pub struct Word {
    /// The word's value after quote removal. Expansions (`$VAR`, `$(…)`) are kept as written.
    pub text: String,
    /// True when part of the value comes from an expansion and is not known statically.
    pub dynamic: bool,
    /// Maps `text` to host offsets.
    pub map: OffsetMap,
    /// The word as written, in host offsets.
    pub span: Range<usize>,
}

impl Word {
    /// A word whose text is known and maps byte for byte.
    pub fn verbatim(text: &str, host_start: usize) -> Word {
        Word {
            text: text.to_string(),
            dynamic: false,
            map: OffsetMap::linear(host_start, text.len()),
            span: host_start..host_start + text.len(),
        }
    }

    /// Splits `NAME=value` into the name and the value word.
    pub fn as_assignment(&self) -> Option<(&str, Word)> {
        let eq = self.text.find('=')?;
        let name = &self.text[..eq];
        if !is_env_name(name) {
            return None;
        }
        let value_text = &self.text[eq + 1..];
        let mut b = FragmentBuilder::new();
        if !value_text.is_empty() {
            b.push_from(&self.text, &self.map, eq + 1..self.text.len());
        }
        let (text, map) = b.finish();
        let start = self.map.to_host(eq + 1);
        Some((
            name,
            Word {
                dynamic: self.dynamic && text.contains(['$', '`']),
                text,
                map,
                span: start..self.span.end.max(start),
            },
        ))
    }
}

/// Shell text standing for a JS template substitution `${…}` of `len` bytes: an expansion of
/// the same length (`${___}`), so the shell parser sees one dynamic word.
pub fn placeholder(len: usize) -> String {
    if len >= 4 {
        format!("${{{}}}", "_".repeat(len - 3))
    } else {
        format!("${}", "_".repeat(len.saturating_sub(1).max(1)))
    }
}

/// Shows placeholders as `${…}` in messages.
pub fn display(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("${_") {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 2..];
        let underscores = tail.len() - tail.trim_start_matches('_').len();
        if tail[underscores..].starts_with('}') {
            out.push_str("${…}");
            rest = &tail[underscores + 1..];
        } else {
            out.push_str("${");
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}

pub fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Removes shell quoting from `text[range]` (a word as written), mapping through `map`.
pub fn unquote(text: &str, map: &OffsetMap, range: Range<usize>) -> Word {
    #[derive(PartialEq, Clone, Copy)]
    enum Q {
        None,
        Single,
        Double,
        AnsiC,
    }
    let raw = &text[range.clone()];
    let mut b = FragmentBuilder::new();
    let mut dynamic = false;
    let mut q = Q::None;
    let mut chars = raw.char_indices().peekable();
    // Pushes one char that stands verbatim at raw offset `i`.
    let push = |b: &mut FragmentBuilder, i: usize, len: usize| {
        let s = range.start + i;
        b.push_from(text, map, s..s + len);
    };
    while let Some((i, c)) = chars.next() {
        match (q, c) {
            (Q::None, '\'') => q = Q::Single,
            (Q::None, '"') => q = Q::Double,
            (Q::None, '$') if chars.peek().map(|p| p.1) == Some('\'') => {
                chars.next();
                q = Q::AnsiC;
            }
            (Q::Single, '\'') | (Q::Double, '"') | (Q::AnsiC, '\'') => q = Q::None,
            (Q::None, '\\') => {
                if let Some((j, n)) = chars.next() {
                    if n != '\n' {
                        push(&mut b, j, n.len_utf8());
                    }
                }
            }
            (Q::Double, '\\') => match chars.peek().copied() {
                Some((j, n @ ('"' | '\\' | '$' | '`'))) => {
                    chars.next();
                    push(&mut b, j, n.len_utf8());
                }
                Some((_, '\n')) => {
                    chars.next();
                }
                _ => push(&mut b, i, 1),
            },
            (Q::AnsiC, '\\') => {
                if let Some((j, n)) = chars.next() {
                    let decoded = match n {
                        'n' => "\n".to_string(),
                        't' => "\t".to_string(),
                        'r' => "\r".to_string(),
                        other => other.to_string(),
                    };
                    b.push_decoded(&decoded, map.to_host(range.start + j - 1));
                }
            }
            (Q::None | Q::Double, '$' | '`') => {
                dynamic = true;
                push(&mut b, i, c.len_utf8());
            }
            _ => push(&mut b, i, c.len_utf8()),
        }
    }
    let (text_out, word_map) = b.finish();
    Word {
        text: text_out,
        dynamic,
        map: word_map,
        span: map.range_to_host(range),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uq(s: &str) -> Word {
        unquote(s, &OffsetMap::linear(100, s.len()), 0..s.len())
    }

    #[test]
    fn removes_quotes_and_keeps_map() {
        let w = uq(r#"--url="postgres://h/db""#);
        assert_eq!(w.text, "--url=postgres://h/db");
        assert!(!w.dynamic);
        assert_eq!(w.map.to_host(6), 107); // 'p' after the opening quote
        assert_eq!(w.span, 100..123);
    }

    #[test]
    fn marks_expansions_dynamic() {
        assert!(uq(r#""$DATABASE_URL""#).dynamic);
        assert!(uq("${X:-a}").dynamic);
        assert!(!uq(r"'$NOT'").dynamic);
        assert_eq!(uq(r"'$NOT'").text, "$NOT");
        assert_eq!(uq(r#"a\ b"#).text, "a b");
        assert_eq!(uq(r#""a\"b""#).text, "a\"b");
        assert_eq!(uq(r"$'a\nb'").text, "a\nb");
    }

    #[test]
    fn placeholders_have_the_substitution_length() {
        assert_eq!(placeholder(8), "${_____}");
        assert_eq!(placeholder(8).len(), 8);
        assert_eq!(
            display("redis-cli -u ${_____} flushall ${HOME}"),
            "redis-cli -u ${…} flushall ${HOME}"
        );
    }

    #[test]
    fn splits_assignments() {
        let w = uq("DATABASE_URL='postgres://localhost/x'");
        let (name, value) = w.as_assignment().unwrap();
        assert_eq!(name, "DATABASE_URL");
        assert_eq!(value.text, "postgres://localhost/x");
        assert_eq!(value.map.to_host(0), 114);
        assert!(uq("--x=1").as_assignment().is_none());
    }
}
