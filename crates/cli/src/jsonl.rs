//! The JSON Lines contract every subcommand keeps.
//!
//! One JSON line out per input line, in order. A line that cannot be handled produces
//! `{"error": {"line": N, "message": "..."}}` in its place and the batch goes on; the caller exits
//! 1 if any line failed. Lines are read as bytes, so invalid UTF-8 or an oversized line
//! (over [`MAX_LINE_BYTES`], 16 MiB) is a per-line error rather than the end of the batch.

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
    loop {
        buf.clear();
        let read =
            read_bounded_line(&mut input, &mut buf, MAX_LINE_BYTES).map_err(StreamError::Read)?;
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
                Ok(text) => handler(line_no, text).map_err(|e| crate::diagnostics::chain(&e)),
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
            .and_then(|()| output.flush())
            .map_err(StreamError::Write)?;
    }
    Ok(summary)
}

/// The record written in place of a line that failed.
pub fn error_record(line: usize, message: &str) -> Value {
    json!({"error": {"line": line, "message": message}})
}

enum LineRead {
    Eof,
    Line,
    TooLong,
}

/// Reads one `\n`-terminated line into `buf`, holding at most `max` bytes of it.
fn read_bounded_line<R: BufRead>(
    input: &mut R,
    buf: &mut Vec<u8>,
    max: usize,
) -> io::Result<LineRead> {
    let mut seen_any = false;
    let mut too_long = false;
    loop {
        let chunk = match input.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok(match (seen_any, too_long) {
                (false, _) => LineRead::Eof,
                (true, true) => LineRead::TooLong,
                (true, false) => LineRead::Line,
            });
        }
        seen_any = true;
        let (used, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
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
        let (out, summary) = run_on(b"{\"a\":1}\nnot json\n\n\xff\xfe\r\n[2]\r\n");
        assert_eq!(
            summary,
            Summary {
                lines: 5,
                failed: 3
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
        assert_eq!(out[4], json!({"echo": [2]}));
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
        assert!(matches!(
            read_bounded_line(&mut reader, &mut buf, 16).unwrap(),
            LineRead::TooLong
        ));
        buf.clear();
        assert!(matches!(
            read_bounded_line(&mut reader, &mut buf, 16).unwrap(),
            LineRead::Line
        ));
        assert_eq!(buf, b"7\n");
        // And through `run`, a big-but-allowed line is handled whole.
        let big = format!("\"{}\"\n", "x".repeat(1 << 20));
        let summary = run(big.as_bytes(), &mut out, |_, t| Ok(json!(t.len()))).unwrap();
        assert_eq!(summary.failed, 0);
    }
}
