"""Profiling a library build: where the time of ``build --force --jobs 1`` goes.

cProfile gives a per-stage table (the pipeline's functions), self time per
package and the top functions; pyinstrument gives a call tree instead.
Profilers slow pure-Python code (ruamel) more than C code (lxml, cairo).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent

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


def _short(key: tuple[str, int, str]) -> str:
    file, line, func = key
    if file == "~":
        return func
    for marker in ("site-packages/", "lib/python3.11/", str(REPO) + "/"):
        if marker in file:
            file = file.split(marker, 1)[1]
            break
    return f"{file}:{line}({func})"


def _package_of(file: str) -> str:
    if file == "~":
        return "builtins/C"
    if "catalyst_gen/" in file:
        return "catalyst_gen"
    if "site-packages/" in file:
        return file.split("site-packages/", 1)[1].split("/", 1)[0]
    if "lib/python3" in file:
        return "stdlib:" + file.split("lib/python3", 1)[1].split("/", 2)[1].removesuffix(".py")
    return "other"


def _profiled_run(cmd: list[str], env: dict) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"bench: profiled build failed:\n{proc.stderr[-3000:]}")
    return time.perf_counter() - start


def summarize_stats(prof_file: Path, n: int, top: int) -> dict[str, Any]:
    """Stages, self time per package and top functions of a cProfile stats file."""
    import pstats

    raw: dict[tuple[str, int, str], tuple[Any, ...]] = pstats.Stats(str(prof_file)).stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in raw.values())
    rows = [
        {"function": _short(key), "ncalls": nc, "tottime_s": tt, "cumtime_s": ct}
        for key, (_cc, nc, tt, ct, _callers) in raw.items()
    ]
    stages = []
    for label, suffix, func in STAGES:
        hits = [v for k, v in raw.items() if k[0].endswith(suffix) and k[2] == func]
        if hits:
            cum = max(v[3] for v in hits)
            stages.append(
                {
                    "stage": label,
                    "ncalls": sum(v[1] for v in hits),
                    "cumtime_s": cum,
                    "ms_per_connector": 1000 * cum / n,
                    "share": cum / total,
                }
            )
    packages: dict[str, float] = {}
    for key, value in raw.items():
        packages[_package_of(key[0])] = packages.get(_package_of(key[0]), 0.0) + value[2]
    by_package = [{"package": k, "tottime_s": v, "share": v / total} for k, v in packages.items()]
    return {
        "profiled_total_s": total,
        "stages": stages,
        "by_package": sorted(by_package, key=lambda r: -float(r["tottime_s"]))[:top],
        "top_cumulative": sorted(rows, key=lambda r: -float(r["cumtime_s"]))[:top],
        "top_tottime": sorted(rows, key=lambda r: -float(r["tottime_s"]))[:top],
    }


def profile_build(lib: Path, env: dict, tool: str, top: int, workdir: Path) -> dict[str, Any]:
    """``build --force --jobs 1`` of the library at ``lib`` under ``tool`` (cprofile or pyinstrument)."""
    shutil.rmtree(lib / "dist", ignore_errors=True)
    shutil.rmtree(lib / ".catalyst-gen", ignore_errors=True)
    n = len([p for p in (lib / "connectors").iterdir() if p.is_dir() and not p.name.startswith("_")])
    args = ["build", "--force", "--jobs", "1", "--project-dir", str(lib)]
    if tool == "pyinstrument":
        out = workdir / "profile.txt"
        wall = _profiled_run([sys.executable, "-m", "pyinstrument", "-o", str(out), "-m", "catalyst_gen", *args], env)
        return {"tool": tool, "connectors": n, "wall_s": wall, "text": out.read_text()[:20000]}
    out = workdir / "build.prof"
    wall = _profiled_run([sys.executable, "-m", "cProfile", "-o", str(out), "-m", "catalyst_gen", *args], env)
    return {"tool": tool, "connectors": n, "wall_s": wall, "prof_file": str(out), **summarize_stats(out, n, top)}


def print_profile(p: dict[str, Any]) -> None:
    what = f"build --force --jobs 1, {p['connectors']} connectors"
    if p["tool"] == "pyinstrument":
        print(f"profile (pyinstrument) of {what}, {p['wall_s']:.1f} s:")
        print(p["text"])
        return
    print(
        f"profile (cProfile) of {what}: wall {p['wall_s']:.1f} s under the profiler, "
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
