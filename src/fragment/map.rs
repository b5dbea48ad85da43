//! Offset maps: every fragment knows, for each byte of its text, where that byte came from in
//! the host file. Maps are piecewise linear; nested fragments map straight to the host.

use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Segment {
    /// Start of the segment in fragment text.
    frag: usize,
    /// Host offset of that start.
    host: usize,
}

/// Maps fragment byte offsets to host byte offsets.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OffsetMap {
    segments: Vec<Segment>,
    len: usize,
}

impl OffsetMap {
    /// A map where fragment offset `i` is host offset `host_start + i`.
    pub fn linear(host_start: usize, len: usize) -> Self {
        OffsetMap {
            segments: vec![Segment {
                frag: 0,
                host: host_start,
            }],
            len,
        }
    }

    pub fn to_host(&self, frag_offset: usize) -> usize {
        if self.segments.is_empty() {
            return 0;
        }
        let idx = match self.segments.binary_search_by(|s| s.frag.cmp(&frag_offset)) {
            Ok(i) => i,
            Err(0) => 0,
            Err(i) => i - 1,
        };
        let seg = self.segments[idx];
        seg.host + frag_offset.saturating_sub(seg.frag)
    }

    /// Maps a fragment range to a host range. The end maps from the last byte so that a range
    /// ending at a segment boundary does not jump to the next segment.
    pub fn range_to_host(&self, r: Range<usize>) -> Range<usize> {
        let start = self.to_host(r.start);
        if r.end <= r.start {
            return start..start;
        }
        let end = self.to_host(r.end - 1) + 1;
        start..end.max(start)
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// Builds a fragment's text and its map at the same time.
#[derive(Debug, Default)]
pub struct FragmentBuilder {
    pub text: String,
    map: OffsetMap,
}

impl FragmentBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends text that stands at `host` in the host file byte for byte.
    pub fn push_verbatim(&mut self, s: &str, host: usize) {
        if s.is_empty() {
            return;
        }
        self.add_segment(host);
        self.text.push_str(s);
        self.map.len = self.text.len();
    }

    /// Appends text that was decoded from an escape sequence starting at `host`.
    pub fn push_decoded(&mut self, s: &str, host: usize) {
        if s.is_empty() {
            return;
        }
        // Every byte of decoded text maps to the escape's start.
        for ch in s.chars() {
            self.add_segment(host);
            let mut buf = [0u8; 4];
            self.text.push_str(ch.encode_utf8(&mut buf));
            self.map.len = self.text.len();
        }
    }

    /// Appends `parent.text[range]` verbatim, mapping through the parent's map.
    pub fn push_from(&mut self, parent_text: &str, parent_map: &OffsetMap, range: Range<usize>) {
        if range.is_empty() {
            return;
        }
        // Split at the parent's segment boundaries so that the map stays exact. The segments
        // are sorted: only those inside the range are looked at (each word of a deeply nested
        // `bash -c` would otherwise cost the whole parent map).
        let mut start = range.start;
        let segs = &parent_map.segments;
        let first = segs.partition_point(|s| s.frag <= range.start);
        let last = segs.partition_point(|s| s.frag < range.end).max(first);
        let bounds: Vec<usize> = segs[first..last].iter().map(|s| s.frag).collect();
        for b in bounds.into_iter().chain(std::iter::once(range.end)) {
            self.push_verbatim(&parent_text[start..b], parent_map.to_host(start));
            start = b;
        }
    }

    fn add_segment(&mut self, host: usize) {
        let frag = self.text.len();
        if let Some(last) = self.map.segments.last() {
            if last.host + (frag - last.frag) == host {
                return; // continues the previous segment
            }
        }
        self.map.segments.push(Segment { frag, host });
    }

    pub fn finish(self) -> (String, OffsetMap) {
        (self.text, self.map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_maps_verbatim_and_decoded_pieces() {
        // host: `"a\"bc"` → fragment `a"bc`
        let host = r#""a\"bc""#;
        let mut b = FragmentBuilder::new();
        b.push_verbatim(&host[1..2], 1);
        b.push_decoded("\"", 2);
        b.push_verbatim(&host[4..6], 4);
        let (text, map) = b.finish();
        assert_eq!(text, "a\"bc");
        assert_eq!(map.to_host(0), 1);
        assert_eq!(map.to_host(1), 2);
        assert_eq!(map.to_host(2), 4);
        assert_eq!(map.to_host(3), 5);
        assert_eq!(map.range_to_host(2..4), 4..6);
    }

    #[test]
    fn nested_fragment_maps_straight_to_host() {
        // parent: two lines of a block scalar, each indented by 4 in the host.
        let mut p = FragmentBuilder::new();
        p.push_verbatim("ab\n", 14);
        p.push_verbatim("cd\n", 21);
        let (ptext, pmap) = p.finish();
        let mut c = FragmentBuilder::new();
        c.push_from(&ptext, &pmap, 1..5);
        let (ctext, cmap) = c.finish();
        assert_eq!(ctext, "b\ncd");
        assert_eq!(cmap.to_host(0), 15);
        assert_eq!(cmap.to_host(2), 21);
        assert_eq!(cmap.to_host(3), 22);
    }
}
