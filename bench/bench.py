#!/usr/bin/env python3
"""Speed at scale: benchmark catalyst-gen on N synthetic connectors.

Not part of the unit tests.  One run:

1. generates N connector specs (default 1000), varied deterministically from the
   real ones in ``connectors/``, into a temporary library that also has a copy of
   ``templates/``, ``connectors/_library.yaml`` and ``connectors/_presets/``;
2. measures, each in a fresh subprocess run the way a user runs it
   (``python3 -m catalyst_gen ... --project-dir LIB``):
     - a full cold build (``build --force``, empty ``dist/``, no cache),
     - a no-op rebuild (``build``, nothing changed),
     - ``check``,
     - a floor: a process that only parses the same N YAML files (with the
       loader's own parser, ``catalyst_gen.loader._yaml()``) and writes the same
       files with the same sizes as the build wrote,
     - ``--help`` (median of several runs);
3. prints a table (ms per connector, seconds, ratio to the floor, peak memory)
   with the issue's targets as PASS/FAIL, or JSON with ``--json``;
4. profiles a ``build --force --jobs 1`` of ``--profile-n`` connectors (default 200)
   with cProfile (or pyinstrument) and prints the hotspots.

Exit status: 0 when every measured command ran successfully, whether or not the
targets were met (this is a report); 1 when catalyst-gen itself failed (a build
or check that exited non-zero, or failed connectors); 2 for usage errors.

Memory: every measured command runs under its own small helper process
(``bench.py _run``), so ``getrusage(RUSAGE_CHILDREN).ru_maxrss`` there covers
exactly that command and its worker processes.  Note that ru_maxrss is the
largest RSS of any *single* process of the tree, not their sum; the helper
also samples the whole process tree every 20 ms from /proc and reports the
peak sum of RSS (overcounts pages shared after fork) and of PSS (shared pages
split fairly; the honest total).  The memory target is judged on the largest
of ru_maxrss and the sampled PSS sum.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve()

TARGETS = {
    "build_ms_per_connector": 15.0,  # full cold build, ms per connector
    "noop_s_per_1000": 1.0,  # no-op rebuild, seconds for 1,000 connectors
    "peak_mb": 300.0,  # peak memory of the full build
    "help_s": 0.3,  # catalyst-gen --help
}


# --------------------------------------------------------------------------- generator

VENDORS = [
    "acme",
    "nimbus",
    "zenith",
    "orbit",
    "quanta",
    "lumen",
    "vertex",
    "cobalt",
    "harbor",
    "sierra",
    "atlas",
    "nova",
    "pioneer",
    "granite",
    "falcon",
    "meridian",
    "aurora",
    "summit",
    "cascade",
    "helix",
    "polaris",
    "tandem",
    "ember",
    "lattice",
    "monarch",
    "onyx",
    "prism",
    "relay",
    "sapphire",
    "tundra",
]
PRODUCTS = [
    "ai",
    "llm",
    "chat",
    "inference",
    "cloud",
    "models",
    "gateway",
    "labs",
    "api",
    "hub",
    "search",
    "vision",
    "speech",
    "translate",
    "embed",
    "agents",
    "ops",
    "data",
    "notify",
    "crm",
]
FAMILIES = ["llama", "qwen", "mistral", "gemma", "phi", "falcon", "granite", "command", "jamba", "yi", "olmo", "nova"]
SIZES = ["1b", "3b", "7b", "8b", "13b", "32b", "70b", "72b", "405b", "mini", "small", "large", "pro", "turbo"]
ORGS = ["meta-llama", "mistralai", "Qwen", "google", "microsoft", "ibm-granite", "allenai", "tiiuae"]
ERROR_POOL = [
    (400, "INVALID_REQUEST", "Malformed request or invalid parameter", "Check the payload and the model name"),
    (401, "AUTH_FAILED", "Invalid or missing API key", "Check the key and the secret it is read from"),
    (402, "PAYMENT_REQUIRED", "The account balance has run out", "Top up the balance in the console"),
    (403, "FORBIDDEN", "The key is not allowed to do this", "Check the key's permissions and region"),
    (404, "NOT_FOUND", "Unknown model or endpoint", "Check the model id and the endpoint URL"),
    (408, "REQUEST_TIMEOUT", "The provider gave up waiting for the request", "Retry with a smaller payload"),
    (409, "CONFLICT", "The resource was changed concurrently", "Reload and retry the operation"),
    (413, "PAYLOAD_TOO_LARGE", "The request body is too large", "Shorten the prompt or split the input"),
    (
        422,
        "INVALID_PARAMETERS",
        "The request contains invalid parameters",
        "Check parameter values against the API docs",
    ),
    (429, "RATE_LIMITED", "Too many requests", "Auto-retried with backoff (Retry-After is honoured)"),
    (500, "SERVER_ERROR", "The provider failed to process the request", "Auto-retried; check the status page"),
    (502, "BAD_GATEWAY", "The provider's gateway failed", "Auto-retried with backoff"),
    (
        503,
        "SERVICE_UNAVAILABLE",
        "The service is temporarily unavailable",
        "Auto-retried with backoff; try again later",
    ),
    (504, "GATEWAY_TIMEOUT", "The provider's gateway timed out", "Raise the timeout or retry later"),
    (529, "OVERLOADED", "The API is temporarily overloaded", "Auto-retried with backoff"),
]
EXTRA_MAPPINGS = [
    ("responseId", "id", "Identifier of the response"),
    ("createdAt", "created", "Unix time the response was created"),
    ("totalTokens", "usage.total_tokens", "Tokens in prompt and response"),
    ("systemFingerprint", "system_fingerprint", "Backend configuration fingerprint"),
    ("firstChoiceIndex", "choices[0].index", "Index of the first choice"),
    ("requestId", '["x-request-id"]', "Request id echoed by the provider"),
]
EXTRA_TIPS = [
    "Store the key in an environment variable on the engine host, never in the BPMN.",
    "Raise the timeout for long prompts; large models can take a minute to answer.",
    "Rate limits are per organisation: parallel process instances share them.",
    "The full response body is always available in catalyst_responseBody.",
    "Pin a model version in production so answers stay comparable over time.",
    "Free trial keys have lower rate limits than paid ones.",
]
ABOUT_EXTRA = [
    "It is popular for batch classification and summarisation jobs.",
    "Data is processed in the EU and not used for training.",
    "Pricing is per million tokens, with a free tier for development.",
    "Enterprise plans add dedicated capacity and a 99.9% SLA.",
    "The API is versioned; old versions stay available for a year.",
]
LOGO_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">
  <rect width="64" height="64" rx="12" fill="{bg}"/>
  <circle cx="32" cy="32" r="{r}" fill="{fg}"/>
</svg>
"""

# base spec -> kind; the mix of kinds follows WEIGHTS
PRESET_BASES = ["openai", "deepseek", "together-ai"]
STANDALONE_BASES = ["anthropic", "generic-rest", "webhook"]
NONE_BASES = ["ollama"]
WEIGHTS = (("preset", 0.45), ("standalone", 0.40), ("none", 0.15))


def _yaml():
    from ruamel.yaml import YAML

    y = YAML(typ="rt", pure=True)
    y.width = 100
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def _color(rng: random.Random) -> str:
    return "#%06X" % rng.randrange(0x1000000)


def _replace_name(value, old: str, new: str):
    return value.replace(old, new) if isinstance(value, str) else value


def _models(rng: random.Random, org_style: bool):
    from ruamel.yaml.comments import CommentedMap

    count = rng.randint(1, 6)
    ids: list[str] = []
    while len(ids) < count:
        fam, size = rng.choice(FAMILIES), rng.choice(SIZES)
        mid = f"{fam}-{rng.randint(1, 4)}.{rng.randint(0, 9)}-{size}"
        if org_style:
            mid = f"{rng.choice(ORGS)}/{mid}"
        if mid not in ids:
            ids.append(mid)
    default = rng.randrange(count)
    models = []
    for i, mid in enumerate(ids):
        m = CommentedMap()
        m["id"] = mid
        m["description"] = (
            f"{mid.split('/')[-1]} — {rng.choice(['fast', 'balanced', 'most capable', 'low cost', 'reasoning'])}"
        )
        if i == default:
            m["default"] = True
        models.append(m)
    return models, ids[default]


def _errors(rng: random.Random, required=()):
    from ruamel.yaml.comments import CommentedMap

    chosen = {e[0]: e for e in rng.sample(ERROR_POOL, rng.randint(2, 9))}
    for status in required:
        chosen.setdefault(status, next(e for e in ERROR_POOL if e[0] == status))
    errors = CommentedMap()
    for status, code, cause, action in sorted(chosen.values(), key=lambda e: rng.random()):
        entry = CommentedMap()
        entry["code"] = code
        entry["cause"] = cause
        entry["action"] = action
        errors[status] = entry
    return errors


def make_spec(bases: dict, index: int, seed: int):
    """One synthetic spec (a ruamel round-trip document) and an optional logo file text."""
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.scalarstring import LiteralScalarString

    rng = random.Random(f"{seed}:{index}")
    roll, kind = rng.random(), "none"
    for name, weight in WEIGHTS:
        if roll < weight:
            kind = name
            break
        roll -= weight
    base_id = rng.choice(
        {"preset": PRESET_BASES, "standalone": STANDALONE_BASES, "none": NONE_BASES + STANDALONE_BASES}[kind]
    )
    spec = _yaml().load(bases[base_id])
    vendor, product = rng.choice(VENDORS), rng.choice(PRODUCTS)
    cid = f"{vendor}-{product}-{index:05d}"
    name = f"{vendor.title()} {product.upper() if len(product) <= 3 else product.title()} {index}"
    old_name = spec["name"]
    spec["id"] = cid
    spec["name"] = name
    for key in ("tagline", "about"):
        spec[key] = _replace_name(spec[key], old_name, name)
    spec["about"] = spec["about"] + " " + " ".join(rng.sample(ABOUT_EXTRA, rng.randint(0, 2)))
    spec["about"] = spec["about"].rstrip()
    if kind != "preset" or rng.random() < 0.3:
        spec["version"] = rng.randint(1, 5)

    endpoint = spec["endpoint"]
    path = endpoint["url"].split("/", 3)[3] if endpoint["url"].count("/") >= 3 else ""
    endpoint["url"] = f"https://api.{vendor}-{product}{index}.com/{path}"
    if rng.random() < 0.5:
        endpoint["timeout_seconds"] = rng.choice([30, 60, 120, 300, 600])

    slug = cid.replace("-", "_")
    auth = spec["auth"]
    if kind == "none" and auth.get("type") != "none":
        editable = auth.get("editable")
        auth.clear()
        auth["type"] = "none"
        if editable:
            auth["editable"] = True
    elif auth.get("type") != "none":
        auth["secret_name"] = f"{slug}_key"
        if "console" in auth or kind == "preset":
            auth["console"] = f"https://console.{vendor}-{product}{index}.com/keys"
        if rng.random() < 0.5:
            auth["key_prefix"] = rng.choice(["sk-", "key-", "tok_", f"{vendor[:3]}-"])
        elif "key_prefix" in auth and kind != "preset":
            del auth["key_prefix"]

    payload = spec["request"]["payload"]
    if "models" in spec:
        spec["models"], default = _models(rng, org_style=base_id == "together-ai")
        payload["model"] = default
        if "max_tokens" in payload or kind == "preset":
            payload["max_tokens"] = rng.choice([256, 512, 1024, 2048, 4096])
    elif base_id == "generic-rest" and rng.random() < 0.3:
        # a JSON text payload (`payload: |`), as the README allows
        spec["request"]["payload"] = LiteralScalarString(
            json.dumps({"name": "${itemName}", "quantity": "${quantity}", "tags": ["bench", vendor]}, indent=2) + "\n"
        )
        spec["request"]["placeholders"]["quantity"] = CommentedMap(
            [("label", "Quantity"), ("default", str(rng.randint(1, 9)))]
        )

    mapping = spec.get("response_mapping")
    if mapping is not None and base_id != "webhook":
        for var, jpath, desc in rng.sample(EXTRA_MAPPINGS, rng.randint(0, 3)):
            mapping[var] = CommentedMap([("path", jpath), ("description", desc)])

    if kind == "preset":
        # override a few inherited errors, add some of our own
        errors = CommentedMap()
        for status in rng.sample([401, 429, 400], rng.randint(0, 3)):
            errors[status] = CommentedMap([("action", f"Check the key at console.{vendor}-{product}{index}.com")])
        for status, code, cause, action in rng.sample(
            [e for e in ERROR_POOL if e[0] not in (400, 401, 429)], rng.randint(0, 5)
        ):
            errors[status] = CommentedMap([("code", code), ("cause", cause), ("action", action)])
        spec["errors"] = errors
        if rng.random() < 0.1:
            spec["errors"][400] = None  # `key: null` removes an inherited key
    else:
        spec["errors"] = _errors(rng, required=(429,) if 429 in spec["retry"]["statuses"] else ())
    statuses = sorted({429} | set(rng.sample([500, 502, 503, 529], rng.randint(0, 2))))
    if "retry" not in spec:
        spec["retry"] = CommentedMap()
    spec["retry"]["statuses"] = statuses
    if rng.random() < 0.3:
        spec["retry"]["max_retries"] = rng.randint(1, 6)
        spec["retry"]["backoff_ms"] = rng.choice([250, 500, 1000, 2000])
        spec["retry"]["max_backoff_ms"] = rng.choice([10000, 30000, 60000])

    spec["example"]["task_name"] = f"Ask {name}" if kind != "standalone" or base_id == "anthropic" else f"Call {name}"
    tips = [_replace_name(t, old_name, name) for t in spec.get("tips", [])]
    tips = rng.sample(tips, rng.randint(min(1, len(tips)), len(tips))) + rng.sample(EXTRA_TIPS, rng.randint(0, 3))
    if tips:
        spec["tips"] = tips

    logo_file = None
    if rng.random() < 0.03:
        spec["logo"] = CommentedMap([("file", "logo.svg")])
        logo_file = LOGO_SVG.format(bg=_color(rng), fg=_color(rng), r=rng.randint(10, 24))
    else:
        letters = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(rng.randint(1, 3)))
        spec["logo"] = CommentedMap(
            [
                ("text", letters),
                ("background", _color(rng)),
                ("foreground", rng.choice(["#FFFFFF", "#111111", _color(rng)])),
            ]
        )
    return cid, spec, logo_file, kind


def generate_library(root: Path, n: int, seed: int, src: Path = REPO) -> dict:
    """A complete connector library with ``n`` synthetic connectors under ``root``.

    ``templates/``, ``_library.yaml`` and ``_presets/`` are copied from ``src``
    (the repository, or a snapshot of it); the real specs there are the bases.
    """
    from io import StringIO

    shutil.copytree(src / "templates", root / "templates")
    (root / "connectors").mkdir(parents=True)
    shutil.copy2(src / "connectors" / "_library.yaml", root / "connectors" / "_library.yaml")
    shutil.copytree(src / "connectors" / "_presets", root / "connectors" / "_presets")
    bases = {
        p.parent.name: p.read_text("utf-8")
        for p in sorted((src / "connectors").glob("*/connector.yaml"))
        if not p.parent.name.startswith(("_", "."))
    }
    missing = [b for b in PRESET_BASES + STANDALONE_BASES + NONE_BASES if b not in bases]
    if missing:
        raise SystemExit(f"bench: base connectors missing from {src / 'connectors'}: {', '.join(missing)}")
    yaml = _yaml()
    kinds: dict[str, int] = {}
    spec_bytes = 0
    for index in range(n):
        cid, spec, logo_file, kind = make_spec(bases, index, seed)
        kinds[kind] = kinds.get(kind, 0) + 1
        folder = root / "connectors" / cid
        folder.mkdir()
        out = StringIO()
        yaml.dump(spec, out)
        text = out.getvalue()
        spec_bytes += len(text.encode())
        (folder / "connector.yaml").write_text(text, "utf-8")
        if logo_file:
            (folder / "logo.svg").write_text(logo_file, "utf-8")
            kinds["logo_file"] = kinds.get("logo_file", 0) + 1
    return {"connectors": n, "kinds": kinds, "spec_bytes": spec_bytes}


# --------------------------------------------------------------------------- measuring


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (via /proc/<pid>/task/*/children)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        if p in out:
            continue
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except OSError:
            pass
    return out


def _mem_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in kB; PSS is 0 when smaps_rollup is unreadable."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
        return rss, pss
    except OSError:
        pass
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


def helper_run(argv: list[str], interval: float = 0.02) -> dict:
    """Run ``argv``; report wall time, exit code, ru_maxrss of the tree and sampled tree sums."""
    peak = {"rss": 0, "pss": 0, "procs": 0}
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            pids = _tree(proc.pid)
            rss = pss = 0
            for pid in pids:
                r, p = _mem_kb(pid)
                rss, pss = rss + r, pss + p
            peak["rss"] = max(peak["rss"], rss)
            peak["pss"] = max(peak["pss"], pss)
            peak["procs"] = max(peak["procs"], len(pids))
            stop.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    stop.set()
    sampler.join()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "argv": argv,
        "returncode": proc.returncode,
        "wall_s": wall,
        "user_s": usage.ru_utime,
        "sys_s": usage.ru_stime,
        "maxrss_mb": usage.ru_maxrss / 1024,  # Linux: kB; max over the tree's single processes
        "tree_rss_mb": peak["rss"] / 1024,
        "tree_pss_mb": peak["pss"] / 1024,
        "max_procs": peak["procs"],
        "stdout_tail": out.decode(errors="replace")[-2000:],
        "stderr_tail": err.decode(errors="replace")[-4000:],
    }


def measure(argv: list[str], env: dict) -> dict:
    """Run ``argv`` under a fresh helper process so its rusage covers only this command."""
    helper = subprocess.run([sys.executable, str(HERE), "_run", "--", *argv], capture_output=True, text=True, env=env)
    if helper.returncode != 0:
        raise SystemExit(f"bench: helper failed: {helper.stderr}")
    return json.loads(helper.stdout)


def floor_run(lib: Path, manifest: Path, out_dir: Path) -> None:
    """The floor: parse the N specs with the loader's own parser, write the same files/bytes as the build."""
    from catalyst_gen.loader import _yaml as loader_yaml

    specs = sorted(p for p in (lib / "connectors").glob("*/connector.yaml") if not p.parent.name.startswith(("_", ".")))
    docs = 0
    for path in specs:
        yaml = loader_yaml()  # one per file and the same settings, like catalyst_gen.loader._parse
        if yaml.compose(path.read_bytes().decode("utf-8-sig")) is not None:
            docs += 1
    sizes = json.loads(manifest.read_text("utf-8"))
    written = 0
    for rel, size in sizes.items():
        target = out_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as fh:
            fh.write(b"x" * size)
        written += size
    print(json.dumps({"parsed": docs, "files": len(sizes), "bytes": written}))


def write_versions_lock(lib: Path) -> None:
    """``connectors/_versions.lock`` recording every built template, as ``bump`` would.

    ``check`` fails for connectors whose template version is not recorded; a
    real library has every released connector recorded.  Not an input of the
    build cache, so writing it does not disturb the no-op rebuild.
    """
    import hashlib

    lock = {}
    for folder in sorted(p for p in (lib / "dist").iterdir() if p.is_dir()):
        template = folder / f"{folder.name}.element.json"
        if template.is_file():
            data = template.read_bytes()
            lock[folder.name] = {"sha256": hashlib.sha256(data).hexdigest(), "version": json.loads(data)["version"]}
    (lib / "connectors" / "_versions.lock").write_text(json.dumps(lock, indent=2, sort_keys=True) + "\n", "utf-8")


def dist_manifest(dist: Path) -> dict[str, int]:
    return {str(p.relative_to(dist)): p.stat().st_size for p in sorted(dist.rglob("*")) if p.is_file()}


# --------------------------------------------------------------------------- profiling


STAGES = [
    # (label, file suffix, function name)
    ("load_spec (YAML + presets)", "catalyst_gen/loader.py", "load_spec"),
    ("validate", "catalyst_gen/validate.py", "validate"),
    ("build_model", "catalyst_gen/model.py", "build_model"),
    ("Renderer.render (Jinja, 4 artifacts)", "catalyst_gen/render.py", "render"),
    ("check_svg", "catalyst_gen/checks/svg.py", "check_svg"),
    ("check_element_template", "catalyst_gen/checks/template.py", "check_element_template"),
    ("parse_xml (example once, logo once)", "catalyst_gen/bpmn.py", "parse_xml"),
    ("check_bpmn", "catalyst_gen/checks/bpmn.py", "check_bpmn"),
    ("check_agreement", "catalyst_gen/checks/template.py", "check_agreement"),
    ("Renderer.picture (example.svg)", "catalyst_gen/render.py", "picture"),
    ("write_connectors (dist/ swap)", "catalyst_gen/output.py", "write_connectors"),
    ("BuildCache.record", "catalyst_gen/cache.py", "record"),
    ("BuildCache.save", "catalyst_gen/cache.py", "save"),
    ("BuildCache.__init__", "catalyst_gen/cache.py", "__init__"),
]


def _short(key) -> str:
    file, line, func = key
    if file == "~":
        return func
    for marker in ("site-packages/", "lib/python3.11/", str(REPO) + "/"):
        if marker in file:
            file = file.split(marker, 1)[1]
            break
    return f"{file}:{line}({func})"


def profile_build(lib: Path, env: dict, tool: str, top: int, workdir: Path) -> dict:
    """``build --force --jobs 1`` under a profiler; returns hotspots."""
    shutil.rmtree(lib / "dist", ignore_errors=True)
    shutil.rmtree(lib / ".catalyst-gen", ignore_errors=True)
    n = len([p for p in (lib / "connectors").iterdir() if p.is_dir() and not p.name.startswith("_")])
    args = ["build", "--force", "--jobs", "1", "--project-dir", str(lib)]
    if tool == "pyinstrument":
        out = workdir / "profile.txt"
        cmd = [sys.executable, "-m", "pyinstrument", "-o", str(out), "-m", "catalyst_gen", *args]
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            raise SystemExit(f"bench: profiled build failed:\n{proc.stderr[-3000:]}")
        return {"tool": tool, "connectors": n, "wall_s": wall, "text": out.read_text()[:20000]}
    import pstats

    out = workdir / "build.prof"
    cmd = [sys.executable, "-m", "cProfile", "-o", str(out), "-m", "catalyst_gen", *args]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"bench: profiled build failed:\n{proc.stderr[-3000:]}")
    stats = pstats.Stats(str(out))
    total = stats.total_tt
    rows = [
        {"function": _short(key), "ncalls": nc, "tottime_s": tt, "cumtime_s": ct}
        for key, (cc, nc, tt, ct, _callers) in stats.stats.items()
    ]
    stages = []
    for label, suffix, func in STAGES:
        hits = [(k, v) for k, v in stats.stats.items() if k[0].endswith(suffix) and k[2] == func]
        if hits:
            ncalls = sum(v[1] for _, v in hits)
            cum = max(v[3] for _, v in hits)
            stages.append(
                {
                    "stage": label,
                    "ncalls": ncalls,
                    "cumtime_s": cum,
                    "ms_per_connector": 1000 * cum / n,
                    "share": cum / total,
                }
            )
    # time spent per top-level package (tottime, i.e. self time)
    packages: dict[str, float] = {}
    for key, (cc, nc, tt, ct, _callers) in stats.stats.items():
        file = key[0]
        if file == "~":
            pkg = "builtins/C"
        elif str(REPO) in file:
            pkg = "catalyst_gen"
        elif "site-packages/" in file:
            pkg = file.split("site-packages/", 1)[1].split("/", 1)[0]
        elif "lib/python3" in file:
            pkg = "stdlib:" + file.split("lib/python3", 1)[1].split("/", 2)[1].removesuffix(".py")
        else:
            pkg = "other"
        packages[pkg] = packages.get(pkg, 0.0) + tt
    return {
        "tool": tool,
        "connectors": n,
        "wall_s": wall,
        "profiled_total_s": total,
        "prof_file": str(out),
        "stages": stages,
        "by_package": sorted(
            ({"package": k, "tottime_s": v, "share": v / total} for k, v in packages.items()),
            key=lambda r: -r["tottime_s"],
        )[:top],
        "top_cumulative": sorted(rows, key=lambda r: -r["cumtime_s"])[:top],
        "top_tottime": sorted(rows, key=lambda r: -r["tottime_s"])[:top],
    }


# --------------------------------------------------------------------------- report


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


class ToolFailed(Exception):
    """catalyst-gen failed in a step the rest of the benchmark depends on."""


def snapshot(rev: str, dest: Path) -> Path:
    """``catalyst_gen/``, ``templates/`` and ``connectors/`` as of git ``rev`` (read-only: git archive)."""
    dest.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", rev, "catalyst_gen", "templates", "connectors"],
        capture_output=True,
    )
    if archive.returncode != 0:
        raise SystemExit(f"bench: git archive {rev} failed: {archive.stderr.decode(errors='replace')}")
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    return dest


def resolve_rev(rev: str) -> str:
    out = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", rev + "^{commit}"], capture_output=True, text=True
    )
    if out.returncode != 0:
        raise SystemExit(f"bench: unknown git revision {rev!r}: {out.stderr.strip()}")
    return out.stdout.strip()


def run_benchmark(args) -> tuple[dict, bool]:
    work = Path(tempfile.mkdtemp(prefix="catalyst-bench-", dir=args.workdir)).resolve()
    # Every command runs from inside the temp dir, as a user runs it from the library root:
    # `python3 -m` puts the current directory first on sys.path, so running from the repo
    # would import the working tree's catalyst_gen even with --rev.
    os.chdir(work)
    measured = "working tree"
    if args.rev:
        commit = resolve_rev(args.rev)
        src = snapshot(commit, work / "code")
        measured = f"{args.rev} = {commit}"
    else:
        src = REPO
    env = dict(os.environ)
    env["PYTHONPATH"] = str(src) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.pop("CATALYST_GEN_DEBUG", None)
    tool = [sys.executable, "-m", "catalyst_gen"]
    log = lambda *a: print(*a, file=sys.stderr, flush=True)
    where = subprocess.run(
        [sys.executable, "-c", "import catalyst_gen; print(catalyst_gen.__file__)"],
        capture_output=True,
        text=True,
        env=env,
        cwd=work,
    )
    if not where.stdout.strip().startswith(str(src)):
        raise SystemExit(
            f"bench: catalyst_gen would be imported from {where.stdout.strip() or where.stderr}, not from {src}"
        )
    log(f"bench: measuring catalyst_gen from {Path(where.stdout.strip()).parent}")
    ok = True
    try:
        lib = work / "lib"
        lib.mkdir()
        t0 = time.perf_counter()
        gen = generate_library(lib, args.n, args.seed, src)
        gen["seconds"] = time.perf_counter() - t0
        log(f"bench: generated {args.n} connectors in {gen['seconds']:.1f} s ({gen['kinds']}) in {lib}")
        jobs = ["--jobs", str(args.jobs)] if args.jobs else []

        results: dict[str, dict] = {}

        def step(name, argv, before=None):
            """Run ``argv`` --repeat times (``before()`` ahead of each); keep the run with the median wall time."""
            nonlocal ok
            log(f"bench: {name}: {' '.join(argv[1:] if argv[0] == sys.executable else argv)}")
            runs = []
            for _ in range(args.repeat):
                if before:
                    before()
                r = measure(argv, env)
                runs.append(r)
                log(
                    f"bench:   {r['wall_s']:.2f} s, exit {r['returncode']}, ru_maxrss {r['maxrss_mb']:.0f} MB, tree PSS {r['tree_pss_mb']:.0f} MB"
                )
                if r["returncode"] != 0:
                    ok = False
                    log(f"bench: {name} FAILED (exit {r['returncode']}):\n{r['stderr_tail']}")
                    break
            r = dict(sorted(runs, key=lambda x: x["wall_s"])[(len(runs) - 1) // 2])
            r["runs_s"] = [x["wall_s"] for x in runs]
            # memory: the worst run, not the median one
            for key in ("maxrss_mb", "tree_rss_mb", "tree_pss_mb", "max_procs"):
                r[key] = max(x[key] for x in runs)
            results[name] = r
            return r

        def cold():
            shutil.rmtree(lib / "dist", ignore_errors=True)
            shutil.rmtree(lib / ".catalyst-gen", ignore_errors=True)

        load_before = os.getloadavg()
        step("full_build", tool + ["build", "--force", *jobs, "--project-dir", str(lib)], before=cold)
        if results["full_build"]["returncode"] != 0 or not (lib / "dist").is_dir():
            raise ToolFailed("the full build failed:\n" + results["full_build"]["stderr_tail"])
        manifest = dist_manifest(lib / "dist")
        written = sum(manifest.values())
        write_versions_lock(lib)  # untimed: a real library commits its lock (catalyst-gen bump <id>)
        step("noop_rebuild", tool + ["build", *jobs, "--project-dir", str(lib)])
        if "0 written" not in results["noop_rebuild"]["stdout_tail"]:
            log(
                "bench: warning: the no-op rebuild wrote something: "
                + results["noop_rebuild"]["stdout_tail"].splitlines()[-1:][0]
                if results["noop_rebuild"]["stdout_tail"]
                else ""
            )
        step("check", tool + ["check", *jobs, "--project-dir", str(lib)])
        manifest_path = work / "manifest.json"
        manifest_path.write_text(json.dumps(manifest), "utf-8")
        floor_out = work / "floor-out"
        step(
            "floor",
            [sys.executable, str(HERE), "_floor", str(lib), str(manifest_path), str(floor_out)],
            before=lambda: shutil.rmtree(floor_out, ignore_errors=True),
        )
        helps = []
        for i in range(args.help_runs):
            r = measure(tool + ["--help"], env)
            helps.append(r)
            ok = ok and r["returncode"] == 0
        results["help"] = dict(helps[len(helps) // 2])  # representative run; wall replaced by the median
        results["help"]["wall_s"] = statistics.median(h["wall_s"] for h in helps)
        results["help"]["runs_s"] = [h["wall_s"] for h in helps]
        log(f"bench: --help median {results['help']['wall_s'] * 1000:.0f} ms over {len(helps)} runs")
        # what --help imports (cumulative import time of the heaviest top-level modules)
        imp = subprocess.run(
            [*tool, "--help"], capture_output=True, text=True, env={**env, "PYTHONPROFILEIMPORTTIME": "1"}
        )
        imports = []
        for line in imp.stderr.splitlines():
            if line.startswith("import time:") and "|" in line:
                parts = line.split(":", 1)[1].split("|")
                name = parts[2][1:] if len(parts) == 3 else " "
                if parts[0].strip().isdigit() and not name.startswith(" "):
                    imports.append({"module": name.strip(), "cumulative_ms": int(parts[1]) / 1000})
        results["help"]["imports"] = sorted(imports, key=lambda r: -r["cumulative_ms"])[:8]

        n = args.n
        floor_s = results["floor"]["wall_s"]
        floor_cpu = results["floor"]["user_s"] + results["floor"]["sys_s"]
        full = results["full_build"]
        peak_mb = max(full["maxrss_mb"], full["tree_pss_mb"])
        noop_target = TARGETS["noop_s_per_1000"] * max(1.0, n / 1000)
        targets = [
            {
                "target": f"full build <= {TARGETS['build_ms_per_connector']:g} ms/connector",
                "value": 1000 * full["wall_s"] / n,
                "unit": "ms/connector",
                "pass": 1000 * full["wall_s"] / n <= TARGETS["build_ms_per_connector"],
            },
            {
                "target": f"no-op rebuild < {noop_target:g} s" + ("" if n == 1000 else f" (defined for 1,000; N={n})"),
                "value": results["noop_rebuild"]["wall_s"],
                "unit": "s",
                "pass": results["noop_rebuild"]["wall_s"] < noop_target,
            },
            {
                "target": f"full build peak memory < {TARGETS['peak_mb']:g} MB",
                "value": peak_mb,
                "unit": "MB",
                "pass": peak_mb < TARGETS["peak_mb"],
            },
            {
                "target": f"--help < {TARGETS['help_s']:g} s",
                "value": results["help"]["wall_s"],
                "unit": "s",
                "pass": results["help"]["wall_s"] < TARGETS["help_s"],
            },
        ]
        rows = []
        for name, label in (
            ("full_build", "full build (cold, --force)"),
            ("noop_rebuild", "no-op rebuild"),
            ("check", "check"),
            ("floor", "floor (parse N YAML + write bytes)"),
            ("help", f"--help (median of {args.help_runs})"),
        ):
            r = results[name]
            rows.append(
                {
                    "step": name,
                    "label": label,
                    "seconds": r["wall_s"],
                    "ms_per_connector": 1000 * r["wall_s"] / n,
                    "x_floor": r["wall_s"] / floor_s if floor_s else None,
                    "cpu_s": r["user_s"] + r["sys_s"],
                    "cpu_x_floor": (r["user_s"] + r["sys_s"]) / floor_cpu if floor_cpu else None,
                    "maxrss_mb": r["maxrss_mb"],
                    "tree_rss_mb": r["tree_rss_mb"],
                    "tree_pss_mb": r["tree_pss_mb"],
                    "max_procs": r["max_procs"],
                    "returncode": r["returncode"],
                }
            )
        profile = None
        if args.profile != "none":
            pn = min(args.profile_n, n)
            plib = work / "profile-lib"
            plib.mkdir()
            generate_library(plib, pn, args.seed, src)  # same seed: the first pn connectors of the big set
            log(f"bench: profiling build --force --jobs 1 of {pn} connectors with {args.profile}")
            profile = profile_build(plib, env, args.profile, args.top, work)
            if args.keep_profile and profile.get("prof_file"):
                dest = Path(args.keep_profile)
                shutil.copy2(profile["prof_file"], dest)
                profile["prof_file"] = str(dest)
        report = {
            "n": n,
            "seed": args.seed,
            "jobs": args.jobs or "default (one per core)",
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "platform": platform.platform(),
                "loadavg_before": load_before,
                "loadavg_after": os.getloadavg(),
            },
            "repeat": args.repeat,
            "git": {**_git_state(), "measured": measured},
            "generated": gen,
            "dist": {"files": len(manifest), "bytes": written},
            "rows": rows,
            "targets": targets,
            "help_imports": results["help"]["imports"],
            "profile": profile,
            "tool_ok": ok,
            "failures": {k: v["stderr_tail"] for k, v in results.items() if v["returncode"] != 0},
        }
        return report, ok
    finally:
        if args.keep:
            log(f"bench: kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def _git_state() -> dict:
    def git(*a):
        try:
            return subprocess.run(
                ["git", "-C", str(REPO), *a], capture_output=True, text=True, timeout=10
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    return {
        "head": git("rev-parse", "--short", "HEAD"),
        "dirty_package_files": git("status", "--porcelain", "--", "catalyst_gen").splitlines(),
    }


def print_table(r: dict) -> None:
    n = r["n"]
    print(
        f"catalyst-gen speed at scale: N={n} connectors, seed {r['seed']}, jobs {r['jobs']}, "
        f"{r['machine']['cpus']} CPUs, Python {r['machine']['python']}, HEAD {r['git']['head']}, measured: {r['git']['measured']}"
        + (
            " (+ uncommitted changes in catalyst_gen/)"
            if r["git"]["dirty_package_files"] and r["git"]["measured"] == "working tree"
            else ""
        )
    )
    m = r["machine"]
    print(
        f"load average (1/5/15 min) before: {' '.join(f'{x:.2f}' for x in m['loadavg_before'])}, after: {' '.join(f'{x:.2f}' for x in m['loadavg_after'])}"
        f"; each step: median of {r['repeat']} run(s)"
        + ("" if r["repeat"] > 1 else " (use --repeat 3 on a shared machine)")
    )
    g = r["generated"]
    print(
        f"specs: {g['kinds']}, {g['spec_bytes'] / 1e6:.2f} MB of YAML; dist/: {r['dist']['files']} files, {r['dist']['bytes'] / 1e6:.1f} MB"
    )
    print()
    head = f"{'step':38} {'ms/conn':>8} {'total s':>8} {'x floor':>8} {'CPU s':>7} {'CPU x fl':>8} {'maxRSS':>7} {'treeRSS':>8} {'treePSS':>8} {'procs':>5}"
    print(head)
    print("-" * len(head))
    for row in r["rows"]:
        print(
            f"{row['label']:38} {row['ms_per_connector']:8.2f} {row['seconds']:8.3f} {row['x_floor']:8.2f} {row['cpu_s']:7.2f} {row['cpu_x_floor']:8.2f} "
            f"{row['maxrss_mb']:6.0f}M {row['tree_rss_mb']:7.0f}M {row['tree_pss_mb']:7.0f}M {row['max_procs']:5}"
            + ("" if row["returncode"] == 0 else f"  EXIT {row['returncode']}")
        )
    print("maxRSS = ru_maxrss of the command's tree (largest single process); treeRSS/treePSS = peak sums over the")
    print("process tree sampled every 20 ms (RSS double-counts pages shared after fork; PSS does not).")
    print("x floor = wall time / floor wall time; CPU x fl = CPU time (user+sys, all processes) / floor CPU time.")
    print("The floor runs in one process; build and check use worker processes (wall time can beat CPU time).")
    print()
    print("targets:")
    for t in r["targets"]:
        print(f"  {_verdict(t['pass'])}  {t['target']:55} measured {t['value']:.3f} {t['unit']}")
    if r["help_imports"]:
        print(
            "  --help imports (cumulative ms): "
            + ", ".join(f"{i['module']} {i['cumulative_ms']:.0f}" for i in r["help_imports"])
        )
    p = r.get("profile")
    if p:
        print()
        if p["tool"] == "pyinstrument":
            print(
                f"profile (pyinstrument) of build --force --jobs 1, {p['connectors']} connectors, {p['wall_s']:.1f} s:"
            )
            print(p["text"])
        else:
            print(
                f"profile (cProfile) of build --force --jobs 1, {p['connectors']} connectors: wall {p['wall_s']:.1f} s under the profiler, "
                f"{p['profiled_total_s']:.1f} s profiled ({p['prof_file']})"
            )
            print(f"\n  {'pipeline stage':40} {'calls':>6} {'cum s':>7} {'ms/conn':>8} {'share':>6}")
            for s in p["stages"]:
                print(
                    f"  {s['stage']:40} {s['ncalls']:6} {s['cumtime_s']:7.2f} {s['ms_per_connector']:8.2f} {100 * s['share']:5.1f}%"
                )
            print(f"\n  {'self time by package':40} {'tottime s':>9} {'share':>6}")
            for s in p["by_package"]:
                print(f"  {s['package']:40} {s['tottime_s']:9.2f} {100 * s['share']:5.1f}%")
            for key, title in (("top_cumulative", "cumulative"), ("top_tottime", "tottime (self)")):
                print(f"\n  top by {title}:")
                print(f"  {'ncalls':>9} {'tottime':>8} {'cumtime':>8}  function")
                for row in p[key]:
                    print(f"  {row['ncalls']:9} {row['tottime_s']:8.3f} {row['cumtime_s']:8.3f}  {row['function']}")
    if not r["tool_ok"]:
        print("\ncatalyst-gen FAILED in at least one step:")
        for step, err in r["failures"].items():
            print(f"--- {step}\n{err}")


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["_run"]:  # internal: the per-command helper
        cmd = argv[2:] if argv[1:2] == ["--"] else argv[1:]
        print(json.dumps(helper_run(cmd)))
        return 0
    if argv[:1] == ["_floor"]:  # internal: the floor process
        floor_run(Path(argv[1]), Path(argv[2]), Path(argv[3]))
        return 0
    parser = argparse.ArgumentParser(prog="bench/bench.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="number of synthetic connectors (default 1000)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument(
        "--jobs", type=int, default=None, help="pass --jobs to build/check (default: the tool's default, one per core)"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="runs per step (build, no-op, check, floor); the median is reported, memory is the worst run (default 1)",
    )
    parser.add_argument("--help-runs", type=int, default=7, help="--help runs, median reported (default 7)")
    parser.add_argument(
        "--profile",
        choices=["cprofile", "pyinstrument", "none"],
        default="cprofile",
        help="profiler for the --jobs 1 build (default cprofile)",
    )
    parser.add_argument("--profile-n", type=int, default=200, help="connectors in the profiled build (default 200)")
    parser.add_argument("--top", type=int, default=25, help="hotspots listed per table (default 25)")
    parser.add_argument(
        "--keep-profile", metavar="FILE", help="copy the cProfile stats file here (for snakeviz, pstats)"
    )
    parser.add_argument(
        "--rev",
        default=None,
        help="measure catalyst_gen/, templates/ and connectors/ as of this git revision "
        "(extracted with git archive into the temp dir) instead of the working tree, e.g. HEAD to compare before/after a change",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON on stdout")
    parser.add_argument("--keep", action="store_true", help="keep the temporary library (path printed on stderr)")
    parser.add_argument(
        "--workdir", default=None, help="parent of the temporary directory (default: the system temp dir)"
    )
    args = parser.parse_args(argv)
    if args.keep_profile:
        args.keep_profile = str(Path(args.keep_profile).resolve())
    if args.n < 1:
        parser.error("--n must be at least 1")
    try:
        report, ok = run_benchmark(args)
    except ToolFailed as exc:
        print(f"bench: catalyst-gen FAILED, no report: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_table(report)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
