//! How a long text is cut for scoring: its lines, short lines packed with their neighbours, long
//! lines cut at a sentence end. [`InjectionDetector::score`](crate::InjectionDetector::score)
//! scores every segment and every pair of neighbouring segments, so an injection is judged with
//! at most a segment of context around it and benign padding cannot dilute it.

use std::ops::Range;

/// Longest segment, in bytes (a longer line is cut at a sentence end, else at a space).
pub const SEGMENT_BYTES: usize = 256;
/// Lines shorter than this are packed with the next line of their paragraph (a lone "USA" or
/// "Thanks," says too little to score alone).
pub const SHORT_LINE_BYTES: usize = 48;

/// The segments of a text: its lines, ended by a newline or by an escaped one (`\n`, `\r\n`
/// in a serialized text), a line shorter than [`SHORT_LINE_BYTES`] packed with the next line
/// of its paragraph, up to [`SEGMENT_BYTES`] (a blank line always ends a segment); a longer
/// line cut at its last sentence end (`.`, `!`, `?`, `;`, `。`, `！`, `？` followed by a space
/// or end) before the limit, else at its last space, else at a `char` boundary. Byte ranges into the text, in order, never empty, never
/// all whitespace. One pass over the text: each byte is looked at a bounded number of times.
#[derive(Debug, Clone)]
pub struct Segments<'a> {
    text: &'a str,
    /// Where the next line starts.
    line_start: usize,
    /// The rest of the current line not yet handed out.
    pending: Option<Range<usize>>,
    /// The segment being packed.
    current: Option<Range<usize>>,
}

impl<'a> Segments<'a> {
    /// The segments of `text`.
    pub fn new(text: &'a str) -> Self {
        Segments {
            text,
            line_start: 0,
            pending: None,
            current: None,
        }
    }

    /// The next piece: a line (or a cut of a long line) that is not blank, with whether a
    /// paragraph break (blank line) came before it.
    fn next_piece(&mut self) -> Option<(Range<usize>, bool)> {
        let mut blank_before = false;
        loop {
            if let Some(p) = self.pending.take() {
                let (piece, rest) = cut(self.text, p);
                self.pending = rest;
                return Some((piece, blank_before));
            }
            if self.line_start >= self.text.len() {
                return None;
            }
            let bytes = self.text.as_bytes();
            let start = self.line_start;
            let (end, next) = match line_break(&bytes[start..]) {
                Some((at, len)) => (start + at, start + at + len),
                None => (self.text.len(), self.text.len()),
            };
            self.line_start = next;
            let line = &self.text[start..end];
            let lead = line.len() - line.trim_start().len();
            let trimmed = line.trim();
            if trimmed.is_empty() {
                blank_before = true;
                continue;
            }
            let s = start + lead;
            self.pending = Some(s..s + trimmed.len());
        }
    }
}

/// The first line break of `b`, with its length: a newline, or an escaped one as a serialized
/// text writes it (`\n`, `\r\n`, `\r`: a JSON string field, a Python `repr`), so a tool
/// output that arrives as one escaped line is cut into its lines like any other. A backslash
/// that is itself escaped (`\\n`) does not start one.
fn line_break(b: &[u8]) -> Option<(usize, usize)> {
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\n' => return Some((i, 1)),
            b'\\' => match b.get(i + 1) {
                Some(b'n') => return Some((i, 2)),
                Some(b'r') => {
                    let len = if b.get(i + 2..i + 4) == Some(b"\\n") {
                        4
                    } else {
                        2
                    };
                    return Some((i, len));
                }
                // An escaped backslash, or another escape: skip both characters.
                Some(_) => i += 2,
                None => i += 1,
            },
            _ => i += 1,
        }
    }
    None
}

/// Splits `r` of `text` into a first piece of at most [`SEGMENT_BYTES`] and the rest.
fn cut(text: &str, r: Range<usize>) -> (Range<usize>, Option<Range<usize>>) {
    if r.len() <= SEGMENT_BYTES {
        return (r, None);
    }
    let mut limit = r.start + SEGMENT_BYTES;
    while !text.is_char_boundary(limit) {
        limit -= 1;
    }
    let window = &text[r.start..limit];
    let min = SEGMENT_BYTES / 4;
    let mut at = None;
    let mut space = None;
    for (i, c) in window.char_indices() {
        if i < min {
            continue;
        }
        let after = i + c.len_utf8();
        let next_is_space = window[after..]
            .chars()
            .next()
            .is_none_or(char::is_whitespace);
        let sentence_end = (matches!(c, '.' | '!' | '?' | ';') && next_is_space)
            || matches!(c, '。' | '！' | '？');
        if sentence_end {
            at = Some(after);
        } else if c.is_whitespace() {
            space = Some(i);
        }
    }
    let split = r.start + at.or(space).unwrap_or(window.len());
    let first = r.start..split;
    let rest_text = &text[split..r.end];
    let lead = rest_text.len() - rest_text.trim_start().len();
    let rest = (split + lead < r.end).then(|| split + lead..r.end);
    (first, rest)
}

impl Iterator for Segments<'_> {
    type Item = Range<usize>;

    fn next(&mut self) -> Option<Range<usize>> {
        loop {
            match self.next_piece() {
                None => return self.current.take(),
                Some((piece, blank_before)) => match self.current.take() {
                    None => self.current = Some(piece),
                    Some(cur)
                        if !blank_before
                            && cur.len() < SHORT_LINE_BYTES
                            && piece.end - cur.start <= SEGMENT_BYTES =>
                    {
                        self.current = Some(cur.start..piece.end);
                    }
                    Some(cur) => {
                        self.current = Some(piece);
                        return Some(cur);
                    }
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_cover_lines_paragraphs_and_long_lines() {
        let text = "first line\nsecond line\n\n  third after a blank  \n";
        let segs: Vec<&str> = Segments::new(text).map(|r| &text[r]).collect();
        assert_eq!(segs, ["first line\nsecond line", "third after a blank"]);
        let text = "a line that is long enough to stand alone as a segment\nnext";
        assert_eq!(Segments::new(text).count(), 2);
        let sentence = "This sentence is about forty bytes long. ";
        let long = sentence.repeat(20);
        let segs: Vec<std::ops::Range<usize>> = Segments::new(&long).collect();
        assert!(segs.len() >= 4, "{segs:?}");
        for r in &segs {
            assert!(r.len() <= SEGMENT_BYTES, "{r:?}");
            assert!(long[r.clone()].ends_with('.'), "{:?}", &long[r.clone()]);
        }
        // One unbroken run of letters is cut at char boundaries.
        let run = "é".repeat(400);
        let segs: Vec<std::ops::Range<usize>> = Segments::new(&run).collect();
        assert_eq!(segs.iter().map(|r| r.len()).sum::<usize>(), run.len());
        assert!(segs.iter().all(|r| r.len() <= SEGMENT_BYTES));
        assert_eq!(Segments::new("").count(), 0);
        assert_eq!(Segments::new("\n \n\t\n").count(), 0);
    }

    #[test]
    fn escaped_line_breaks_cut_like_newlines() {
        // A JSON string field: its lines, not one long line.
        let line = "a line that is long enough to stand alone as a segment";
        let text = format!("{{\"body\": \"{line}\\n{line}\\r\\n\\r\\n{line}\\rend\"}}");
        let segs: Vec<&str> = Segments::new(&text).map(|r| &text[r]).collect();
        assert_eq!(
            segs,
            [
                format!("{{\"body\": \"{line}"),
                line.to_owned(),
                line.to_owned(),
                "end\"}".to_owned()
            ]
        );
        // An escaped backslash before an n is not a line break (a Windows path).
        let path = r"C:\\new\\notes.txt and a line that is long enough to stand alone";
        assert_eq!(Segments::new(path).count(), 1);
        // A lone trailing backslash.
        assert_eq!(Segments::new("text\\").count(), 1);
        // Any mix of escapes and multi-byte characters: segments are in order, on char
        // boundaries and never blank.
        let pieces = ["\\", "n", "r", "\n", " ", "é", "🙂", "word ", ". ", "\\\\"];
        for text in crate::decode::test_support::mixed_texts(7, 500, 200, &pieces) {
            let mut end = 0;
            for r in Segments::new(&text) {
                assert!(
                    r.start >= end && r.start < r.end && r.end <= text.len(),
                    "{text:?}"
                );
                assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
                assert!(!text[r.clone()].trim().is_empty());
                end = r.end;
            }
        }
    }
}
