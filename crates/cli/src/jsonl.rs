//! The JSON Lines contract every subcommand keeps.
//!
//! One JSON line out per input line, in order. A line that cannot be handled produces
//! `{"error": {"line": N, "message": "..."}}` in its place and the batch goes on; the caller exits
//! 1 if any line failed. Lines are read as bytes, so invalid UTF-8 or an oversized line
//! (over [`MAX_LINE_BYTES`], 16 MiB) is a per-line error rather than the end of the batch.
//!
//! Answers are flushed whenever reading on could wait: before every read from the input
//! once the lines already buffered are answered. A caller that writes one line and waits gets
//! its answer at once; a batch of lines read together is written in one go rather than one
//! system call per line.

use std::io::{self, BufRead, Write};

use serde::Serialize;
use serde_json::{Value, json};

/// Longest accepted line; longer lines are reported and skipped without being held in memory.
pub const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;

/// How a batch went.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Lines read.
    pub lines: usize,
    /// Lines answered with an error record.
    pub failed: usize,
}

/// Why a batch stopped before the end of its input.
#[derive(Debug)]
pub enum StreamError {
    /// Reading the input failed (a directory, an I/O error).
    Read(io::Error),
    /// Writing the output failed (a closed pipe, a full disk).
    Write(io::Error),
}

/// Runs `handler` on every line of `input`, writing one JSON line per input line to `output`.
///
/// `handler` receives the 1-based line number and the line's text (without the line ending),
/// and answers with anything serializable: a typed answer is written straight to `output`, never
/// built as a [`Value`] tree first (a `Value` of 300,000 intents takes about 30 times the memory
/// of its JSON text).
pub fn run<R, W, F, T>(mut input: R, mut output: W, mut handler: F) -> Result<Summary, StreamError>
where
    R: BufRead,
    W: Write,
    F: FnMut(usize, &str) -> anyhow::Result<T>,
    T: Serialize,
{
    let mut summary = Summary::default();
    let mut buf = Vec::new();
    // Whether the input's buffer may be empty, so that the next read may wait for the caller.
    let mut drained = true;
    loop {
        buf.clear();
        let read = read_bounded_line(
            &mut input,
            &mut buf,
            MAX_LINE_BYTES,
            &mut drained,
            &mut output,
        )?;
        let oversized = match read {
            LineRead::Eof => break,
            LineRead::Line => false,
            LineRead::TooLong => true,
        };
        summary.lines += 1;
        let line_no = summary.lines;
        let answer = if oversized {
            Err(format!("line is longer than {MAX_LINE_BYTES} bytes"))
        } else {
            match std::str::from_utf8(trim_line_ending(&buf)) {
                Err(e) => Err(format!(
                    "line is not valid UTF-8 (invalid byte at offset {})",
                    e.valid_up_to()
                )),
                Ok(text) if text.trim().is_empty() => Err("empty line".to_owned()),
                Ok(text) => match record_text(line_no, text) {
                    Ok(text) => handler(line_no, text).map_err(|e| crate::diagnostics::chain(&e)),
                    Err(message) => Err(message),
                },
            }
        };
        let written = match answer {
            Ok(record) => serde_json::to_writer(&mut output, &record),
            Err(message) => {
                summary.failed += 1;
                serde_json::to_writer(&mut output, &error_record(line_no, &message))
            }
        };
        written
            .map_err(io::Error::from)
            .and_then(|()| output.write_all(b"\n"))
            .map_err(StreamError::Write)?;
    }
    output.flush().map_err(StreamError::Write)?;
    Ok(summary)
}

/// A line's record text: a byte-order mark opening the first line is dropped (editors on
/// some systems write one; JSON has none); an array is refused by name (serde would
/// otherwise read it as a record's fields in order, and say "invalid length 3, expected
/// struct Plan with 4 elements" of `[]`).
fn record_text(line_no: usize, text: &str) -> Result<&str, String> {
    let text = if line_no == 1 {
        text.strip_prefix('\u{feff}').unwrap_or(text)
    } else {
        text
    };
    match text.trim_start().chars().next() {
        Some('\u{feff}') => Err("a byte-order mark (U+FEFF) starts the line: remove it".to_owned()),
        Some('[') => Err("expected a JSON object (one record per line), found an array".to_owned()),
        // Anything else is the parser's to judge, which names what it found and where.
        _ => Ok(text),
    }
}

/// The record written in place of a line that failed.
pub fn error_record(line: usize, message: &str) -> Value {
    json!({"error": {"line": line, "message": vigil_contracts::text::bounded_message(message)}})
}

enum LineRead {
    Eof,
    Line,
    TooLong,
}

/// Reads one `\n`-terminated line into `buf`, holding at most `max` bytes of it. Before a read
/// that may wait for more input (`drained`: the last read's bytes were all used), `output` is
/// flushed, so every answer already computed is out before the caller is waited on.
fn read_bounded_line<R: BufRead, W: Write>(
    input: &mut R,
    buf: &mut Vec<u8>,
    max: usize,
    drained: &mut bool,
    output: &mut W,
) -> Result<LineRead, StreamError> {
    let mut seen_any = false;
    let mut too_long = false;
    loop {
        if *drained {
            output.flush().map_err(StreamError::Write)?;
        }
        let chunk = match input.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(StreamError::Read(e)),
        };
        if chunk.is_empty() {
            *drained = true;
            return Ok(match (seen_any, too_long) {
                (false, _) => LineRead::Eof,
                (true, true) => LineRead::TooLong,
                (true, false) => LineRead::Line,
            });
        }
        seen_any = true;
        let (used, done) = match memchr::memchr(b'\n', chunk) {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        *drained = used == chunk.len();
        if !too_long {
            if buf.len() + used > max + 2 {
                too_long = true;
                buf.clear();
            } else {
                buf.extend_from_slice(&chunk[..used]);
            }
        }
        input.consume(used);
        if done {
            return Ok(if too_long {
                LineRead::TooLong
            } else {
                LineRead::Line
            });
        }
    }
}

fn trim_line_ending(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_on(input: &[u8]) -> (Vec<Value>, Summary) {
        let mut out = Vec::new();
        let summary = run(input, &mut out, |_, text| {
            let v: Value = serde_json::from_str(text)?;
            Ok(json!({"echo": v}))
        })
        .unwrap();
        let lines = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        (lines, summary)
    }

    #[test]
    fn one_line_out_per_line_in_with_errors_in_place() {
        let (out, summary) =
            run_on(b"\xef\xbb\xbf{\"a\":1}\nnot json\n\n\xff\xfe\r\n[2]\r\n\xef\xbb\xbf{}\n");
        assert_eq!(
            summary,
            Summary {
                lines: 6,
                failed: 5
            }
        );
        assert_eq!(out[0], json!({"echo": {"a": 1}}));
        assert_eq!(out[1]["error"]["line"], 2);
        assert!(
            out[1]["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("expected ident")
        );
        assert_eq!(out[2], error_record(3, "empty line"));
        assert_eq!(
            out[3],
            error_record(4, "line is not valid UTF-8 (invalid byte at offset 0)")
        );
        assert_eq!(
            out[4],
            error_record(
                5,
                "expected a JSON object (one record per line), found an array"
            )
        );
        // A byte-order mark is dropped on the first line only.
        assert_eq!(
            out[5],
            error_record(6, "a byte-order mark (U+FEFF) starts the line: remove it")
        );
    }

    #[test]
    fn read_and_write_failures_are_told_apart() {
        struct Broken;
        impl io::Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::other("disk on fire"))
            }
        }
        impl Write for Broken {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::Error::from(io::ErrorKind::BrokenPipe))
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let echo = |_: usize, t: &str| Ok(json!(t));
        match run(io::BufReader::new(Broken), Vec::new(), echo) {
            Err(StreamError::Read(e)) => assert_eq!(e.to_string(), "disk on fire"),
            other => panic!("expected a read error, got {other:?}"),
        }
        match run(&b"1\n"[..], Broken, echo) {
            Err(StreamError::Write(e)) => assert_eq!(e.kind(), io::ErrorKind::BrokenPipe),
            other => panic!("expected a write error, got {other:?}"),
        }
    }

    /// Answers are out before the input is read again once its buffer is used up (a caller that
    /// sends a line and waits is answered), and lines read together are flushed together.
    #[test]
    fn answers_are_flushed_before_reading_can_wait() {
        use std::cell::RefCell;
        use std::rc::Rc;

        #[derive(Default)]
        struct Sink {
            unflushed: Vec<u8>,
            flushed: Vec<u8>,
            flushes: usize,
        }
        #[derive(Clone, Default)]
        struct Shared(Rc<RefCell<Sink>>);
        impl Write for Shared {
            fn write(&mut self, b: &[u8]) -> io::Result<usize> {
                self.0.borrow_mut().unflushed.extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                let mut s = self.0.borrow_mut();
                let pending = std::mem::take(&mut s.unflushed);
                s.flushed.extend_from_slice(&pending);
                s.flushes += 1;
                Ok(())
            }
        }
        // Hands out one chunk per read, checking that every earlier line was answered.
        struct Chunks {
            chunks: Vec<&'static [u8]>,
            at: usize,
            used: usize,
            lines_before: Vec<usize>,
            out: Shared,
        }
        impl io::Read for Chunks {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                unreachable!()
            }
        }
        impl BufRead for Chunks {
            fn fill_buf(&mut self) -> io::Result<&[u8]> {
                if self.used == 0 {
                    let answered = self
                        .out
                        .0
                        .borrow()
                        .flushed
                        .iter()
                        .filter(|&&b| b == b'\n')
                        .count();
                    assert_eq!(answered, self.lines_before[self.at], "read {}", self.at);
                }
                Ok(self
                    .chunks
                    .get(self.at)
                    .map_or(&[][..], |c| &c[self.used..]))
            }
            fn consume(&mut self, n: usize) {
                self.used += n;
                if self
                    .chunks
                    .get(self.at)
                    .is_some_and(|c| self.used == c.len())
                {
                    self.at += 1;
                    self.used = 0;
                }
            }
        }
        let out = Shared::default();
        let input = Chunks {
            chunks: vec![b"1\n", b"2\n3\n4\n", b"5\n"],
            at: 0,
            used: 0,
            lines_before: vec![0, 1, 4, 5],
            out: out.clone(),
        };
        let summary = run(input, out.clone(), |_, t| Ok(json!(t))).unwrap();
        assert_eq!(summary.lines, 5);
        let state = out.0.borrow();
        assert_eq!(state.flushed, b"\"1\"\n\"2\"\n\"3\"\n\"4\"\n\"5\"\n");
        // One flush before each of the 4 reads and one at the end, not one per line.
        assert_eq!(state.flushes, 5);
    }

    #[test]
    fn last_line_without_newline_is_read() {
        let (out, summary) = run_on(b"1\n2");
        assert_eq!(summary.lines, 2);
        assert_eq!(out[1], json!({"echo": 2}));
    }

    #[test]
    fn oversized_line_is_reported_and_skipped() {
        let mut input = vec![b'1'; 64];
        input.push(b'\n');
        input.extend_from_slice(b"7\n");
        let mut out = Vec::new();
        let mut reader = io::BufReader::with_capacity(8, &input[..]);
        let mut buf = Vec::new();
        let mut drained = true;
        let mut sink = Vec::new();
        assert!(matches!(
            read_bounded_line(&mut reader, &mut buf, 16, &mut drained, &mut sink).unwrap(),
            LineRead::TooLong
        ));
        buf.clear();
        assert!(matches!(
            read_bounded_line(&mut reader, &mut buf, 16, &mut drained, &mut sink).unwrap(),
            LineRead::Line
        ));
        assert_eq!(buf, b"7\n");
        // And through `run`, a big-but-allowed line is handled whole.
        let big = format!("\"{}\"\n", "x".repeat(1 << 20));
        let summary = run(big.as_bytes(), &mut out, |_, t| Ok(json!(t.len()))).unwrap();
        assert_eq!(summary.failed, 0);
    }
}
