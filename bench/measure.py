"""Measuring one command: wall time, CPU of its process tree, memory, imports.

Every measured command runs under a small helper process of its own
(``bench.py _run -- ARGV``, :func:`helper_run`), so the helper's
``getrusage(RUSAGE_CHILDREN)`` covers exactly that command and the worker
processes it waited for: ``ru_utime + ru_stime`` is the CPU of the whole tree,
``ru_maxrss`` the largest *single* process.  The helper also samples the tree
every 20 ms from /proc for the peak sum of RSS and PSS.
"""

from __future__ import annotations

import importlib.util
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent / "bench.py"


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


def median_of(runs: list[dict]) -> dict:
    """The run with the median wall time (all wall times kept); memory is the worst run's."""
    r = dict(sorted(runs, key=lambda x: x["wall_s"])[(len(runs) - 1) // 2])
    r["runs_s"] = [x["wall_s"] for x in runs]
    for key in ("maxrss_mb", "tree_rss_mb", "tree_pss_mb", "max_procs"):
        r[key] = max(x[key] for x in runs)
    return r


def cpu_s(run: dict) -> float:
    """User + system CPU of the measured process tree."""
    return float(run["user_s"] + run["sys_s"])


# --------------------------------------------------------------------------- imports

BUILD_LIBRARIES = ("jinja2", "lxml.etree", "jsonschema", "click", "ruamel.yaml", "cairosvg")
"""The libraries a build may use; the import floor imports those a build really imports."""


def import_times(argv: list[str], env: dict, cwd: Path | None = None) -> tuple[int, list[dict[str, Any]]]:
    """Run ``argv`` (a Python command) with ``-X importtime``; (exit status, one row per imported module)."""
    proc = subprocess.run(
        argv, capture_output=True, text=True, env={**env, "PYTHONPROFILEIMPORTTIME": "1"}, cwd=cwd, check=False
    )
    rows = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        self_us, cumulative_us, name = line.split(":", 1)[1].split("|")
        if not self_us.strip().isdigit():
            continue  # the header line
        depth = (len(name) - len(name.lstrip(" ")) - 1) // 2
        rows.append(
            {
                "module": name.strip(),
                "depth": depth,
                "self_ms": int(self_us) / 1000,
                "cumulative_ms": int(cumulative_us) / 1000,
            }
        )
    return proc.returncode, rows


def heaviest_top_level(rows: list[dict[str, Any]], top: int = 8) -> list[dict[str, Any]]:
    """The ``top`` imports made directly by the program (depth 0), by cumulative time."""
    firsts = [r for r in rows if r["depth"] == 0]
    return [
        {"module": r["module"], "cumulative_ms": r["cumulative_ms"]}
        for r in sorted(firsts, key=lambda r: -r["cumulative_ms"])[:top]
    ]


def _is_third_party(top_level: str) -> bool:
    try:
        spec = importlib.util.find_spec(top_level)
    except (ImportError, ValueError):
        return False
    origin = (spec.origin or "") if spec else ""
    if not origin and spec and spec.submodule_search_locations:
        origin = next(iter(spec.submodule_search_locations), "")
    return "site-packages" in origin or "dist-packages" in origin


def third_party_packages(rows: list[dict[str, Any]]) -> list[str]:
    """Top-level third-party packages among imported modules (site-packages, not the stdlib)."""
    tops = sorted({r["module"].split(".")[0] for r in rows})
    return [t for t in tops if _is_third_party(t)]


def used_build_libraries(rows: list[dict[str, Any]]) -> list[str]:
    """The :data:`BUILD_LIBRARIES` a command really imported."""
    imported = {r["module"] for r in rows}
    return [lib for lib in BUILD_LIBRARIES if lib in imported]


def import_floor_argv(libraries: list[str]) -> list[str]:
    """A process that only imports ``libraries`` (the floor of a cold build)."""
    return [sys.executable, "-c", "import " + ", ".join(libraries) if libraries else "pass"]
