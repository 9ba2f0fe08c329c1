"""The ``catalyst-gen`` command line: options in, one API call, its result printed.

Every command turns its options into arguments for one function of
:mod:`catalyst_gen.commands` and prints the report it returns with
:func:`show`.  One error handler, :func:`reports_errors`, serves all commands.

Exit status: 0 success (warnings included), 1 a problem with the input or the
artifacts (printed as located messages, never a traceback), 2 a usage error
(click's default).  ``build``, ``check`` and ``validate`` take ``--format
json|github``: stdout then carries only the problems as data
(:mod:`catalyst_gen.diagnostics`), and everything the text format prints goes
to stderr.
The commands' modules are imported inside the commands, so ``--help`` and an
unchanged build stay fast.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .contract import AUTH_TYPES

F = TypeVar("F", bound=Callable[..., Any])


def show(report: object, output_format: str = "text") -> None:
    """Print a command's report with its printer (defined next to its command, registered below).

    Printers are keyed by the report's class name so that this module need
    not import every command's module (and what it imports) to know them.
    With a machine ``output_format`` the report goes to stderr: stdout is the data's.
    """
    _PRINTERS[type(report).__name__](report, output_format != "text")


def _print_problems(exc: Any, output_format: str = "text") -> None:
    """A failure's problems: located text on stderr, and with ``--format json|github`` the data on stdout."""
    click.echo(exc.format(), err=True)
    count = len(exc.problems)
    click.echo(f"catalyst-gen: {count} problem{'s' if count != 1 else ''} found", err=True)
    if output_format != "text":
        _print_data(exc.problems, output_format)


def _print_data(problems: list[Any], output_format: str) -> None:
    from .diagnostics import render

    click.echo(render(problems, output_format), nl=False)


def report_outcome(problems: Any, output_format: str) -> None:
    """After a command succeeded: its warnings as text on stderr, and the data (maybe empty) on stdout."""
    from .errors import Problem

    ordered = sorted(problems, key=Problem.sort_key)
    for problem in ordered:
        click.echo(problem.format(), err=True)
    if output_format != "text":
        _print_data(ordered, output_format)


FORMATS = ("text", "json", "github")
"""``--format`` choices; :data:`catalyst_gen.diagnostics.FORMATS` (not imported here: ``--help`` stays light)."""

format_option = click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text for people; json or github (workflow annotations) on stdout for CI.",
)


def reports_errors(command: F) -> F:
    """Turn :class:`CatalystError` (and anything unexpected) into a message and exit 1.

    A :class:`CommandFailed` also carries the command's partial report (what
    was built, the diffs): it is shown first.  With ``--format json|github``
    every failure, an internal one included, also prints its data on stdout.
    """

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from .commands.common import CommandFailed, MissingVariables
        from .errors import CatalystError

        output_format = kwargs.get("output_format") or "text"
        try:
            return command(*args, **kwargs)
        except MissingVariables as exc:
            raise click.UsageError(exc.usage()) from None
        except CatalystError as exc:
            if isinstance(exc, CommandFailed):
                show(exc.report, output_format)
            _print_problems(exc, output_format)
            sys.exit(1)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise  # usage errors: click prints them and exits 2
        except KeyboardInterrupt:
            click.echo("catalyst-gen: interrupted; dist/ was left as it was", err=True)
            sys.exit(130)
        except OSError as exc:  # the environment refused: a full disk, a read-only checkout, a missing folder
            from .errors import environment_problem

            _print_problems(CatalystError(environment_problem(exc)), output_format)
            sys.exit(1)
        except Exception as exc:  # a bug in catalyst-gen itself: still no traceback for users
            if os.environ.get("CATALYST_GEN_DEBUG"):
                raise
            _internal_error(exc, output_format)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def _internal_error(exc: Exception, output_format: str) -> None:
    from . import codes
    from .errors import Problem

    what = f"internal error: {type(exc).__name__}: {exc}"
    hint = "this is a bug in catalyst-gen; rerun with CATALYST_GEN_DEBUG=1 for the traceback and report it"
    click.echo(f"catalyst-gen: {what}\n  hint: {hint}", err=True)
    if output_format != "text":
        _print_data([Problem(what, hint=hint, code=codes.INTERNAL)], output_format)


def _root(project_dir: str | None) -> Path:
    """The library root: ``-C DIR`` exactly, else found by walking up from the current directory."""
    from .library import discover_root

    return discover_root(project_dir)


def _plural(count: int, noun: str = "connector") -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


project_option = click.option(
    "--project-dir",
    "-C",
    type=click.Path(file_okay=False),
    default=None,
    help="Root of the connector library (default: found by walking up from the current directory).",
)
jobs_option = click.option(
    "--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes (default: one per core)."
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="catalyst-gen")
def main() -> None:
    """Build the Catalyst Connector Library: Camunda 7 element templates,
    example processes, logos and docs from connectors/<id>/connector.yaml."""


# ------------------------------------------------------------------ build


class _ProgressBar:
    """A progress bar on a terminal when several connectors are built; nothing in CI and pipes."""

    def __init__(self, label: str):
        self.label = label
        self.interactive = sys.stderr.isatty() and not os.environ.get("CI")
        self.bar: Any = None

    def __call__(self, connector_id: str, done: int, total: int) -> None:
        if not self.interactive or total < 2:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@main.command()
@click.argument("ids", nargs=-1)
@click.option("--all", "build_all", is_flag=True, help="Build every connector (the default when no id is given).")
@click.option("--force", is_flag=True, help="Rebuild even connectors whose inputs did not change.")
@click.option(
    "--watch",
    is_flag=True,
    help="Rebuild on every save (specs, presets, logos, _library.yaml, templates/) until Ctrl-C.",
)
@jobs_option
@format_option
@project_option
@reports_errors
def build(
    ids: tuple[str, ...],
    build_all: bool,
    force: bool,
    watch: bool,
    jobs: int | None,
    output_format: str,
    project_dir: str | None,
) -> None:
    """Build connectors into dist/<id>/ (all of them when no ID is given).

    Each connector is rendered and checked in memory, then its folder is
    swapped in whole.  A connector that fails leaves its dist/ folder exactly
    as it was; the others are still built, and every failure is reported.
    Unchanged connectors are skipped (see --force).
    """
    if watch:
        if output_format != "text":
            raise click.UsageError("--watch prints for people: it takes no --format")
        _watch(() if build_all else ids, force, jobs, project_dir)
        return
    from .commands.build import build_library

    progress = _ProgressBar("Building")
    try:
        report = build_library(
            _root(project_dir), () if build_all else ids, force=force, jobs=jobs, on_progress=progress
        )
    finally:
        progress.close()
    show(report, output_format)
    report_outcome(report.problems, output_format)


def _show_build(report: Any, to_stderr: bool = False) -> None:
    for line, is_error in report.lines():
        click.echo(line, err=is_error or to_stderr)


def _watch(ids: tuple[str, ...], force: bool, jobs: int | None, project_dir: str | None) -> None:
    """``build --watch``: each build printed as ``build`` prints it; Ctrl-C ends it with one line, exit 0."""
    from .commands.common import CommandFailed
    from .commands.watch import watch_library
    from .errors import CatalystError

    def on_build(outcome: Any) -> None:
        if isinstance(outcome, CatalystError):
            if isinstance(outcome, CommandFailed):
                show(outcome.report)
            _print_problems(outcome)
        else:
            show(outcome)
            report_outcome(outcome.problems, "text")

    def on_watching(paths: list[Path]) -> None:
        where = ", ".join(f"{p.name}/" for p in paths)
        click.echo(f"watching {where} for changes (Ctrl-C to stop)")

    report = watch_library(_root(project_dir), ids, force=force, jobs=jobs, on_build=on_build, on_watching=on_watching)
    click.echo(f"stopped watching after {_plural(report.builds, 'build')}")


# ------------------------------------------------------------------ check, validate


@main.command()
@click.argument("ids", nargs=-1)
@jobs_option
@format_option
@project_option
@reports_errors
def check(ids: tuple[str, ...], jobs: int | None, output_format: str, project_dir: str | None) -> None:
    """Fail (exit 1) when dist/ is not exactly what the specs produce.

    Regenerates every connector in memory and prints a unified diff of what
    is stale, and lists what is missing or extra, unrecorded template versions
    and TODO placeholders left in specs.  Writes nothing; CI runs it.
    """
    from .commands.verify import check as check_library

    report = check_library(_root(project_dir), ids, jobs=jobs)
    show(report, output_format)
    report_outcome(report.problems, output_format)


def _show_check(report: Any, to_stderr: bool = False) -> None:
    if report.drift.diffs:
        click.echo("".join(report.drift.diffs), nl=False, err=to_stderr)
    if not any(p.is_error for p in report.problems):
        count = _plural(len(report.connectors))
        click.echo(f"dist/ is up to date and every template version is recorded ({count})", err=to_stderr)


@main.command()
@click.argument("ids", nargs=-1)
@jobs_option
@format_option
@project_option
@reports_errors
def validate(ids: tuple[str, ...], jobs: int | None, output_format: str, project_dir: str | None) -> None:
    """Run every spec and artifact check (and the version record check); write nothing."""
    from .commands.verify import validate as validate_library

    report = validate_library(_root(project_dir), ids, jobs=jobs)
    click.echo(f"{_plural(len(report.connectors))} valid", err=output_format != "text")
    report_outcome(report.problems, output_format)


# ------------------------------------------------------------------ list, schema


@main.command(name="list")
@project_option
@reports_errors
def list_connectors(project_dir: str | None) -> None:
    """Show the connectors: id, name, version, auth type, preset."""
    from .commands.info import list_connectors as list_library

    rows = [("ID", "NAME", "VERSION", "AUTH", "PRESET")]
    for c in list_library(_root(project_dir)).connectors:
        rows.append((c.id, c.name, str(c.version), c.auth.type, c.preset or "-"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


@main.command()
@reports_errors
def schema() -> None:
    """Print the JSON Schema of connector specs (for editors and the YAML language server)."""
    from .commands.info import spec_schema

    click.echo(spec_schema().text, nl=False)


# ------------------------------------------------------------------ init


@main.command()
@click.argument("directory", required=False, default=".", type=click.Path(file_okay=False))
@reports_errors
def init(directory: str) -> None:
    """Start a new connector library in DIRECTORY (default: here).

    Writes connectors/_library.yaml, templates/, a preset, an example
    connector (its version recorded), .gitignore, a GitHub Actions workflow
    running `catalyst-gen check` and a pre-commit config.  Refuses a folder
    that already holds a library or any of these files; never overwrites.
    """
    from .commands.init import init_library

    report = init_library(directory)
    click.echo(f"created a connector library in {report.root} ({_plural(len(report.files), 'file')})")
    where = "" if report.root == Path.cwd().resolve() else f"cd {directory} && "
    click.echo(f"next: {where}catalyst-gen build, then `catalyst-gen new <id>` for your own connector")


# ------------------------------------------------------------------ one connector: try, new, diagram


def _variables(items: tuple[str, ...]) -> dict[str, str]:
    values = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.UsageError(f"--var expects NAME=VALUE, got {item!r}")
        values[name] = value
    return values


@main.command(name="try")
@click.argument("connector_id")
@click.option(
    "--var",
    "variables",
    multiple=True,
    metavar="NAME=VALUE",
    help="A process variable for the ${placeholders} of the URL, headers and payload; repeatable.",
)
@click.option(
    "--base-url",
    default=None,
    metavar="URL",
    help="Send to this scheme://host:port instead of the endpoint's (keeps the path), e.g. a local fake.",
)
@click.option(
    "--secrets-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Directory of secret files for Secret Source 'file' (default /run/secrets).",
)
@click.option(
    "--properties",
    "properties_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="catalyst-secrets.properties for Secret Source 'properties'.",
)
@project_option
@reports_errors
def try_(
    connector_id: str,
    variables: tuple[str, ...],
    base_url: str | None,
    secrets_dir: str | None,
    properties_path: str | None,
    project_dir: str | None,
) -> None:
    """Call the connector once, as the Catalyst runtime would, and print the variables it sets.

    Uses the connector's example task at its template defaults (freshly
    generated from the spec) and the Python reference of the runtime. The
    secret is read from the default source and never printed.
    """
    from .commands.connector import try_connector
    from .runtime import format_outcome

    values = _variables(variables)
    report = try_connector(
        _root(project_dir),
        connector_id,
        values,
        base_url=base_url,
        secrets_dir=secrets_dir,
        properties_path=properties_path,
    )
    report_outcome(report.warnings, "text")  # an unused --var, on stderr
    click.echo(format_outcome(report.outcome))
    if not report.success:
        sys.exit(1)


@main.command()
@click.argument("connector_id")
@click.option("--name", default=None, help="Display name (default: from the id).")
@click.option("--preset", default=None, help="Preset in connectors/_presets/ to extend.")
@click.option("--url", default=None, help="Endpoint URL.")
@click.option(
    "--auth",
    type=click.Choice(AUTH_TYPES),
    default=None,
    help="Auth type (default: the preset's, else bearerToken).",
)
@project_option
@reports_errors
def new(
    connector_id: str,
    name: str | None,
    preset: str | None,
    url: str | None,
    auth: str | None,
    project_dir: str | None,
) -> None:
    """Scaffold connectors/<id>/connector.yaml, build it, record version 1 (a draft) and list its TODOs.

    The new connector passes `validate` at once; `check` and `package` refuse
    it until every TODO placeholder is replaced (`build` only warns).
    """
    from .commands.connector import create_connector

    report = create_connector(_root(project_dir), connector_id, name=name, preset=preset, url=url, auth=auth)
    click.echo(
        f"created {report.spec_path.relative_to(report.root)} (version {report.connector.version} recorded, "
        f"dist/{connector_id}/ built)"
    )
    if report.todos:
        from .errors import Location, format_spec_path

        click.echo(
            f"next: replace the {_plural(len(report.todos), 'TODO placeholder')}, then `catalyst-gen build {connector_id}`:"
        )
        for todo in report.todos:
            where = todo.location or Location(report.spec_path, 1, 1)
            click.echo(f"  {where}: {format_spec_path(todo.path)}")
    else:
        click.echo(f"next: `catalyst-gen build {connector_id}` after each edit, `catalyst-gen check` before you commit")


@main.command()
@click.argument("connector_id")
@click.option(
    "--png", "png_path", type=click.Path(dir_okay=False, writable=True), required=True, help="Where to write the PNG."
)
@click.option("--scale", type=click.FloatRange(0.5, 8), default=2.0, show_default=True)
@project_option
@reports_errors
def diagram(connector_id: str, png_path: str, scale: float, project_dir: str | None) -> None:
    """Render the example process picture to PNG (the SVG is in dist/<id>/)."""
    from .commands.connector import render_diagram

    report = render_diagram(_root(project_dir), connector_id, png_path, scale=scale)
    click.echo(str(report.png_path))


@main.command()
@click.argument("connector_id")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=None,
    help="Port on 127.0.0.1 (default 8717, or a free one when it is taken; 0: any free port).",
)
@project_option
@reports_errors
def preview(connector_id: str, port: int | None, project_dir: str | None) -> None:
    """Show a connector in the Camunda 7 Modeler on a local web page, live, until Ctrl-C.

    The example process opens in the Modeler with the connector's element
    template applied to its task, next to the README and the logo, all built
    in memory from the spec (dist/ is not written).  The page reloads itself
    on every save, and shows the located problems while the spec is broken.
    """
    from .commands.preview import serve_preview

    def on_ready(url: str) -> None:
        click.echo(f"previewing {connector_id} at {url} (Ctrl-C to stop)")

    serve_preview(_root(project_dir), connector_id, port=port, on_ready=on_ready)
    click.echo("preview stopped")


# ------------------------------------------------------------------ release: bump, package


@main.command()
@click.argument("connector_id")
@click.option("--force", is_flag=True, help="Raise the version even if the template did not change.")
@click.option("--breaking", is_flag=True, help="Release a change that drops values users entered (see the README).")
@click.option(
    "--released",
    type=click.Path(dir_okay=False),
    default=None,
    help="The superseded template, when dist/ and git HEAD no longer hold it (checked against the lock).",
)
@project_option
@reports_errors
def bump(connector_id: str, force: bool, breaking: bool, released: str | None, project_dir: str | None) -> None:
    """Raise a connector's template version when its template changed, and record it.

    Saves the template it supersedes to connectors/<id>/versions/ and lists
    what changed; refuses a change that would drop users' values unless
    --breaking. Records the version (without raising it) when the connector
    is new or its version was already raised by hand. Rebuilds dist/<id>/.
    """
    from .commands.release import bump as bump_version

    show(bump_version(_root(project_dir), connector_id, force=force, breaking=breaking, released=released))


def _show_bump(report: Any, to_stderr: bool = False) -> None:
    from .commands.release import CURRENT, RAISED
    from .errors import display_path

    cid, version = report.connector.id, report.connector.version
    if report.action == RAISED:
        click.echo(f"{cid}: version {report.previous_version} -> {version}")
    elif report.action == CURRENT:
        click.echo(f"{cid}: version {version} is current and recorded; nothing to do (use --force to raise it anyway)")
    else:
        click.echo(f"{cid}: recorded version {version}")
    if report.saved is not None:
        click.echo(f"  kept the superseded template as {display_path(report.saved)}")
    for change in report.changes:
        click.echo(f"  {'BREAKING ' if change.breaking else ''}{change}")
    if report.saved is not None and not report.changes:
        click.echo("  no property changed")


@main.command()
@jobs_option
@project_option
@reports_errors
def package(jobs: int | None, project_dir: str | None) -> None:
    """Write dist/release/: a zip per connector, the Modeler bundle, catalog.json, SHA256SUMS.

    Refuses when dist/ is stale (the same comparison as `check`).
    """
    from .commands.release import package_release

    report = package_release(_root(project_dir), jobs=jobs)
    for name in report.files:
        click.echo(f"dist/{report.folder.name}/{name}")


_PRINTERS: dict[str, Callable[[Any, bool], None]] = {
    "BuildReport": _show_build,
    "CheckReport": _show_check,
    "BumpReport": _show_bump,
}
