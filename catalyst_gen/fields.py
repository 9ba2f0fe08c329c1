"""Stage 3b: the spec's ``template`` section checked against the connector it describes.

Whether a runtime input is in a connector's template at all, and whether its
value is empty, depends on the whole connector (``RuntimeInput.present`` and
the encoders read the typed model), so these rules run on the model, after
:mod:`catalyst_gen.validate`, and report at the spec's own lines.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import contract
from .errors import ProblemList, SpecError
from .model import Connector
from .readme_rules import readme_blocks

if TYPE_CHECKING:
    from .loader import SpecSource

FIELDS = ("template", "fields")


def _field_problems(c: Connector, source: SpecSource, problems: ProblemList) -> None:
    """A field set must exist in this template; hiding it must not leave the runtime an empty required value."""
    for key, settings in c.fields.items():
        setting = contract.FIELD_KEYS[key]
        path = FIELDS + (key,)
        if not setting.is_present(c):
            problems.add(
                f"this connector's template has no `{key}` field (input `{setting.name}`)",
                source.locate(path, key=True),
                FIELDS,
                "remove the entry, or add the spec section that brings the field",
                code="CG380",
            )
        elif settings.visible is False and (setting.required or setting.is_not_empty(c)) and not setting.encode(c):
            problems.add(
                f"`{key}` is hidden but the connector gives it no value, and the runtime needs one",
                source.locate(path + ("visible",)),
                path + ("visible",),
                "make it visible, or set the value in the spec",
                code="CG381",
            )


def _labels(c: Connector) -> list[tuple[str, str, tuple | None]]:
    """``(label, input name, spec path of the label or None when the contract gives it)`` per labelled property."""
    labels = []
    for key, setting in contract.FIELD_KEYS.items():
        settings = c.fields.get(key)
        written = settings is not None and settings.label is not None
        label = settings.label if settings and settings.label else setting.label
        if setting.is_present(c) and label and c.extra_property(setting.name) is None:
            labels.append((label, setting.name, FIELDS + (key, "label") if written else None))
    for declared in c.extra_properties:
        labels.append((declared.label, declared.name, ("template", "properties", declared.name, "label")))
    return labels


def _label_problems(c: Connector, source: SpecSource, problems: ProblemList) -> None:
    """Two properties under one label read as one in the Modeler (and a bump would take one for a rename).

    Reported where the spec wrote the label (one of the two always is: the contract's labels differ)."""
    seen: dict[str, tuple[str, tuple | None]] = {}
    for label, name, path in _labels(c):
        if label in seen:
            other, other_path = seen[label]
            where = path or other_path or FIELDS
            problems.add(
                f"label {label!r} is used by both `{other}` and `{name}`",
                source.locate(where),
                where[:-1],
                "give each property its own label",
                code="CG385",
            )
        seen.setdefault(label, (name, path))


def _readme_group_problems(c: Connector, source: SpecSource, problems: ProblemList) -> None:
    """A README ``fields:`` block shows a group the Modeler shows fields in (else its table would be empty)."""
    from .render import group_fields, modeler_properties  # the README's rows, from the template's own properties

    readme = source.data.get("readme")
    blocks = readme_blocks(readme) if isinstance(readme, dict) else ()
    asked = [(path, block["fields"]) for path, block in blocks if isinstance(block, dict) and "fields" in block]
    if not asked:
        return  # the template's properties are built only for a spec that shows a group
    shown = group_fields(modeler_properties(c))
    for path, group in asked:
        if isinstance(group, str) and group in shown and not shown[group]:
            where = path + ("fields",)
            groups = ", ".join(g for g, rows in shown.items() if rows) or "none"
            problems.add(
                f"the template shows no field in group `{group}`, so this table would be empty",
                source.locate(where),
                where,
                f"show a group with visible fields ({groups}), or make a field of `{group}` visible",
                code="CG386",
            )


def check_fields(c: Connector, source: SpecSource) -> None:
    """Raise :class:`SpecError` with every problem of the spec's ``template`` section (and of the README
    blocks that show the template's fields)."""
    problems = ProblemList()
    _field_problems(c, source, problems)
    _label_problems(c, source, problems)
    _readme_group_problems(c, source, problems)
    problems.raise_if_any(SpecError)
