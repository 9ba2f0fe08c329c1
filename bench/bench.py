#!/usr/bin/env python3
"""Benchmark catalyst-gen against the speed targets of issue #9, as ratios measured in one run.

Not part of the unit tests (pytest does not collect ``bench/``).  One run:

1. **One connector**, in a copy of the repository's own library: an unchanged
   ``build together-ai`` (built once first, so the cache is warm), a cold
   ``build together-ai --force`` (empty ``dist/`` and cache), a process that
   only imports the libraries a cold build really imports (found with
   ``-X importtime``), ``--help``, and with ``--peer`` Catalyst's TypeScript
   connector generator generating one connector (built from its source in a
   temporary directory).  Runs are interleaved, medians reported.
2. **N connectors** (default 1000, ``--n 0`` skips this part), generated
   deterministically from the real specs: a cold ``build --force``, a no-op
   ``build``, ``check``, and a floor process that parses the same N specs with
   the loader's own parser and writes files of the same number and sizes.
   CPU is user+sys of the whole process tree.
3. A table of every target with its measured value, its limit and PASS, FAIL
   or SKIP (``--json`` for machines), then a cProfile (or pyinstrument) profile
   of a ``build --force --jobs 1`` of ``--profile-n`` connectors.

Exit status: 0 when every measured command ran, whether or not the targets
were met (this is a report); 1 when catalyst-gen itself failed; 2 for usage
errors (and a peer that cannot be built).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the sibling modules, also under `python3 -m`

import measure  # noqa: E402
import peer as ts_peer  # noqa: E402
import report  # noqa: E402
import synth  # noqa: E402
from hotspots import profile_build  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
ONE_CONNECTOR = "together-ai"


class ToolFailed(Exception):
    """catalyst-gen failed in a step the rest of the benchmark depends on."""


def log(*parts: object) -> None:
    print(*parts, file=sys.stderr, flush=True)


@dataclass
class Session:
    """One benchmark run: where it works, which code it measures, what failed."""

    args: argparse.Namespace
    work: Path
    src: Path  # catalyst_gen/, templates/, connectors/ being measured
    env: dict[str, str]
    measured: str
    failures: dict[str, str] = field(default_factory=dict)

    @property
    def tool(self) -> list[str]:
        return [sys.executable, "-m", "catalyst_gen"]

    def run(self, name: str, argv: list[str]) -> dict[str, Any]:
        """Measure ``argv`` once; a non-zero exit is recorded as a catalyst-gen failure."""
        r = measure.measure(argv, self.env)
        if r["returncode"] != 0:
            self.failures[name] = r["stderr_tail"]
            log(f"bench: {name} FAILED (exit {r['returncode']}):\n{r['stderr_tail']}")
        return r


# --------------------------------------------------------------------------- one connector


def _reset(lib: Path) -> None:
    """An empty dist/ and cache: the state of a cold build."""
    shutil.rmtree(lib / "dist", ignore_errors=True)
    shutil.rmtree(lib / ".catalyst-gen", ignore_errors=True)


def _probe_imports(s: Session, lib: Path) -> dict[str, Any]:
    """What a cold and a no-op one-connector build import (``-X importtime``)."""
    build = [*s.tool, "build", ONE_CONNECTOR, "--project-dir", str(lib)]
    _reset(lib)
    code_cold, cold = measure.import_times([*build, "--force"], s.env, cwd=s.work)
    code_noop, noop = measure.import_times(build, s.env, cwd=s.work)
    if code_cold or code_noop:
        raise ToolFailed(f"build {ONE_CONNECTOR} failed under -X importtime (exit {code_cold or code_noop})")

    def info(rows: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "modules": len(rows),
            "third_party": measure.third_party_packages(rows),
            "heaviest": measure.heaviest_top_level(rows),
            "catalyst_gen": sorted(r["module"] for r in rows if r["module"].startswith("catalyst_gen")),
        }

    return {
        "candidates": list(measure.BUILD_LIBRARIES),
        "floor_libraries": measure.used_build_libraries(cold),
        "cold": info(cold),
        "noop": info(noop),
    }


def _one_round(s: Session, lib: Path, floor_argv: list[str], peer: ts_peer.Peer | None) -> dict[str, dict]:
    """One interleaved round: cold build, no-op build, import floor, bare interpreter, --help, peer.

    The bare interpreter start is what any Python command pays before its first
    import (site-packages ``.pth`` files included); it shows how much of the
    no-op's budget against the peer is left for catalyst-gen itself.
    """
    build = [*s.tool, "build", ONE_CONNECTOR, "--project-dir", str(lib)]
    _reset(lib)
    runs = {"cold": s.run("cold build", [*build, "--force"])}
    if "1 written" not in runs["cold"]["stdout_tail"]:
        log(f"bench: warning: the cold build did not write {ONE_CONNECTOR}: {runs['cold']['stdout_tail'][-200:]}")
    runs["noop"] = s.run("no-op build", build)  # the cold build left the cache warm
    if "0 written" not in runs["noop"]["stdout_tail"]:
        log(f"bench: warning: the no-op build wrote something: {runs['noop']['stdout_tail'][-200:]}")
    runs["import_floor"] = s.run("import floor", floor_argv)
    runs["interpreter"] = s.run("interpreter start", [sys.executable, "-c", "pass"])
    runs["interpreter_no_site"] = s.run("interpreter start without site", [sys.executable, "-S", "-c", "pass"])
    runs["help"] = s.run("--help", [*s.tool, "--help"])
    if peer:
        out = s.work / "peer-out"
        shutil.rmtree(out, ignore_errors=True)
        runs["peer"] = s.run("TS peer", peer.generate_argv(out))
        if not ts_peer.generated_files(out):
            raise ts_peer.PeerUnavailable(f"the peer wrote nothing into {out}")
    return runs


LABELS = {
    "cold": f"cold `build {ONE_CONNECTOR} --force` (empty dist/, cache)",
    "noop": f"no-op `build {ONE_CONNECTOR}` (warm cache)",
    "import_floor": "import floor (python3 -c 'import <libraries>')",
    "interpreter": "interpreter start (python3 -c pass; not a target)",
    "interpreter_no_site": "... without site-packages/.pth (python3 -S; not a target)",
    "help": "`catalyst-gen --help`",
    "peer": f"TS peer: node dist/cli.js generate {ts_peer.PEER_CONNECTOR}",
}


def one_connector(s: Session) -> dict[str, Any]:
    """Targets 1 and 2 of issue #9: the no-op against the TS peer, the cold build against its import floor."""
    lib = s.work / "one-lib"
    lib.mkdir()
    for folder in ("connectors", "templates"):
        shutil.copytree(s.src / folder, lib / folder)
    warm = s.run("first build", [*s.tool, "build", ONE_CONNECTOR, "--project-dir", str(lib)])
    if warm["returncode"] != 0:
        raise ToolFailed(f"build {ONE_CONNECTOR} failed:\n{warm['stderr_tail']}")
    imports = _probe_imports(s, lib)
    peer = None
    if s.args.peer:
        source = Path(s.args.peer) if s.args.peer != "auto" else ts_peer.find_peer(REPO)
        if source is None or not (source / "package.json").is_file():
            raise ts_peer.PeerUnavailable(f"no TypeScript peer at {source or ts_peer.PEER_PATH} (pass --peer DIR)")
        log(f"bench: building the TS peer from {source} (npm ci, tsc)")
        peer = ts_peer.build_peer(source.resolve(), s.work)
    floor_argv = measure.import_floor_argv(imports["floor_libraries"])
    rounds: list[dict[str, dict]] = []
    for i in range(s.args.one_runs):
        rounds.append(_one_round(s, lib, floor_argv, peer))
        log(
            "bench: one connector, round "
            + f"{i + 1}: "
            + ", ".join(f"{k} {v['wall_s']:.3f} s" for k, v in rounds[-1].items())
        )
    steps = {}
    for key in rounds[0]:
        steps[key] = {"label": LABELS[key], **measure.median_of([r[key] for r in rounds])}
    result: dict[str, Any] = {"connector": ONE_CONNECTOR, "runs": s.args.one_runs, "steps": steps, "imports": imports}
    if peer:
        files = ts_peer.generated_files(s.work / "peer-out")
        result["peer"] = {
            "source": str(peer.source),
            "root": str(peer.root),
            "node": ts_peer.node_version(peer.node),
            "files": files,
        }
    return result


# --------------------------------------------------------------------------- N connectors


def _repeated(s: Session, name: str, argv: list[str], before: Any = None) -> dict[str, Any]:
    """Run ``argv`` --repeat times (``before()`` ahead of each); the median run, the worst memory."""
    log(f"bench: {name}: {' '.join(argv[1:] if argv[0] == sys.executable else argv)}")
    runs = []
    for _ in range(s.args.repeat):
        if before:
            before()
        r = s.run(name, argv)
        runs.append(r)
        log(
            f"bench:   {r['wall_s']:.2f} s, CPU {measure.cpu_s(r):.2f} s, exit {r['returncode']}, tree PSS {r['tree_pss_mb']:.0f} MB"
        )
        if r["returncode"] != 0:
            break
    return measure.median_of(runs)


SCALE_LABELS = {
    "full_build": "full build (cold, --force)",
    "noop_rebuild": "no-op rebuild",
    "check": "check",
    "floor": "floor (parse N YAML + write bytes)",
}


def _scale_rows(steps: dict[str, dict], n: int) -> list[dict[str, Any]]:
    floor = steps["floor"]
    rows = []
    for name, label in SCALE_LABELS.items():
        r = steps[name]
        rows.append(
            {
                "step": name,
                "label": label,
                "seconds": r["wall_s"],
                "ms_per_connector": 1000 * r["wall_s"] / n,
                "x_floor": r["wall_s"] / floor["wall_s"],
                "cpu_s": measure.cpu_s(r),
                "cpu_x_floor": measure.cpu_s(r) / measure.cpu_s(floor),
                **{k: r[k] for k in ("maxrss_mb", "tree_rss_mb", "tree_pss_mb", "max_procs", "returncode")},
            }
        )
    return rows


def scale(s: Session) -> dict[str, Any]:
    """Target 3 of issue #9 (and the brief's absolute targets) on N synthetic connectors."""
    lib, n = s.work / "lib", s.args.n
    lib.mkdir()
    started = time.perf_counter()
    generated = synth.generate_library(lib, n, s.args.seed, s.src)
    generated["seconds"] = time.perf_counter() - started
    log(f"bench: generated {n} connectors in {generated['seconds']:.1f} s ({generated['kinds']}) in {lib}")
    jobs = ["--jobs", str(s.args.jobs)] if s.args.jobs else []
    project = ["--project-dir", str(lib)]
    steps = {
        "full_build": _repeated(s, "full_build", [*s.tool, "build", "--force", *jobs, *project], lambda: _reset(lib))
    }
    if steps["full_build"]["returncode"] != 0 or not (lib / "dist").is_dir():
        raise ToolFailed("the full build failed:\n" + steps["full_build"]["stderr_tail"])
    manifest = measure.dist_manifest(lib / "dist")
    measure.write_versions_lock(lib)  # untimed: a real library commits its lock (catalyst-gen bump <id>)
    steps["noop_rebuild"] = _repeated(s, "noop_rebuild", [*s.tool, "build", *jobs, *project])
    if "0 written" not in steps["noop_rebuild"]["stdout_tail"]:
        log("bench: warning: the no-op rebuild wrote something: " + steps["noop_rebuild"]["stdout_tail"][-200:])
    steps["check"] = _repeated(s, "check", [*s.tool, "check", *jobs, *project])
    manifest_path, floor_out = s.work / "manifest.json", s.work / "floor-out"
    manifest_path.write_text(json.dumps(manifest), "utf-8")
    floor_argv = [sys.executable, str(measure.HERE), "_floor", str(lib), str(manifest_path), str(floor_out)]
    steps["floor"] = _repeated(s, "floor", floor_argv, lambda: shutil.rmtree(floor_out, ignore_errors=True))
    return {
        "generated": generated,
        "jobs": s.args.jobs or "default (one per core)",
        "repeat": s.args.repeat,
        "dist": {"files": len(manifest), "bytes": sum(manifest.values())},
        "steps": steps,
        "rows": _scale_rows(steps, n),
    }


# --------------------------------------------------------------------------- the run


def snapshot(rev: str, dest: Path) -> Path:
    """``catalyst_gen/``, ``templates/`` and ``connectors/`` as of git ``rev`` (read-only: git archive)."""
    dest.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", rev, "catalyst_gen", "templates", "connectors"],
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        raise SystemExit(f"bench: git archive {rev} failed: {archive.stderr.decode(errors='replace')}")
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    return dest


def _git(*args: str) -> str:
    try:
        proc = subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return proc.stdout.strip()


def open_session(args: argparse.Namespace) -> Session:
    """A temp dir, the code to measure (working tree or --rev), and an env that imports exactly it."""
    work = Path(tempfile.mkdtemp(prefix="catalyst-bench-", dir=args.workdir)).resolve()
    # Every command runs from inside the temp dir, as a user runs it from the library root:
    # `python3 -m` puts the current directory first on sys.path, so running from the repo
    # would import the working tree's catalyst_gen even with --rev.
    os.chdir(work)
    src, measured = REPO, "working tree"
    if args.rev:
        commit = _git("rev-parse", "--short", args.rev + "^{commit}")
        if not commit:
            raise SystemExit(f"bench: unknown git revision {args.rev!r}")
        src, measured = snapshot(commit, work / "code"), f"{args.rev} = {commit}"
    env = dict(os.environ)
    env["PYTHONPATH"] = str(src) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.pop("CATALYST_GEN_DEBUG", None)
    # Measure the tool as installed: pip byte-compiles what it installs, and a checkout writes
    # __pycache__ on first import.  Some machines (this project's sandbox among them) set
    # PYTHONDONTWRITEBYTECODE, which would make every measured run recompile catalyst_gen from
    # source -- and only catalyst_gen, since the libraries were byte-compiled by pip.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    where = subprocess.run(
        [sys.executable, "-c", "import catalyst_gen; print(catalyst_gen.__file__)"],
        capture_output=True,
        text=True,
        env=env,
        cwd=work,
        check=False,
    ).stdout.strip()
    if not where.startswith(str(src)):
        raise SystemExit(f"bench: catalyst_gen would be imported from {where or '?'}, not from {src}")
    log(f"bench: measuring catalyst_gen from {Path(where).parent}")
    return Session(args, work, src, env, measured)


def run_benchmark(s: Session) -> dict[str, Any]:
    load_before = os.getloadavg()
    one = one_connector(s)
    big = scale(s) if s.args.n else None
    profile = None
    if big and s.args.profile != "none":
        pn = min(s.args.profile_n, s.args.n)
        plib = s.work / "profile-lib"
        plib.mkdir()
        synth.generate_library(plib, pn, s.args.seed, s.src)  # same seed: the first pn connectors of the big set
        log(f"bench: profiling build --force --jobs 1 of {pn} connectors with {s.args.profile}")
        profile = profile_build(plib, s.env, s.args.profile, s.args.top, s.work)
        if s.args.keep_profile and profile.get("prof_file"):
            shutil.copy2(profile["prof_file"], s.args.keep_profile)
            profile["prof_file"] = s.args.keep_profile
    return {
        "n": s.args.n,
        "seed": s.args.seed,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "loadavg_before": load_before,
            "loadavg_after": os.getloadavg(),
        },
        "git": {
            "head": _git("rev-parse", "--short", "HEAD"),
            "dirty_package_files": _git("status", "--porcelain", "--", "catalyst_gen").splitlines(),
            "measured": s.measured,
        },
        "one_connector": one,
        "scale": big,
        "targets": report.one_connector_targets(one) + report.scale_targets(big, s.args.n),
        "profile": profile,
        "tool_ok": not s.failures,
        "failures": s.failures,
    }


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="bench/bench.py", description=(__doc__ or "").split("\n\n")[0])
    p.add_argument(
        "--peer",
        nargs="?",
        const="auto",
        default=None,
        metavar="DIR",
        help="build Catalyst's TypeScript connector generator (default: shared/peers/ts-connector-generator "
        "beside the repository or a parent) and time it beside catalyst-gen; without it that target is SKIP",
    )
    p.add_argument(
        "--one-runs",
        type=int,
        default=7,
        help="interleaved rounds of the one-connector measurements, median reported (default 7)",
    )
    p.add_argument(
        "--n", type=int, default=1000, help="synthetic connectors (default 1000; 0 skips the N-connector part)"
    )
    p.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    p.add_argument(
        "--jobs", type=int, default=None, help="pass --jobs to build/check (default: the tool's default, one per core)"
    )
    p.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="runs per N-connector step, median reported, memory the worst run (default 1)",
    )
    p.add_argument(
        "--profile",
        choices=["cprofile", "pyinstrument", "none"],
        default="cprofile",
        help="profiler for a --jobs 1 build (default cprofile)",
    )
    p.add_argument("--profile-n", type=int, default=200, help="connectors in the profiled build (default 200)")
    p.add_argument("--top", type=int, default=25, help="hotspots listed per table (default 25)")
    p.add_argument("--keep-profile", metavar="FILE", help="copy the cProfile stats file here (for snakeviz, pstats)")
    p.add_argument(
        "--rev",
        default=None,
        help="measure catalyst_gen/, templates/ and connectors/ as of this git revision (git archive) instead of the working tree",
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON on stdout")
    p.add_argument("--keep", action="store_true", help="keep the temporary directory (path printed on stderr)")
    p.add_argument("--workdir", default=None, help="parent of the temporary directory (default: the system temp dir)")
    args = p.parse_args(argv)
    if args.n < 0 or args.one_runs < 1 or args.repeat < 1:
        p.error("--n must be 0 or more, --one-runs and --repeat at least 1")
    if args.keep_profile:
        args.keep_profile = str(Path(args.keep_profile).resolve())
    if args.peer and args.peer != "auto":
        args.peer = str(Path(args.peer).resolve())
    return args


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["_run"]:  # internal: the per-command helper
        cmd = argv[2:] if argv[1:2] == ["--"] else argv[1:]
        print(json.dumps(measure.helper_run(cmd)))
        return 0
    if argv[:1] == ["_floor"]:  # internal: the floor process
        measure.floor_run(Path(argv[1]), Path(argv[2]), Path(argv[3]))
        return 0
    args = parse_args(argv)
    session = open_session(args)
    try:
        result = run_benchmark(session)
    except ToolFailed as exc:
        print(f"bench: catalyst-gen FAILED, no report: {exc}", file=sys.stderr)
        return 1
    except ts_peer.PeerUnavailable as exc:
        print(f"bench: --peer: {exc}", file=sys.stderr)
        return 2
    finally:
        if args.keep:
            log(f"bench: kept {session.work}")
        else:
            shutil.rmtree(session.work, ignore_errors=True)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        report.print_report(result)
    return 0 if result["tool_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
