"""``catalyst-gen new``: a connector spec that builds the moment it is written.

The spec is rendered from ``templates/scaffold/connector.yaml.j2`` (so a
library can change what new connectors start from).  Building it right after
it is written, and removing it again when it does not build (a scaffold that
would not build is a bug, not a file), is
:func:`catalyst_gen.commands.connector.create_connector`'s job.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import jinja2

from .errors import CatalystError, Problem
from .grammar import PRESET_NAME, require_connector_id
from .library import Project
from .loader import load_spec, preset_names
from .render import template_loader

PALETTE = ("#0F6FFF", "#7C3AED", "#059669", "#DC2626", "#D97706", "#0891B2", "#DB2777", "#4B5563")
LIBRARY_SCHEMA = "_schema.json"
"""``connectors/_schema.json``: the spec schema ``catalyst-gen init`` writes into a library, for editors."""
REPO_SCHEMA = "../../catalyst_gen/schema/connector.schema.json"
"""Where a spec finds the schema in catalyst-gen's own repository (its library has no ``_schema.json``)."""


def schema_ref(project: Project) -> str:
    """The ``$schema`` of a new spec's editor modeline, relative to ``connectors/<id>/``."""
    return f"../{LIBRARY_SCHEMA}" if (project.connectors_dir / LIBRARY_SCHEMA).is_file() else REPO_SCHEMA


SCAFFOLD_TEMPLATE = "scaffold/connector.yaml.j2"
"""The template ``new`` renders, in the library's ``templates/`` folder."""


def _yaml_scalar(value: str) -> str:
    """A YAML scalar that reads back as exactly ``value`` (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def initials(name: str) -> str:
    words = [w for w in re.split(r"[^0-9A-Za-z]+", name) if w]
    text = "".join(w[0] for w in words[:2]).upper()
    return text or "C"


def _preset_facts(project: Project, preset: str) -> tuple[set[str], bool, str | None]:
    """What the preset already says, so the scaffold states only the rest.

    ``(inherited, model, auth)``: the keys it sets (top-level, and one level down
    as ``endpoint.method``), whether its payload names a ``model``, its auth type.
    """
    from .suggest import did_you_mean

    known = preset_names(project.presets_dir)
    if not PRESET_NAME.matches(preset):
        raise CatalystError(
            Problem(
                f"--preset {preset!r} is not a preset name; expected {PRESET_NAME.hint}",
                hint=did_you_mean(preset, known) or f"presets: {', '.join(known) or 'none'}",
                code="CG122",
            )
        )
    preset_file = project.presets_dir / f"{preset}.yaml"
    if not preset_file.is_file():
        raise CatalystError(
            Problem(
                f"preset {preset!r} not found",
                hint=did_you_mean(preset, known) or f"presets: {', '.join(known) or 'none'}",
                code="CG122",
            )
        )
    data = load_spec(preset_file, project.presets_dir, project.root).data
    inherited = set(data)
    for key, value in data.items():
        if isinstance(value, dict):
            inherited.update(f"{key}.{sub}" for sub in value)
    request = data.get("request")
    payload = request.get("payload") if isinstance(request, dict) else None
    auth = data.get("auth")
    auth_type = auth.get("type") if isinstance(auth, dict) else None
    return (
        inherited,
        isinstance(payload, dict) and "model" in payload,
        auth_type if isinstance(auth_type, str) else None,
    )


def render_spec(
    project: Project, connector_id: str, *, name: str | None, preset: str | None, url: str | None, auth: str | None
) -> str:
    """The text of a new connector's spec, from ``templates/scaffold/connector.yaml.j2``."""
    require_connector_id(connector_id)
    if (project.connectors_dir / connector_id).exists():
        raise CatalystError(
            Problem(
                f"connector {connector_id!r} already exists",
                hint=f"edit {project.spec_path(connector_id)}",
                code="CG603",
            )
        )
    inherited, model, preset_auth = _preset_facts(project, preset) if preset is not None else (set(), False, None)
    auth = auth or preset_auth
    auth = auth or "bearerToken"
    name = name or " ".join(part.capitalize() for part in connector_id.split("-"))
    env = jinja2.Environment(
        loader=template_loader(project.templates_dir),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["yaml"] = _yaml_scalar
    digest = int(hashlib.sha256(connector_id.encode()).hexdigest(), 16)
    try:
        template = env.get_template(SCAFFOLD_TEMPLATE)
    except jinja2.TemplateNotFound:
        raise CatalystError(
            Problem(
                f"no {SCAFFOLD_TEMPLATE} in {project.templates_dir}: {project.root} does not look like a connector library",
                hint="run the command from the library's root folder, or pass -C <library root>",
                code="CG604",
            )
        ) from None
    return template.render(
        id=connector_id,
        name=name,
        preset=preset,
        url=url or f"https://api.example.com/v1/{connector_id}",
        auth=auth,
        model=model,
        inherited=inherited,
        secret_name=connector_id.replace("-", "_") + "_api_key",
        initials=initials(name),
        background=PALETTE[digest % len(PALETTE)],
        schema_ref=schema_ref(project),
    )


def write_new_connector(project: Project, connector_id: str, text: str) -> Path:
    """Write the spec (never over an existing one); the caller has already built it in memory."""
    folder = project.connectors_dir / connector_id
    folder.mkdir(parents=True)
    path = folder / "connector.yaml"
    with open(path, "x", encoding="utf-8") as handle:
        handle.write(text)
    return path
