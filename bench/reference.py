#!/usr/bin/env python3
"""Re-measure the Python reference systems vigil is compared with, on this machine.

Updates bench/reference.json: every figure it measures becomes "measured" (package, command,
machine, date, p50/p99); the others keep their values ("published" ones quote their source:
NEXUS and open-classify cannot be run here, see that file).

What is measured, each on the same inputs vigil's bench uses (`cargo xtask bench`):

| id | what | inputs |
|---|---|---|
| axor.task_signal.train | `train_task_signal.train()` (3 TF-IDF + LR heads), wall time | the package's own generator, seed 42 |
| axor.task_signal.load | `TaskSignalClassifier(model_path)` | the model just trained |
| axor.task_signal.classify | `classify(text)` via the event loop, per call | fixtures/task-signal/handwritten.jsonl + fixtures/external/axor/task_signal.jsonl |
| axor.heuristic.classify | axor-core `HeuristicClassifier.classify`, per call | same prompts |
| axor.anomaly.train | `train_anomaly.train()` CLI defaults 200/4/0.1 (only with --anomaly-train: minutes) | the package's generator |
| axor.anomaly.score | `MLAnomalyDetector.score(window)`, per call | fixtures/external/axor/anomaly.jsonl windows |
| harombe.detect | `AnomalyDetector.detect` on a 1,000-event model | events as in shared reference §9, 5 min apart, ending now |
| harombe.train_10k | `AnomalyDetector.train` on 10,000 events | same generator |
| harombe.record_5k | 5,000 `BaselineLearner.record_event` calls | same generator |
| nexus_recipe.calibrated | scikit-learn calibrated LR `predict_proba`, one plan | the model-card recipe rebuilt on synthetic 9-D features |
| nexus_recipe.uncalibrated | the raw pipeline `predict_proba`, one plan | same |

Setup (a venv outside the repository; nothing here is a vigil dependency):

    python3 -m venv /work/venv-ref
    /work/venv-ref/bin/pip install "axor-classifier-simple[ml]==0.2.1" axor-core==0.8.0 harombe==0.3.1
    /work/venv-ref/bin/python bench/reference.py            # or: cargo xtask bench --reference

Options: --only axor,harombe,nexus_recipe  --anomaly-train (minutes; the model is cached in
~/.cache/vigil-reference/ and reused for scoring by later runs)  --anomaly-model FILE  --calls N
--dry-run.
Per-call timings: warm-up calls first, then N timed calls cycling through the inputs;
nearest-rank p50/p99 like vigil's. A package that is not installed is skipped with a message and
its figures keep their previous values and dates.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import importlib.metadata as md
import json
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_JSON = ROOT / "bench" / "reference.json"


def machine() -> str:
    """CPU model and core count, as `cargo xtask bench --markdown` writes them."""
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores"


def percentile(sorted_ns: list[float], q: float) -> float:
    """Nearest rank, as vigil_learn::metrics::percentile."""
    if not sorted_ns:
        return 0.0
    import math

    rank = min(max(math.ceil(q * len(sorted_ns)), 1), len(sorted_ns))
    return sorted_ns[rank - 1]


def time_calls(fn, n_inputs: int, calls: int, warmup: int) -> dict:
    for i in range(warmup):
        fn(i % n_inputs)
    samples = []
    for i in range(calls):
        t0 = time.perf_counter_ns()
        fn(i % n_inputs)
        samples.append(float(time.perf_counter_ns() - t0))
    samples.sort()
    return {"p50_ns": percentile(samples, 0.5), "p99_ns": percentile(samples, 0.99), "calls": calls}


def time_once(fn, runs: int) -> dict:
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter_ns()
        fn()
        samples.append(float(time.perf_counter_ns() - t0))
    samples.sort()
    return {"p50_ns": percentile(samples, 0.5), "p99_ns": samples[-1], "calls": runs}


def version(pkg: str) -> str | None:
    try:
        return md.version(pkg)
    except md.PackageNotFoundError:
        return None


def read_jsonl(path: Path) -> list[dict]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            rows.append(json.loads(line))
    return rows


def quiet(fn, *args, **kwargs):
    """Runs fn with its prints sent to stderr (the training functions print progress)."""
    saved = sys.stdout
    sys.stdout = sys.stderr
    try:
        return fn(*args, **kwargs)
    finally:
        sys.stdout = saved


# ------------------------------------------------------------------------------------ axor


def measure_axor(args, out: dict) -> None:
    if version("axor-classifier-simple") is None or version("axor-core") is None:
        print("axor: axor-classifier-simple / axor-core not installed, skipped", file=sys.stderr)
        return
    from axor_classifier_simple import MLAnomalyDetector, TaskSignalClassifier
    from axor_classifier_simple import train_task_signal

    pkg = f"axor-classifier-simple {version('axor-classifier-simple')}, axor-core {version('axor-core')}, scikit-learn {version('scikit-learn')}"
    tmp = Path(tempfile.mkdtemp(prefix="vigil-ref-"))
    model = tmp / "task_signal.joblib"
    t0 = time.perf_counter_ns()
    quiet(train_task_signal.train, model_path=model, seed=42)
    train_ns = float(time.perf_counter_ns() - t0)
    out["axor.task_signal.train"] = {
        "package": pkg,
        "command": "train_task_signal.train(model_path, seed=42), in-process, imports already loaded",
        "p50_ns": train_ns,
        "p99_ns": train_ns,
        "calls": 1,
    }
    load = time_once(lambda: TaskSignalClassifier(model_path=model), 5)
    out["axor.task_signal.load"] = {"package": pkg, "command": "TaskSignalClassifier(model_path), 5 loads", **load}

    texts = [r["text"] for r in read_jsonl(ROOT / "fixtures/task-signal/handwritten.jsonl")]
    texts += [r["text"] for r in read_jsonl(ROOT / "fixtures/external/axor/task_signal.jsonl")]
    clf = TaskSignalClassifier(model_path=model)
    loop = asyncio.new_event_loop()
    out["axor.task_signal.classify"] = {
        "package": pkg,
        "command": f"loop.run_until_complete(clf.classify(text)), {len(texts)} prompts cycled",
        **time_calls(lambda i: loop.run_until_complete(clf.classify(texts[i])), len(texts), args.calls, 50),
    }
    try:
        from axor_core.policy.heuristic import HeuristicClassifier  # type: ignore
    except ImportError:
        HeuristicClassifier = None
        for mod in ("axor_core.classifier", "axor_core.node.heuristic", "axor_core.heuristic"):
            try:
                HeuristicClassifier = __import__(mod, fromlist=["HeuristicClassifier"]).HeuristicClassifier
                break
            except (ImportError, AttributeError):
                continue
    if HeuristicClassifier is not None:
        h = HeuristicClassifier()
        out["axor.heuristic.classify"] = {
            "package": pkg,
            "command": f"loop.run_until_complete(HeuristicClassifier().classify(text)), {len(texts)} prompts cycled",
            **time_calls(lambda i: loop.run_until_complete(h.classify(texts[i])), len(texts), args.calls, 50),
        }
    else:
        print("axor: HeuristicClassifier not found in axor-core, skipped", file=sys.stderr)

    # Training axor's anomaly model takes minutes: --anomaly-train keeps it in a cache directory,
    # later runs time scoring with the cached model (and leave the training figure as it was).
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "vigil-reference"
    cache.mkdir(parents=True, exist_ok=True)
    anomaly_model = cache / "axor_anomaly_200x4_seed42.joblib"
    if args.anomaly_train:
        from axor_classifier_simple import train_anomaly

        t0 = time.perf_counter_ns()
        quiet(train_anomaly.train, model_path=anomaly_model, seed=42, n_estimators=200, max_depth=4)
        ns = float(time.perf_counter_ns() - t0)
        out["axor.anomaly.train"] = {
            "package": pkg,
            "command": "train_anomaly.train(seed=42, n_estimators=200, max_depth=4) (the CLI defaults)",
            "p50_ns": ns,
            "p99_ns": ns,
            "calls": 1,
        }
    elif args.anomaly_model:
        anomaly_model = Path(args.anomaly_model)
    elif anomaly_model.exists():
        print(f"axor: scoring with the cached anomaly model {anomaly_model}", file=sys.stderr)
    if anomaly_model.exists():
        from axor_core.contracts.anomaly import NormalizedIntent

        rows = read_jsonl(ROOT / "fixtures/external/axor/anomaly.jsonl")
        windows = [[NormalizedIntent(**i) for i in r["window"]] for r in rows]
        det = MLAnomalyDetector(model_path=anomaly_model)
        out["axor.anomaly.score"] = {
            "package": pkg,
            "command": f"loop.run_until_complete(det.score(window)), {len(windows)} axor hard windows cycled",
            **time_calls(lambda i: loop.run_until_complete(det.score(windows[i])), len(windows), args.calls, 50),
        }
    else:
        print("axor: no anomaly model (pass --anomaly-train or --anomaly-model FILE), score skipped", file=sys.stderr)


# ------------------------------------------------------------------------------------ harombe


def harombe_events(n: int, seed: int) -> list[dict]:
    """Shared reference §9: tool_call/api_call/file_read; rc 1-4; 100-499 ms; 2% failures. Spaced
    5 minutes apart and ending now, so all of them stay inside BaselineLearner's 30-day window
    (record_event prunes against the wall clock: older events would be dropped on arrival)."""
    rng = random.Random(seed)
    end = dt.datetime.now()
    return [
        {
            "timestamp": end - dt.timedelta(minutes=5 * (n - i)),
            "event_type": rng.choice(["tool_call", "api_call", "file_read"]),
            "resource_count": rng.randint(1, 4),
            "duration_ms": rng.randint(100, 499),
            "success": rng.random() >= 0.02,
        }
        for i in range(n)
    ]


def measure_harombe(args, out: dict) -> None:
    if version("harombe") is None:
        print("harombe: not installed, skipped", file=sys.stderr)
        return
    import logging

    logging.disable(logging.WARNING)
    from harombe.security.ml import AnomalyDetector, BaselineLearner  # type: ignore

    pkg = f"harombe {version('harombe')}, scikit-learn {version('scikit-learn')}"
    tmp = Path(tempfile.mkdtemp(prefix="vigil-ref-harombe-"))
    history = harombe_events(10_000, 7)
    probes = harombe_events(1_000, 8)
    det = AnomalyDetector(model_dir=tmp)
    det.train("agent", history[:1_000])
    out["harombe.detect"] = {
        "package": pkg,
        "command": "AnomalyDetector.detect(agent, event), 1,000-event model, 1,000 probes cycled",
        **time_calls(lambda i: det.detect("agent", probes[i]), len(probes), min(args.calls, 1_000), 50),
    }

    def train_10k():
        AnomalyDetector(model_dir=tmp).train("agent", history)

    out["harombe.train_10k"] = {"package": pkg, "command": "AnomalyDetector.train(agent, 10,000 events), 5 runs", **time_once(train_10k, 5)}

    def record_5k():
        learner = BaselineLearner()
        for e in history[:5_000]:
            learner.record_event("agent", e)

    out["harombe.record_5k"] = {"package": pkg, "command": "5,000 BaselineLearner.record_event calls (events 5 min apart ending now, all inside the 30-day window), 3 runs", **time_once(record_5k, 3)}


# ------------------------------------------------------------------------------------ NEXUS recipe


def measure_nexus_recipe(args, out: dict) -> None:
    if version("scikit-learn") is None:
        print("nexus_recipe: scikit-learn not installed, skipped", file=sys.stderr)
        return
    import numpy as np
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    pkg = f"scikit-learn {version('scikit-learn')} (NEXUS model-card recipe rebuilt; NEXUS itself is not obtainable)"
    rng = np.random.default_rng(42)
    x = rng.random((300, 9))
    y = (x[:, 0] + x[:, 3] + 0.3 * rng.standard_normal(300) > 1.0).astype(int)
    raw = make_pipeline(StandardScaler(), LogisticRegression()).fit(x[:240], y[:240])
    cal = CalibratedClassifierCV(raw, method="sigmoid", cv="prefit") if "cv" in CalibratedClassifierCV().get_params() else None
    try:
        cal = cal.fit(x[240:], y[240:])
    except Exception:
        from sklearn.frozen import FrozenEstimator  # scikit-learn >= 1.6

        cal = CalibratedClassifierCV(FrozenEstimator(raw), method="sigmoid").fit(x[240:], y[240:])
    plans = [x[i : i + 1] for i in range(240, 300)]
    out["nexus_recipe.calibrated"] = {
        "package": pkg,
        "command": "CalibratedClassifierCV(StandardScaler+LR, sigmoid).predict_proba(one 9-D row); 240 rows LR, 60 Platt",
        **time_calls(lambda i: cal.predict_proba(plans[i]), len(plans), args.calls, 50),
    }
    out["nexus_recipe.uncalibrated"] = {
        "package": pkg,
        "command": "make_pipeline(StandardScaler, LR).predict_proba(one 9-D row)",
        **time_calls(lambda i: raw.predict_proba(plans[i]), len(plans), args.calls, 50),
    }


# ------------------------------------------------------------------------------------ main

MEASURERS = {"axor": measure_axor, "harombe": measure_harombe, "nexus_recipe": measure_nexus_recipe}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--only", default=",".join(MEASURERS), help="comma-separated: " + ", ".join(MEASURERS))
    p.add_argument("--calls", type=int, default=2_000, help="timed calls per per-call figure")
    p.add_argument("--anomaly-train", action="store_true", help="also train axor's anomaly model (minutes)")
    p.add_argument("--anomaly-model", help="an axor anomaly model already trained (joblib)")
    p.add_argument("--out", type=Path, default=REFERENCE_JSON)
    p.add_argument("--dry-run", action="store_true", help="print the new figures, write nothing")
    args = p.parse_args()

    measured: dict[str, dict] = {}
    for name in [n.strip() for n in args.only.split(",") if n.strip()]:
        if name not in MEASURERS:
            print(f"unknown reference {name!r} (known: {', '.join(MEASURERS)})", file=sys.stderr)
            return 2
        MEASURERS[name](args, measured)

    doc = json.loads(args.out.read_text(encoding="utf-8"))
    figures = {f["id"]: f for f in doc["figures"]}
    today = dt.date.today().isoformat()
    where = machine()
    py = f"Python {platform.python_version()}"
    for fid, m in measured.items():
        if fid not in figures:
            print(f"measured {fid}, which bench/reference.json does not list; add it there first", file=sys.stderr)
            return 2
        f = figures[fid]
        f.update(
            {
                "status": "measured",
                "source": "bench/reference.py",
                "package": m["package"],
                "command": m["command"],
                "machine": f"{where}; {py}",
                "date": today,
                "p50_ns": round(m["p50_ns"]),
                "p99_ns": round(m["p99_ns"]),
                "calls": m["calls"],
            }
        )
        print(f"{fid:<28} p50 {m['p50_ns'] / 1e3:>12.1f} µs  p99 {m['p99_ns'] / 1e3:>12.1f} µs", file=sys.stderr)
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if args.dry_run:
        print(text)
    else:
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
