"""The benchmark's verdicts and its printed report.

Every target is a row ``{target, value, limit, unit, verdict}`` with verdict
PASS, FAIL or SKIP (not measured in this run: no ``--peer``, or ``--n 0``).
The ratios of issue #9 compare two commands measured in the same run, so they
hold on any machine; the absolute targets (ms per connector, seconds, MB) are
the product brief's.
"""

from __future__ import annotations

from typing import Any

from measure import cpu_s

ABSOLUTE_TARGETS = {
    "build_ms_per_connector": 15.0,  # full cold build, ms per connector
    "noop_s_per_1000": 1.0,  # no-op rebuild, seconds for 1,000 connectors
    "peak_mb": 300.0,  # peak memory of the full build
    "help_s": 0.3,  # catalyst-gen --help
}
RATIO_TARGETS = {
    "noop_vs_peer": 0.5,  # unchanged one-connector build / TypeScript peer generating one connector (wall)
    "cold_vs_import_floor": 1.2,  # cold one-connector build / bare import of its libraries (wall)
    "build_cpu_vs_floor": 2.0,  # 1,000-connector full build CPU / parse-and-write floor CPU
    "check_cpu_vs_build": 1.0,  # check CPU / full build CPU
}


def _row(key: str, target: str, value: float | None, limit: float, unit: str, why_skipped: str = "") -> dict[str, Any]:
    if value is None:
        verdict = "SKIP"
    else:
        verdict = "PASS" if value <= limit else "FAIL"
    return {
        "id": key,
        "target": target,
        "value": value,
        "limit": limit,
        "unit": unit,
        "verdict": verdict,
        "skipped": why_skipped,
    }


def one_connector_targets(one: dict[str, Any]) -> list[dict[str, Any]]:
    """The no-op-vs-peer and cold-vs-import-floor ratios, and --help."""
    steps = one["steps"]
    peer = steps.get("peer")
    return [
        _row(
            "noop_vs_peer",
            "no-op `build together-ai` / TS peer generating one connector (wall)",
            steps["noop"]["wall_s"] / peer["wall_s"] if peer else None,
            RATIO_TARGETS["noop_vs_peer"],
            "x",
            "" if peer else "run with --peer to build and time the TypeScript peer",
        ),
        _row(
            "cold_vs_import_floor",
            "cold `build together-ai --force` / import of its libraries (wall)",
            steps["cold"]["wall_s"] / steps["import_floor"]["wall_s"],
            RATIO_TARGETS["cold_vs_import_floor"],
            "x",
        ),
        _row("help_s", "`catalyst-gen --help` (wall)", steps["help"]["wall_s"], ABSOLUTE_TARGETS["help_s"], "s"),
    ]


def scale_targets(scale: dict[str, Any] | None, n: int) -> list[dict[str, Any]]:
    """The N-connector targets; SKIP rows when the scale part did not run (--n 0)."""
    note = "" if n in (0, 1000) else f" (defined for 1,000; N={n})"
    rows = [
        (
            "build_cpu_vs_floor",
            "full build CPU / parse-and-write floor CPU" + note,
            RATIO_TARGETS["build_cpu_vs_floor"],
            "x",
        ),
        ("check_cpu_vs_build", "`check` CPU / full build CPU" + note, RATIO_TARGETS["check_cpu_vs_build"], "x"),
        ("build_ms_per_connector", "full build wall per connector", ABSOLUTE_TARGETS["build_ms_per_connector"], "ms"),
        ("noop_s", "no-op rebuild wall" + note, ABSOLUTE_TARGETS["noop_s_per_1000"] * max(1.0, n / 1000), "s"),
        ("peak_mb", "full build peak memory", ABSOLUTE_TARGETS["peak_mb"], "MB"),
    ]
    if scale is None:
        return [_row(key, target, None, limit, unit, "run with --n N (N > 0)") for key, target, limit, unit in rows]
    s = scale["steps"]
    full = s["full_build"]
    values = {
        "build_cpu_vs_floor": cpu_s(full) / cpu_s(s["floor"]),
        "check_cpu_vs_build": cpu_s(s["check"]) / cpu_s(full),
        "build_ms_per_connector": 1000 * full["wall_s"] / n,
        "noop_s": s["noop_rebuild"]["wall_s"],
        "peak_mb": max(full["maxrss_mb"], full["tree_pss_mb"]),
    }
    return [_row(key, target, values[key], limit, unit) for key, target, limit, unit in rows]


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}x" if unit == "x" else f"{value:.3g} {unit}"


def print_targets(targets: list[dict[str, Any]]) -> None:
    head = f"{'target':72} {'measured':>10} {'limit':>10}  verdict"
    print(head)
    print("-" * len(head))
    for t in targets:
        limit = f"<= {_fmt(t['limit'], t['unit'])}"
        skipped = f"  ({t['skipped']})" if t["skipped"] else ""
        print(f"{t['target']:72} {_fmt(t['value'], t['unit']):>10} {limit:>10}  {t['verdict']}{skipped}")


def print_one_connector(one: dict[str, Any]) -> None:
    print(f"one connector ({one['connector']}, the repository's library), median of {one['runs']} interleaved runs:")
    head = f"  {'step':58} {'wall s':>7} {'CPU s':>6} {'maxRSS':>7}  runs (s)"
    print(head)
    for step in one["steps"].values():
        runs = " ".join(f"{x:.3f}" for x in step["runs_s"])
        print(f"  {step['label']:58} {step['wall_s']:7.3f} {cpu_s(step):6.3f} {step['maxrss_mb']:6.0f}M  {runs}")
    imports = one["imports"]
    print(
        f"  import floor: {' '.join(imports['floor_libraries'])} (what a cold build imports of {', '.join(imports['candidates'])})"
    )
    for key, label in (("cold", "cold build"), ("noop", "no-op build")):
        info = imports[key]
        print(f"  {label} imports {info['modules']} modules; third-party: {', '.join(info['third_party'])}")
        print(
            "    heaviest (cumulative ms): "
            + ", ".join(f"{i['module']} {i['cumulative_ms']:.0f}" for i in info["heaviest"])
        )
    if one.get("peer"):
        p = one["peer"]
        print(f"  TS peer: {p['source']} built in {p['root']} (node {p['node']}), writes {len(p['files'])} files")


def print_scale(scale: dict[str, Any], n: int) -> None:
    g = scale["generated"]
    print(
        f"{n} synthetic connectors: {g['kinds']}, {g['spec_bytes'] / 1e6:.2f} MB of YAML; "
        f"dist/: {scale['dist']['files']} files, {scale['dist']['bytes'] / 1e6:.1f} MB; median of {scale['repeat']} run(s)"
    )
    head = f"  {'step':36} {'ms/conn':>8} {'wall s':>8} {'x floor':>8} {'CPU s':>7} {'CPU x fl':>8} {'maxRSS':>7} {'treeRSS':>8} {'treePSS':>8} {'procs':>5}"
    print(head)
    for row in scale["rows"]:
        print(
            f"  {row['label']:36} {row['ms_per_connector']:8.2f} {row['seconds']:8.3f} {row['x_floor']:8.2f} {row['cpu_s']:7.2f} {row['cpu_x_floor']:8.2f} "
            f"{row['maxrss_mb']:6.0f}M {row['tree_rss_mb']:7.0f}M {row['tree_pss_mb']:7.0f}M {row['max_procs']:5}"
            + ("" if row["returncode"] == 0 else f"  EXIT {row['returncode']}")
        )
    print(
        "  maxRSS = largest single process of the tree; treeRSS/treePSS = peak sums over the tree sampled every 20 ms."
    )
    print("  CPU = user+sys of the whole process tree (workers included); the floor runs in one process.")


def print_report(r: dict[str, Any]) -> None:
    m = r["machine"]
    print(
        f"catalyst-gen benchmark: {m['cpus']} CPUs, Python {m['python']}, HEAD {r['git']['head']}, measured: {r['git']['measured']}"
        + (
            " (+ uncommitted changes in catalyst_gen/)"
            if r["git"]["dirty_package_files"] and r["git"]["measured"] == "working tree"
            else ""
        )
    )
    load = " ".join(f"{x:.2f}" for x in m["loadavg_before"]), " ".join(f"{x:.2f}" for x in m["loadavg_after"])
    print(f"load average (1/5/15 min) before: {load[0]}, after: {load[1]}")
    print()
    print_one_connector(r["one_connector"])
    if r["scale"]:
        print()
        print_scale(r["scale"], r["n"])
    print()
    print_targets(r["targets"])
    if r.get("profile"):
        from hotspots import print_profile

        print()
        print_profile(r["profile"])
    if not r["tool_ok"]:
        print("\ncatalyst-gen FAILED in at least one step:")
        for step, err in r["failures"].items():
            print(f"--- {step}\n{err}")
