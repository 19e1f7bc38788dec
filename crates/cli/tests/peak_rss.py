#!/usr/bin/env python3
"""Peak RSS of `vigil check plan` and `vigil plan-risk` on one ~16 MB plan line (issue 16, item 8).

Not run by `cargo test` (it wants a release build and takes a few seconds per case):

    cargo build --release -p vigil-cli
    python3 crates/cli/tests/peak_rss.py target/release/vigil [--max-ratio-check 10]

Each shape is one JSON line of just under 16,000,000 bytes (the line limit is 16 MiB):

- `plan16`: ~52 bytes a step, five tools in turn, one argument each (~305k steps);
- `forward`: `gmail.forward ids=*` repeated (a crit finding on every step);
- `tiny`: `{"tool": "t", "args": {}}` repeated (the most steps per byte);
- `send`: a send to an unnamed address repeated (two findings a step);
- `realistic`: ~180 bytes a step, three arguments and an observation.

Peak RSS is the child's own (`os.wait4`), so nothing else running here is counted; the lines
are written by a separate process, so this one stays small (a forked child starts out counting
its parent's pages).
Exits 1 when `check plan` goes over `--max-ratio-check` times the input.
"""

import json
import os
import subprocess
import sys
import tempfile

TARGET = 16_000_000


def shape(name):
    tools = ["gmail.forward", "read_file", "send_email", "search_emails", "http_get"]
    cal = ["send_email", "read_file", "search_emails", "create_calendar_event"]
    return {
        "plan16": lambda i: {"tool": tools[i % 5], "args": {"id": "msg-%07d" % i}},
        "forward": lambda i: {"tool": "gmail.forward", "args": {"ids": "*"}},
        "tiny": lambda i: {"tool": "t", "args": {}},
        "send": lambda i: {"tool": "send_email", "args": {"to": "x@evil.example", "body": "hi"}},
        "realistic": lambda i: {
            "tool": cal[i % 4],
            "args": {
                "recipients": ["dana%d@acme.example" % (i % 50)],
                "subject": "Meeting notes %d" % i,
                "body": "Hi team, please find the notes attached.",
            },
            "observation": "ok %d" % i,
        },
    }[name]


def plan_line(name):
    make = shape(name)
    parts, size, i = [], 60, 0
    while True:
        s = json.dumps(make(i), separators=(",", ":"))
        if size + len(s) + 1 > TARGET:
            break
        parts.append(s)
        size += len(s) + 1
        i += 1
    return '{"request":"forward my mail","steps":[' + ",".join(parts) + "]}\n", i


def peak_rss_bytes(argv, path):
    with open(path, "rb") as stdin, tempfile.TemporaryFile() as out:
        p = subprocess.Popen(argv, stdin=stdin, stdout=out, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(p.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(argv)} failed: {p.stderr.read().decode(errors='replace')}")
    return usage.ru_maxrss * 1024


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    if args[0] == "--write":
        line, steps = plan_line(args[1])
        with open(args[2], "w") as f:
            f.write(line)
        print(steps)
        return
    vigil = args[0]
    limit = float(args[args.index("--max-ratio-check") + 1]) if "--max-ratio-check" in args else None
    worst = 0.0
    print(f"{'shape':<10} {'steps':>8} {'MB in':>7} {'check plan':>16} {'plan-risk':>16}")
    with tempfile.TemporaryDirectory() as d:
        for name in ["plan16", "forward", "tiny", "send", "realistic"]:
            path = os.path.join(d, name + ".jsonl")
            steps = int(
                subprocess.check_output([sys.executable, __file__, "--write", name, path]).strip()
            )
            n = os.path.getsize(path)
            check = peak_rss_bytes([vigil, "check", "plan"], path)
            risk = peak_rss_bytes([vigil, "plan-risk"], path)
            worst = max(worst, check / n)
            print(
                f"{name:<10} {steps:>8} {n / 1e6:>7.1f} "
                f"{check / 2**20:>7.0f} MiB {check / n:>5.1f}x "
                f"{risk / 2**20:>7.0f} MiB {risk / n:>5.1f}x"
            )
    if limit is not None and worst > limit:
        sys.exit(f"check plan peaked at {worst:.1f}x its input (limit {limit}x)")


if __name__ == "__main__":
    main()
