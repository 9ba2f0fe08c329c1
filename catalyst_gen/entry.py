"""The console entry point: a click-free answer for an unchanged build, the full CLI for everything else.

Authors run ``catalyst-gen build <id>`` after every save, and CI runs it on
every change; most of those runs find nothing to do.  The cache answers that
after reading one small JSON file, yet importing click alone costs about as much
as the rest of such a run.  So this entry point recognises exactly one shape of
command line, ``build [ID ...] [-C DIR | --project-dir DIR]``, asks the commands
layer whether every selected connector is unchanged, and if so prints the lines
the CLI would print (:meth:`BuildReport.lines`) and exits 0.  Anything else --
another command or option, ``--help``, a connector that needs building, any
problem -- is handed to the click CLI untouched, which does the real work and
reports problems; the fast path never decides anything the CLI would decide
differently.  It finds the library root as the CLI does
(:func:`catalyst_gen.library.find_root`; ``-C`` names it exactly), and outside a
library it leaves the error to the CLI.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

_PROJECT_OPTIONS = ("-C", "--project-dir")


def unchanged_build_arguments(args: Sequence[str]) -> tuple[str | None, list[str]] | None:
    """``(project_dir, ids)`` when ``args`` is a plain ``build`` the fast path may answer, else None."""
    if not args or args[0] != "build":
        return None
    project_dir: str | None = None
    ids: list[str] = []
    rest = list(args[1:])
    while rest:
        token = rest.pop(0)
        if token in _PROJECT_OPTIONS and rest and project_dir is None:
            project_dir = rest.pop(0)
        elif token.startswith("--project-dir=") and project_dir is None:
            project_dir = token.partition("=")[2]
        elif token.startswith("-") or not token:
            return None  # any other option (or a repeated one): the CLI parses it
        else:
            ids.append(token)
    return project_dir, ids


def main(argv: Sequence[str] | None = None) -> None:
    """``catalyst-gen``: answer an unchanged build at once, otherwise run the click CLI."""
    args = list(sys.argv[1:] if argv is None else argv)
    parsed = unchanged_build_arguments(args)
    if parsed is not None:
        from pathlib import Path

        from .commands.build import unchanged_report
        from .library import find_root

        project_dir, ids = parsed
        root = Path(project_dir).resolve() if project_dir is not None else find_root(Path.cwd())
        report = unchanged_report(root, dict.fromkeys(ids)) if root is not None else None
        if report is not None:
            for line, is_error in report.lines():
                print(line, file=sys.stderr if is_error else sys.stdout)
            return
    from .cli import main as cli_main

    cli_main(args=args, prog_name="catalyst-gen")
