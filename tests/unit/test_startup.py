"""Import budget: what a no-op build, ``--help`` and ``--version`` may import.

An unchanged build is decided by the cache alone, so it must not pay for the
pipeline: no YAML parser, JSON Schema, Jinja, lxml, cairosvg, httpx or
SpiffWorkflow, and none of our render/checks/validate/runtime modules.  Each
case runs the CLI in a fresh interpreter and compares the modules it
imported (beyond what the interpreter had at start-up) with an explicit
allow-list.  A positive control proves the probe sees a real build's imports.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO

PROBE = r"""
import json, sys
before = set(sys.modules)
out, args = sys.argv[1], json.loads(sys.argv[2])
sys.argv = ["catalyst-gen", *args]
from catalyst_gen.entry import main
try:
    main()
    code = 0
except SystemExit as exc:
    code = exc.code
with open(out, "w") as handle:
    json.dump({"code": code, "modules": sorted(set(sys.modules) - before)}, handle)
"""

THIRD_PARTY_FOR_HELP = {"click"}
"""The only library outside the standard library that ``--help``/``--version`` may import."""

THIRD_PARTY_FOR_NOOP_BUILD: set[str] = set()
"""An unchanged build is answered before click is imported (see ``catalyst_gen/entry.py``)."""

OURS_FOR_HELP = {
    "catalyst_gen",
    "catalyst_gen.entry",
    "catalyst_gen.cli",
    # the runtime's names (the `new --auth` choices) and the small pure-Python grammar modules they use
    "catalyst_gen.contract",
    "catalyst_gen.jsonpath",
    "catalyst_gen.grammar",
    "catalyst_gen.errors",
}
OURS_FOR_NOOP_BUILD = {
    "catalyst_gen",
    "catalyst_gen.entry",
    "catalyst_gen.commands",
    "catalyst_gen.commands.build",
    "catalyst_gen.commands.common",
    "catalyst_gen.cache",
    "catalyst_gen.library",
    "catalyst_gen.output",
    "catalyst_gen.errors",
    # the id rule (checked before an id becomes a path) and the names it is defined with:
    # small pure-Python modules, about a millisecond together
    "catalyst_gen.grammar",
}
HEAVY = {"jinja2", "jsonschema", "lxml", "cairosvg", "httpx", "SpiffWorkflow", "ruamel"}


def imported(tmp_path: Path, *args: str) -> tuple[int, set[str]]:
    out = tmp_path / "modules.json"
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(out), json.dumps(list(args))],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.is_file(), result.stderr
    data = json.loads(out.read_text())
    return data["code"], set(data["modules"])


def third_party(modules: set[str]) -> set[str]:
    tops = {name.split(".")[0] for name in modules}
    return {top for top in tops if top not in sys.stdlib_module_names and top != "catalyst_gen"}


def ours(modules: set[str]) -> set[str]:
    return {name for name in modules if name == "catalyst_gen" or name.startswith("catalyst_gen.")}


def assert_within(modules: set[str], allowed_ours: set[str], allowed_third_party: set[str]) -> None:
    assert third_party(modules) <= allowed_third_party, (
        f"third-party imports beyond the budget: {sorted(third_party(modules) - allowed_third_party)}"
    )
    assert ours(modules) <= allowed_ours, (
        f"catalyst_gen modules beyond the budget: {sorted(ours(modules) - allowed_ours)}"
    )


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["build", "--help"]])
def test_help_and_version_import_only_the_cli(tmp_path, args):
    code, modules = imported(tmp_path, *args)
    assert code == 0
    assert_within(modules, OURS_FOR_HELP, THIRD_PARTY_FOR_HELP)


def test_a_no_op_build_imports_only_what_the_cache_check_needs(project, tmp_path):
    root = str(project)
    code, _ = imported(tmp_path, "build", "--project-dir", root)  # primes the cache
    assert code == 0
    code, modules = imported(tmp_path, "build", "together-ai", "--project-dir", root)
    assert code == 0
    assert_within(modules, OURS_FOR_NOOP_BUILD, THIRD_PARTY_FOR_NOOP_BUILD)
    code, modules = imported(tmp_path, "build", "--project-dir", root)  # every connector, still nothing to do
    assert code == 0
    assert_within(modules, OURS_FOR_NOOP_BUILD, THIRD_PARTY_FOR_NOOP_BUILD)


def test_the_probe_sees_the_imports_of_a_real_build(project, tmp_path):
    """Positive control: when a connector must be rebuilt, the pipeline's libraries do show up."""
    spec = project / "connectors" / "together-ai" / "connector.yaml"
    spec.write_text(spec.read_text() + "\n# touched\n")
    code, modules = imported(tmp_path, "build", "together-ai", "--project-dir", str(project))
    assert code == 0
    assert HEAVY - {"httpx", "SpiffWorkflow"} <= third_party(modules)  # those two are for `try` and the tests
    assert {"catalyst_gen.render", "catalyst_gen.validate", "catalyst_gen.loader"} <= ours(modules)


def test_the_fast_path_prints_what_the_full_cli_prints(project, cli):
    """An unchanged build answered without click says exactly what the click command says."""
    from catalyst_gen.commands.build import unchanged_report

    assert cli(project, "build").exit_code == 0
    report = unchanged_report(project, ["together-ai", "openai"])
    assert report is not None
    full = cli(project, "build", "together-ai", "openai")
    assert full.exit_code == 0
    assert full.output == "".join(line + "\n" for line, _ in report.lines())


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["build"], (None, [])),
        (["build", "a", "b", "-C", "lib"], ("lib", ["a", "b"])),
        (["build", "--project-dir=lib", "a"], ("lib", ["a"])),
        (["build", "--force", "a"], None),
        (["build", "a", "--help"], None),
        (["build", "-C"], None),
        (["build", "-C", "x", "-C", "y"], None),
        (["check", "a"], None),
        ([], None),
    ],
)
def test_only_a_plain_build_takes_the_fast_path(args, expected):
    from catalyst_gen.entry import unchanged_build_arguments

    assert unchanged_build_arguments(args) == expected


def test_a_connector_that_needs_building_is_left_to_the_cli(project, cli):
    from catalyst_gen.commands.build import unchanged_report

    assert cli(project, "build").exit_code == 0
    spec = project / "connectors" / "together-ai" / "connector.yaml"
    spec.write_text(spec.read_text() + "\n# touched\n")
    assert unchanged_report(project, ["together-ai"]) is None
    assert unchanged_report(project, ["../together-ai"]) is None
    assert unchanged_report(project, ["no-such-connector"]) is None
