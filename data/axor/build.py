#!/usr/bin/env python3
"""Rebuilds data/axor/task_signal.jsonl: axor-classifier-simple 0.2.1's training templates.

    pip download --no-deps axor-classifier-simple==0.2.1 -d /tmp/axor
    python3 data/axor/build.py /tmp/axor

Reads `_TEMPLATES` (the 1,114 labelled templates of data/task_signal_data.py, MIT) from the
wheel, checked by SHA-256, and renders every template RENDERS_PER_TEMPLATE times with axor's
own slot filler `_sub` (seeded). No augmentation: vigil's generator adds its own paraphrase
operators. Each row keeps its template id (`axor:<complexity>/<nature>/<domain>#<index>`) so
training can split by template. `generate_hard()` (the evaluation set, under
fixtures/external/axor/) is never read here.
"""
import hashlib
import json
import random
import sys
from pathlib import Path

WHEEL = "axor_classifier_simple-0.2.1-py3-none-any.whl"
SHA256 = "f001d6dfc12154fdeb6e5331197733407046d9cbca65fdfad0eb822f15c4a0eb"
RENDERS_PER_TEMPLATE = 4
SEED = 42


def main() -> None:
    wheel = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/axor") / WHEEL
    got = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if got != SHA256:
        sys.exit(f"{wheel}: SHA-256 {got}, expected {SHA256}")
    sys.path.insert(0, str(wheel))
    from axor_classifier_simple.data import task_signal_data as t

    # Decontamination: a rendered row whose text equals a hard-set prompt (case-insensitively) is
    # dropped, so no evaluation text is ever trained on (at 0.2.1 one text: "review all the OKRs
    # for this quarter", which axor's templates and its hard set both produce).
    hard_path = Path(__file__).resolve().parents[2] / "fixtures/external/axor/task_signal.jsonl"
    hard = {json.loads(line)["text"].lower() for line in open(hard_path, encoding="utf-8")}
    rng = random.Random(SEED)
    dropped = 0
    out = Path(__file__).resolve().parent / "task_signal.jsonl"
    templates = 0
    rows = 0
    with open(out, "w", encoding="utf-8") as f:
        for (complexity, nature, domain), items in t._TEMPLATES.items():
            for i, template in enumerate(items):
                templates += 1
                seen = set()
                for _ in range(RENDERS_PER_TEMPLATE):
                    text = t._sub(template, rng)
                    if text in seen:
                        continue
                    if text.lower() in hard:
                        dropped += 1
                        continue
                    seen.add(text)
                    row = {
                        "text": text,
                        "complexity": complexity,
                        "nature": nature,
                        "domain": domain,
                        "template": f"axor:{complexity}/{nature}/{domain}#{i}",
                    }
                    print(json.dumps(row, ensure_ascii=False), file=f)
                    rows += 1
    print(f"{templates} templates, {rows} rows ({dropped} dropped as hard-set text) -> {out}")


if __name__ == "__main__":
    main()
