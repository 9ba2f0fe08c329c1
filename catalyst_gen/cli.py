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
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise  # usage errors: click prints them and exits 2
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


def _select(project, ids, use_all: bool) -> list[str]:
    from .errors import CatalystError

    ids = list(dict.fromkeys(ids))
    if use_all or not ids:
        ids = project.connector_ids()
        if not ids:
            raise CatalystError(f"no connectors found in {project.connectors_dir}")
    return ids


def _progress(ids, label: str):
    """A progress bar on a terminal; one plain line per connector in CI and pipes."""
    interactive = sys.stderr.isatty() and not os.environ.get("CI")
    if interactive and len(ids) > 1:
        bar = click.progressbar(length=len(ids), label=label, file=sys.stderr)
        bar.__enter__()
        return (lambda outcome: bar.update(1)), (lambda: bar.__exit__(None, None, None))
    return None, (lambda: None)


jobs_option = click.option(
    "--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes (default: one per core)."
)


@main.command()
@click.argument("ids", nargs=-1)
@click.option("--all", "build_all", is_flag=True, help="Build every connector (the default when no id is given).")
@click.option("--force", is_flag=True, help="Rebuild even connectors whose inputs did not change.")
@jobs_option
@project_option
@reports_errors
def build(ids, build_all, force, jobs, project_dir):
    """Build connectors into dist/<id>/ (all of them when no ID is given).

    Each connector is rendered and checked in memory, then its folder is
    swapped in whole.  A connector that fails leaves its dist/ folder exactly
    as it was; the others are still built, and every failure is reported.
    Unchanged connectors are skipped (see --force).
    """
    from .build import build_many
    from .cache import BuildCache
    from .output import exclusive, write_connectors

    project = _project(project_dir)
    ids = _select(project, ids, build_all)
    with exclusive(project.state_dir):
        cache = BuildCache(project)
        todo = [cid for cid in ids if force or not cache.is_fresh(cid)]
        tick, done = _progress(todo, "Building")
        try:
            outcomes = build_many(project, todo, jobs=jobs, on_done=tick)
        finally:
            done()
        good = {o.connector_id: o.files for o in outcomes if o.files is not None}
        changed = write_connectors(project.dist_dir, project.state_dir, good)
        for outcome in outcomes:
            if outcome.files is not None:
                cache.record(outcome.connector_id, outcome.inputs, outcome.files)
            else:
                cache.forget(outcome.connector_id)
        cache.save()
    failed = [o.connector_id for o in outcomes if o.problems]
    for cid in ids:
        state = "FAILED" if cid in failed else "built" if cid in changed else "unchanged"
        click.echo(f"{state:9} {cid}", err=cid in failed)
    click.echo(
        f"{len(ids)} connector{'s' if len(ids) != 1 else ''}: {len(changed)} written, "
        f"{len(ids) - len(changed) - len(failed)} unchanged, {len(failed)} failed"
    )
    problems = [p for o in outcomes if o.problems for p in o.problems]
    if problems:
        from .errors import CatalystError

        raise CatalystError(problems)


@main.command()
@click.argument("ids", nargs=-1)
@jobs_option
@project_option
@reports_errors
def check(ids, jobs, project_dir):
    """Fail (exit 1) when dist/ is not exactly what the specs produce.

    Regenerates every connector in memory and prints a unified diff of what
    is stale, and lists what is missing or extra.  Writes nothing; CI runs it.
    """
    from .drift import verify
    from .errors import CatalystError

    project = _project(project_dir)
    selected = _select(project, ids, False)
    result = verify(project, selected, jobs=jobs, compare_dist=True, all_connectors=not ids)
    if result.drift:
        click.echo("".join(result.drift.diffs), nl=False)
    if result.problems:
        raise CatalystError(result.problems)
    click.echo(
        f"dist/ is up to date and every template version is recorded ({len(selected)} connector{'s' if len(selected) != 1 else ''})"
    )


@main.command(name="list")
@project_option
@reports_errors
def list_connectors(project_dir):
    """Show the connectors: id, name, version, auth type, preset."""
    from .build import load_connector

    project = _project(project_dir)
    rows = [("ID", "NAME", "VERSION", "AUTH", "PRESET")]
    for cid in project.connector_ids():
        c = load_connector(project, cid)
        rows.append((c.id, c.name, str(c.version), c.auth.type, c.preset or "-"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())


@main.command(name="try")
@click.argument("connector_id")
@click.option(
    "--var",
    "variables",
    multiple=True,
    metavar="NAME=VALUE",
    help="A process variable for the payload's ${placeholders}; repeatable.",
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
def try_(connector_id, variables, base_url, secrets_dir, properties_path, project_dir):
    """Call the connector once, as the Catalyst runtime would, and print the variables it sets.

    Uses the connector's example task at its template defaults (freshly
    generated from the spec) and the Python reference of the runtime. The
    secret is read from the default source and never printed.
    """
    from . import contract, runtime
    from .build import build_connector
    from .errors import CatalystError, Problem

    values = {}
    for item in variables:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.UsageError(f"--var expects NAME=VALUE, got {item!r}")
        values[name] = value
    project = _project(project_dir)
    built = build_connector(project, connector_id)
    missing = [p.name for p in built.connector.placeholders if p.name not in values]
    if missing:
        raise click.UsageError("missing " + ", ".join(f"--var {m}=..." for m in missing))
    example = built.files[built.connector.file_names["example"]]
    try:
        outcome = runtime.try_connector(
            example,
            values,
            base_url=base_url,
            secrets_dir=secrets_dir or contract.SECRETS_DIR,
            properties_path=properties_path,
        )
    except runtime.RuntimeContractError as exc:
        raise CatalystError(
            Problem(str(exc), hint="set the secret (see the connector README's Secret Sources) or fix the inputs")
        ) from None
    click.echo(runtime.format_outcome(outcome))
    if not outcome.success:
        sys.exit(1)


@main.command()
@click.argument("ids", nargs=-1)
@jobs_option
@project_option
@reports_errors
def validate(ids, jobs, project_dir):
    """Run every spec and artifact check (and the version record check); write nothing."""
    from .drift import verify
    from .errors import CatalystError

    project = _project(project_dir)
    selected = _select(project, ids, False)
    result = verify(project, selected, jobs=jobs, compare_dist=False, all_connectors=False)
    if result.problems:
        raise CatalystError(result.problems)
    click.echo(f"{len(selected)} connector{'s' if len(selected) != 1 else ''} valid")


@main.command()
@click.argument("connector_id")
@click.option("--force", is_flag=True, help="Raise the version even if the template did not change.")
@project_option
@reports_errors
def bump(connector_id, force, project_dir):
    """Raise a connector's template version when its template changed, and record it.

    Records the version (without raising it) when the connector is new or its
    version was already raised by hand. Rebuilds dist/<id>/.
    """
    from . import versions
    from .build import build_connector
    from .output import exclusive, write_connectors

    project = _project(project_dir)
    with exclusive(project.state_dir):
        built = build_connector(project, connector_id)
        name = built.connector.file_names["element_template"]
        lock = versions.read_lock(project)
        state = versions.states(project, {connector_id: (built.connector.version, built.files[name])})[0]
        recorded = state.recorded
        if recorded is not None and (
            force or (state.version == recorded["version"] and state.digest != recorded["sha256"])
        ):
            new_version = max(state.version, recorded["version"]) + 1
            versions.set_spec_version(project.spec_path(connector_id), new_version)
            built = build_connector(project, connector_id)
            message = f"{connector_id}: version {state.version} -> {new_version}"
        elif state.problem is None:
            click.echo(
                f"{connector_id}: version {state.version} is current and recorded; nothing to do (use --force to raise it anyway)"
            )
            return
        else:
            message = f"{connector_id}: recorded version {state.version}"
        lock[connector_id] = {"version": built.connector.version, "sha256": versions.template_digest(built.files[name])}
        write_connectors(project.dist_dir, project.state_dir, {connector_id: built.files})
        versions.write_lock(project, lock)
    click.echo(message)


@main.command()
@jobs_option
@project_option
@reports_errors
def package(jobs, project_dir):
    """Write dist/release/: a zip per connector, the Modeler bundle, catalog.json, SHA256SUMS.

    Refuses when dist/ is stale (the same comparison as `check`).
    """
    from .build import load_connector
    from .drift import verify
    from .errors import CatalystError
    from .output import exclusive, read_tree, write_connectors
    from .package import release_files

    project = _project(project_dir)
    ids = _select(project, (), True)
    hint = "run `catalyst-gen build` (and commit) before packaging"
    result = verify(project, ids, jobs=jobs, compare_dist=True, all_connectors=True, hint=hint)
    if result.problems:
        raise CatalystError(result.problems)
    built = [(load_connector(project, cid), read_tree(project.dist_dir / cid)) for cid in ids]
    files = release_files(built)
    with exclusive(project.state_dir):
        write_connectors(project.dist_dir, project.state_dir, {"release": files})
    for name in sorted(files):
        click.echo(f"dist/release/{name}")


@main.command()
@click.argument("connector_id")
@click.option("--name", default=None, help="Display name (default: from the id).")
@click.option("--preset", default=None, help="Preset in connectors/_presets/ to extend.")
@click.option("--url", default=None, help="Endpoint URL.")
@click.option(
    "--auth",
    type=click.Choice(["bearerToken", "apiKeyHeader", "basicAuth", "apiKeyQuery", "none"]),
    default=None,
    help="Auth type (default: the preset's, else bearerToken).",
)
@project_option
@reports_errors
def new(connector_id, name, preset, url, auth, project_dir):
    """Scaffold connectors/<id>/connector.yaml, ready to build."""
    import shutil

    from .build import build_connector
    from .errors import CatalystError, Problem
    from .scaffold import render_spec, write_new_connector

    project = _project(project_dir)
    text = render_spec(project, connector_id, name=name, preset=preset, url=url, auth=auth)
    path = write_new_connector(project, connector_id, text)
    try:
        build_connector(project, connector_id)
    except CatalystError as exc:
        shutil.rmtree(path.parent)
        raise CatalystError(
            [Problem("the scaffold does not build (a bug in templates/scaffold/)"), *exc.problems]
        ) from None
    click.echo(
        f"created {path.relative_to(project.root)}; next: fill in the TODOs, then `catalyst-gen build {connector_id}`"
    )


@main.command()
def schema():
    """Print the JSON Schema of connector specs (for editors and the YAML language server)."""
    from .scaffold import schema_text

    click.echo(schema_text(), nl=False)


@main.command()
@click.argument("connector_id")
@click.option(
    "--png", "png_path", type=click.Path(dir_okay=False, writable=True), required=True, help="Where to write the PNG."
)
@click.option("--scale", type=click.FloatRange(0.5, 8), default=2.0, show_default=True)
@project_option
@reports_errors
def diagram(connector_id, png_path, scale, project_dir):
    """Render the example process picture to PNG (the SVG is in dist/<id>/)."""
    from .build import build_connector
    from .diagram import render_diagram_png

    project = _project(project_dir)
    built = build_connector(project, connector_id)
    svg = built.files[built.connector.file_names["diagram"]]
    Path(png_path).write_bytes(render_diagram_png(svg, scale=scale))
    click.echo(png_path)
