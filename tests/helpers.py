"""Shared test helpers: paths, snapshots, the CLI as a process, Markdown tables, the Node judges.

Tests import from here (``from helpers import ...``); no test module imports another.
Fixtures live in ``conftest.py``.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from catalyst_gen.checks.readme import gfm_cells  # noqa: F401  (tests import it from here too)

REPO = Path(__file__).resolve().parent.parent
SEED_README = REPO.parent / "shared" / "seed" / "together-ai.README.md"
ORACLE_DIR = REPO / "tests" / "oracle"
JUDGE = ORACLE_DIR / "judge.mjs"
LOCK = ORACLE_DIR / "package-lock.json"
INSTALLED_LOCK = ORACLE_DIR / "node_modules" / ".package-lock.json"
SAMPLE = (REPO / "tests" / "data" / "sample.yaml").read_text("utf-8")
LIBRARY_IDS = sorted(p.parent.name for p in (REPO / "connectors").glob("*/connector.yaml"))
"""The connectors of this repository's library (tests count them instead of hard-coding a number)."""
"""A complete spec (Together AI's, as id `sample`) that hostile tests edit one value of."""


def snapshot(folder: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file below ``folder`` (to prove it did not change)."""
    if not folder.exists():
        return {}
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def run_process(
    *args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    """Run ``python -m catalyst_gen`` as users do (real exit codes, real stderr)."""
    return subprocess.run(
        [sys.executable, "-m", "catalyst_gen", *args],
        cwd=cwd or REPO,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# --------------------------------------------------------------------------- refused specs


def write_spec(project: Path, text: str | bytes, cid: str = "sample") -> Path:
    path = project / "connectors" / cid / "connector.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def tree(root: Path) -> dict[str, str]:
    """Every file of the library except the tool's own state (cache, lock)."""
    return {k: v for k, v in snapshot(root).items() if not k.startswith(".catalyst-gen")}


def line_col(text: str, needle: str) -> tuple[int, int]:
    index = text.index(needle)
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def assert_refused(result, message: str, *, where: tuple[str, int, int | None] | None = None, hint: str | None = None):
    out = result.output
    assert result.exit_code == 1, out
    assert "Traceback" not in out and "internal error" not in out, out
    assert message in out, out
    if where:
        file, line, col = where
        pattern = rf"{re.escape(file)}:{line}:{col if col else r'[0-9]+'}: error: [^\n]*{re.escape(message[:40])}"
        assert re.search(pattern, out), f"expected {file}:{line}:{col}: error ... {message!r}\n{out}"
    if hint:
        assert "hint: " in out and hint in out, out
    assert re.search(r"catalyst-gen: \d+ problems? found", out), out


def build_refused(project, cli, text, message, needle=None, col=None, hint=None, cid="sample", args=None):
    write_spec(project, text, cid)
    before = tree(project)
    result = cli(project, "build", *(args or [cid]))
    where = None
    if needle is not None:
        decoded = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
        needle, offset = needle if isinstance(needle, tuple) else (needle, 0)
        line, found_col = line_col(decoded, needle)
        found_col += offset
        where = (f"connectors/{cid}/connector.yaml", line, col if col is not None else found_col)
    assert_refused(result, message, where=where, hint=hint)
    assert tree(project) == before, "a refused build changed files"
    return result


# --------------------------------------------------------------------------- Markdown


def table_problems(markdown: str) -> list[str]:
    problems, header = [], None
    for line in markdown.splitlines():
        if line.startswith("|"):
            if header is None:
                header = gfm_cells(line)
            elif gfm_cells(line) != header:
                problems.append(f"{gfm_cells(line)} cells instead of {header}: {line}")
        else:
            header = None
    return problems


# --------------------------------------------------------------------------- the Node judges (tests/oracle)

JUDGES = ("element-templates", "moddle", "bpmnlint", "camunda-compat", "camunda-lint")


# --------------------------------------------------------------------------- install


def _lock_signature(path: Path) -> dict[str, tuple[str | None, str | None, bool]] | None:
    """Installed package path -> (version, integrity, optional); None if unreadable.

    Compares npm's hidden lockfile with package-lock.json on what matters only: the
    hidden lockfile has no root ("") entry and may carry other bookkeeping fields.
    """
    try:
        packages = json.loads(path.read_text(encoding="utf-8"))["packages"]
    except (OSError, ValueError, KeyError):
        return None
    return {
        name: (meta.get("version"), meta.get("integrity"), bool(meta.get("optional")))
        for name, meta in packages.items()
        if name
    }


def _installed_is_current() -> bool:
    """node_modules holds exactly the locked packages (optional ones for other platforms, e.g. esbuild's, excepted)."""
    installed, locked = _lock_signature(INSTALLED_LOCK), _lock_signature(LOCK)
    if installed is None or locked is None:
        return False
    wanted = {name: meta for name, meta in locked.items() if name in installed or not meta[2]}
    return installed == wanted


def _missing_tool_reason() -> str | None:
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if not missing:
        return None
    return (
        f"oracle harness needs {' and '.join(missing)} on PATH (Node 20+ with npm) "
        "to run the bpmn.io / Camunda toolchain judges"
    )


class Oracle:
    def __init__(self, node: str) -> None:
        self.node = node

    def run(self, *files: Path | str) -> Verdict:
        proc = subprocess.run(
            [self.node, str(JUDGE), *map(str, files)],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=300,
        )
        return Verdict(proc.returncode, proc.stdout, proc.stderr)


class Verdict:
    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.findings = [line for line in stdout.splitlines() if line.split(" ", 1)[0] in JUDGES]
        summaries = [line for line in stdout.splitlines() if line.startswith("SUMMARY ")]
        self.summary = json.loads(summaries[-1][len("SUMMARY ") :]) if summaries else None

    def judges(self) -> set[str]:
        return {line.split(" ", 1)[0] for line in self.findings}

    def has(self, judge: str, file: Path, where: str, message_pattern: str = "") -> bool:
        prefix = f"{judge} {file} {where}: "
        return any(
            line.startswith(prefix) and re.search(message_pattern, line[len(prefix) :]) for line in self.findings
        )

    def __str__(self) -> str:
        return f"exit {self.returncode}\n--- stdout\n{self.stdout}--- stderr\n{self.stderr}"


def install_oracle() -> Oracle:
    """``npm ci`` the judges when node_modules is missing or stale; fail in CI without node."""
    reason = _missing_tool_reason()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must have them", pytrace=False)
        pytest.skip(reason)

    # serialize concurrent installs (parallel pytest runs) on the lock file itself
    with open(LOCK, "rb") as lock_handle:
        fcntl.flock(lock_handle, fcntl.LOCK_EX)
        try:
            if not _installed_is_current():
                proc = subprocess.run(
                    [shutil.which("npm"), "ci", "--no-audit", "--no-fund"],
                    cwd=ORACLE_DIR,
                    capture_output=True,
                    text=True,
                    timeout=600,
                )
                if proc.returncode != 0:
                    pytest.fail(
                        f"npm ci in {ORACLE_DIR} failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}",
                        pytrace=False,
                    )
                if not _installed_is_current():
                    pytest.fail(
                        "npm ci finished but node_modules/.package-lock.json does not "
                        "match tests/oracle/package-lock.json",
                        pytrace=False,
                    )
        finally:
            fcntl.flock(lock_handle, fcntl.LOCK_UN)

    return Oracle(shutil.which("node"))


# --------------------------------------------------------------------------- long-running commands


class LiveProcess:
    """``python -m catalyst_gen ...`` left running (``build --watch``, ``preview``), read line by line.

    Output (stdout and stderr merged) is collected by a thread, so every wait
    is bounded; :meth:`stop` sends SIGINT (Ctrl-C) and, as a last resort,
    kills the process.  Use it as a context manager so the process never
    outlives its test.
    """

    def __init__(self, *args: str, cwd: Path, env: dict | None = None):
        import threading

        self.proc = subprocess.Popen(
            [sys.executable, "-m", "catalyst_gen", *args],
            cwd=cwd,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._lock:
                self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        with self._lock:
            return "\n".join(self.lines)

    def wait_for(self, pattern: str, *, after: int = 0, timeout: float = 60) -> re.Match:
        """The first match of ``pattern`` in the output from line ``after`` on; fails after ``timeout`` s."""
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                text = "\n".join(self.lines[after:])
            match = re.search(pattern, text, re.MULTILINE)
            if match:
                return match
            if self.proc.poll() is not None and not self._reader.is_alive():
                break
            time.sleep(0.1)
        pytest.fail(
            f"no {pattern!r} within {timeout}s (exit {self.proc.poll()}); output:\n{self.output}", pytrace=False
        )

    def mark(self) -> int:
        """The number of lines so far: pass it as ``after`` to wait only for what comes next."""
        with self._lock:
            return len(self.lines)

    def stop(self, timeout: float = 15) -> int:
        """Ctrl-C, then the exit status (killed, and the test failed, if it does not end in time)."""
        import signal

        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
            pytest.fail(f"did not stop within {timeout}s of Ctrl-C; output:\n{self.output}", pytrace=False)
        self._reader.join(5)
        return code

    def __enter__(self) -> LiveProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


# --------------------------------------------------------------------------- machine-readable diagnostics

DIAGNOSTICS_SCHEMA = REPO / "catalyst_gen" / "schema" / "diagnostics.schema.json"

_UNESCAPED = r"[^%\r\n]|%25|%0D|%0A"
_PROPERTY_VALUE = rf"(?:(?![:,]){_UNESCAPED}|%3A|%2C)+"
ANNOTATION = re.compile(
    rf"::(?P<severity>error|warning) "
    rf"(?P<props>(?:file|line|col|endLine|endColumn|title)={_PROPERTY_VALUE}"
    rf"(?:,(?:file|line|col|endLine|endColumn|title)={_PROPERTY_VALUE})*)"
    rf"::(?P<message>(?:{_UNESCAPED})*)"
)
"""The grammar of one GitHub workflow-command annotation line, with GitHub's escaping
(``%``, CR, LF everywhere; ``:`` and ``,`` also in property values)."""


def _unescape(text: str) -> str:
    table = {"%25": "%", "%0D": "\r", "%0A": "\n", "%3A": ":", "%2C": ","}
    return re.sub(r"%25|%0D|%0A|%3A|%2C", lambda m: table[m.group(0)], text)


def parse_annotations(stdout: str) -> list[dict]:
    """Every line of ``--format github`` output parsed back: severity, properties (unescaped), message."""
    parsed = []
    for line in stdout.splitlines():
        match = ANNOTATION.fullmatch(line)
        assert match, f"not a GitHub annotation: {line!r}"
        props = {}
        for item in match.group("props").split(","):
            key, _, value = item.partition("=")
            assert key not in props, f"{key} given twice in {line!r}"
            props[key] = _unescape(value)
        parsed.append({"severity": match.group("severity"), **props, "message": _unescape(match.group("message"))})
    return parsed


def diagnostics(stdout: str) -> dict:
    """``--format json`` output: the whole stdout is one JSON document valid against its schema."""
    import jsonschema

    document = json.loads(stdout)
    jsonschema.Draft202012Validator(json.loads(DIAGNOSTICS_SCHEMA.read_text("utf-8"))).validate(document)
    return document
