"""The ``catalyst-gen`` command line.

Exit status: 0 success, 1 a problem with the input or the artifacts (printed
as located messages, never a traceback), 2 a usage error (click's default).
Heavy modules are imported inside the commands so ``--help`` stays fast.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import click

from . import __version__


def _project(project_dir: str | None):
    from .library import Project

    return Project(Path(project_dir or ".").resolve())


def reports_errors(command):
    """Turn :class:`CatalystError` (and anything unexpected) into a message and exit 1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from .errors import CatalystError

        try:
            return command(*args, **kwargs)
        except CatalystError as exc:
            click.echo(exc.format(), err=True)
            count = len(exc.problems)
            click.echo(f"catalyst-gen: {count} problem{'s' if count != 1 else ''} found", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("catalyst-gen: interrupted; dist/ was left as it was", err=True)
            sys.exit(130)
        except Exception as exc:  # a bug in catalyst-gen itself: still no traceback for users
            if os.environ.get("CATALYST_GEN_DEBUG"):
                raise
            click.echo(
                f"catalyst-gen: internal error: {type(exc).__name__}: {exc}\n"
                "  hint: this is a bug in catalyst-gen; rerun with CATALYST_GEN_DEBUG=1 for the traceback and report it",
                err=True,
            )
            sys.exit(1)

    return wrapper


project_option = click.option(
    "--project-dir",
    "-C",
    type=click.Path(file_okay=False),
    default=None,
    help="Root of the connector library (default: current directory).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="catalyst-gen")
def main():
    """Build the Catalyst Connector Library: Camunda 7 element templates,
    example processes, logos and docs from connectors/<id>/connector.yaml."""


@main.command()
@click.argument("ids", nargs=-1)
@click.option("--all", "build_all", is_flag=True, help="Build every connector (the default when no id is given).")
@project_option
@reports_errors
def build(ids, build_all, project_dir):
    """Build connectors into dist/<id>/ (all of them when no ID is given).

    Every connector is rendered and checked in memory first; dist/ is only
    written when all of them pass, so a failed build leaves it as it was.
    """
    from .build import build_connector
    from .errors import CatalystError
    from .output import exclusive, write_connectors

    project = _project(project_dir)
    ids = list(dict.fromkeys(ids)) or project.connector_ids()
    if not ids:
        raise CatalystError(f"no connectors found in {project.connectors_dir}")
    built, failures = {}, []
    for cid in ids:
        try:
            built[cid] = build_connector(project, cid).files
        except CatalystError as exc:
            failures.extend(exc.problems)
            click.echo(f"FAIL {cid}", err=True)
    if failures:
        raise CatalystError(failures)
    with exclusive(project.state_dir):
        changed = write_connectors(project.dist_dir, project.state_dir, built)
    for cid in ids:
        state = "built" if cid in changed else "unchanged"
        click.echo(f"{state:9} {cid} -> {project.dist_dir.name}/{cid}/ ({', '.join(sorted(built[cid]))})")
