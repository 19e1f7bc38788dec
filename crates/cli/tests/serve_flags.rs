//! `vigil serve`'s flags: each bad value is refused before anything is bound or loaded, with a
//! message naming the flag and the value.

mod common;

use common::run;

/// Runs `vigil serve` with `args` (on a port nobody uses: a bad flag stops it before binding).
fn serve(args: &[&str]) -> common::Run {
    let mut all = vec!["serve", "--listen", "127.0.0.1:1"];
    all.extend_from_slice(args);
    run(&all, &[], "")
}

#[test]
fn bad_serve_flags_are_refused_with_the_flag_named() {
    let dir = tempfile::tempdir().unwrap();
    let short = dir.path().join("short-token");
    std::fs::write(&short, "abc\n").unwrap();
    let short = short.to_str().unwrap().to_owned();
    let missing = dir.path().join("no-such-token");
    let missing = missing.to_str().unwrap().to_owned();
    for (args, expected) in [
        (
            vec!["--max-in-flight", "0"],
            "--max-in-flight must be at least 1",
        ),
        (vec!["--threads", "0"], "--threads must be at least 1"),
        (
            vec!["--refit-every", "0"],
            "--refit-every must be at least 1",
        ),
        (
            vec!["--allow-origin", "ftp://app.example"],
            "--allow-origin \"ftp://app.example\": expected an origin like https://app.example",
        ),
        (
            vec!["--allow-origin", "https://a.example b"],
            "--allow-origin \"https://a.example b\"",
        ),
        (
            vec!["--token-file", &short],
            "the token must be at least 16 characters",
        ),
        (vec!["--token-file", &missing], "cannot read token file"),
        (
            vec!["--max-in-flight=-3"],
            "invalid value '-3' for '--max-in-flight <N>'",
        ),
        (vec!["--body-limit", "lots"], "--body-limit"),
    ] {
        let out = serve(&args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.lines.is_empty(), "{args:?}");
        assert!(
            out.stderr.contains(expected),
            "{args:?}: expected {expected:?} in {}",
            out.stderr
        );
    }
}
