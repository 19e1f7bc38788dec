#!/usr/bin/env python3
"""Writes one JSON Lines plan of about SIZE bytes (default 16,000,000) to standard output.

Usage: gen_big_plan.py [SIZE] [--short]

Varied steps (read_file, send_email, http_get, bash, search, transfers) with an observation on
every 50th step, for measuring `vigil plan-risk`'s peak memory on a hostile-size input:

    python3 scripts/gen_big_plan.py 16000000 > /tmp/plan16.jsonl
    python3 scripts/gen_big_plan.py 16000000 --short > /tmp/plan16s.jsonl   # ~305k short steps
    /usr/bin/time -v target/release/vigil plan-risk -i /tmp/plan16.jsonl > /dev/null

See docs/memory.md for the measured figures.
"""
import json
import random
import sys


def step(rng, i):
    k = rng.randrange(6)
    if k == 0:
        s = {"tool": "read_file", "args": {"path": f"/home/u/docs/report_{i}.txt"}}
    elif k == 1:
        s = {"tool": "send_email",
             "args": {"to": f"user{rng.randrange(1000)}@example.com", "body": f"hi {i}"}}
    elif k == 2:
        s = {"tool": "http_get", "args": {"url": f"https://api{rng.randrange(50)}.example.org/v1/{i}"}}
    elif k == 3:
        s = {"tool": "bash", "args": {"command": f"ls -la /tmp/d{i}"}}
    elif k == 4:
        s = {"tool": "search_web", "args": {"query": f"weather in city {i}"}}
    else:
        s = {"tool": "transfer_funds", "args": {"to": f"IBAN{i:08d}", "amount": i % 97}}
    if i % 50 == 0:
        s["observation"] = f"Result {i}: file contents ok, see https://docs.example.net/{i}"
    return s


def short_step(rng, i):
    """~52 bytes a step: the densest realistic plan (about 305,000 steps in 16 MB)."""
    k = rng.randrange(4)
    if k == 0:
        return {"tool": "read_file", "args": {"path": f"/d/{i}"}}
    if k == 1:
        return {"tool": "send_email", "args": {"to": f"u{i % 97}@x.io", "body": "hi"}}
    if k == 2:
        return {"tool": "http_get", "args": {"url": f"https://h.io/{i}"}}
    return {"tool": "bash", "args": {"command": f"ls {i}"}}


def main():
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 16_000_000
    short = "--short" in sys.argv[2:]
    rng = random.Random(7)
    parts = []
    total = 0
    i = 0
    while total < size - 200:
        p = json.dumps((short_step if short else step)(rng, i), separators=(",", ":"))
        parts.append(p)
        total += len(p) + 1
        i += 1
    line = '{"request":"summarise the reports and email dana@example.com","steps":[' + ",".join(parts) + "]}"
    sys.stdout.write(line + "\n")
    print(f"{i} steps, {len(line) + 1} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
