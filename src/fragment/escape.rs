//! Decoding of JS/JSON/YAML double-quoted string escapes into a fragment builder.

use super::map::FragmentBuilder;

/// Decodes one escape sequence (starting with a backslash). Returns the decoded text.
pub fn decode_escape(raw: &str) -> String {
    let body = &raw[1.min(raw.len())..];
    let mut chars = body.chars();
    let Some(c) = chars.next() else {
        return String::new();
    };
    match c {
        'n' => "\n".into(),
        't' => "\t".into(),
        'r' => "\r".into(),
        'b' => "\u{8}".into(),
        'f' => "\u{c}".into(),
        'v' => "\u{b}".into(),
        '0' if body.len() == 1 => "\0".into(),
        '\n' | '\r' | '\u{2028}' | '\u{2029}' => String::new(), // line continuation
        'x' => hex(&body[1..]).unwrap_or_default(),
        'u' => {
            let digits = body[1..].trim_start_matches('{').trim_end_matches('}');
            hex(digits).unwrap_or_default()
        }
        other => other.to_string(),
    }
}

fn hex(digits: &str) -> Option<String> {
    let v = u32::from_str_radix(digits, 16).ok()?;
    char::from_u32(v).map(String::from)
}

/// Copies `src[range]` into `b`, decoding backslash escapes (JSON and JS rules). `host_base`
/// is the host offset of `src[0]`.
pub fn push_escaped(
    b: &mut FragmentBuilder,
    src: &str,
    range: std::ops::Range<usize>,
    host_base: usize,
) {
    let s = &src[range.clone()];
    let mut last = 0;
    let mut iter = s.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if c != '\\' {
            continue;
        }
        b.push_verbatim(&s[last..i], host_base + range.start + last);
        let Some(&(j, n)) = iter.peek() else {
            last = i;
            break;
        };
        iter.next();
        let mut end = j + n.len_utf8();
        match n {
            'x' => end = (end + 2).min(s.len()),
            'u' if s[end..].starts_with('{') => {
                end = s[end..].find('}').map(|k| end + k + 1).unwrap_or(s.len())
            }
            'u' => end = (end + 4).min(s.len()),
            '\r' if s[end..].starts_with('\n') => end += 1,
            _ => {}
        }
        while !s.is_char_boundary(end) {
            end += 1;
        }
        b.push_decoded(&decode_escape(&s[i..end]), host_base + range.start + i);
        last = end;
        while iter.peek().is_some_and(|&(k, _)| k < end) {
            iter.next();
        }
    }
    b.push_verbatim(&s[last..], host_base + range.start + last);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_and_maps() {
        let src = r#"a\"b\u0041\n c"#;
        let mut b = FragmentBuilder::new();
        push_escaped(&mut b, src, 0..src.len(), 10);
        let (text, map) = b.finish();
        assert_eq!(text, "a\"bA\n c");
        assert_eq!(map.to_host(0), 10);
        assert_eq!(map.to_host(1), 11); // the escape's start
        assert_eq!(map.to_host(2), 13); // 'b'
        assert_eq!(map.to_host(6), 23); // 'c'
    }
}
