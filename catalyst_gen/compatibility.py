"""What a new template version does to the values users entered with the old one.

When a user updates a task to a newer template, Camunda Modeler matches
properties by their binding: a value the user changed is kept when the new
template still has a property with that binding, and unset when it does not
(Camunda docs, "Updating templates").  So a change *drops users' values*
when a visible property's binding disappears (removed, or renamed: a new
binding for the same label), changes type or attributes (an input parameter
becoming a field), turns into a Hidden property (the Camunda 7 Modeler keeps
a changed value in the diagram, where users can no longer see or edit it; the
browser test tests/acceptance/test_modeler_upgrade.py shows it), loses Dropdown choices, or changes to a type that
cannot hold the old free text (String/Text to Dropdown or Boolean, ...).

Hidden properties carry no user value, and additions, labels, descriptions,
groups, defaults and constraints only change what users see next: those
changes are listed, never refused.  ``catalyst-gen bump`` refuses a breaking
change unless ``--breaking`` is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

HIDDEN = "Hidden"
DROPPED = ": users' values are dropped on update"
FREE_TEXT = frozenset({"String", "Text"})

Template = dict[str, Any]
Property = dict[str, Any]


@dataclass(frozen=True)
class Change:
    """One difference between two versions of a template, for one binding."""

    binding: str
    """e.g. ``camunda:inputParameter "model"``"""
    what: str
    breaking: bool

    def __str__(self) -> str:
        return f"{self.binding}: {self.what}"


def _binding_name(binding: dict) -> str:
    for key in ("name", "source", "target", "errorRef", "event"):
        if isinstance(binding.get(key), str):
            return binding[key]
    return ""


def _key(prop: Property) -> tuple[str, str]:
    binding = prop.get("binding") or {}
    return str(binding.get("type", "")), _binding_name(binding)


def _describe(key: tuple[str, str]) -> str:
    return f'{key[0]} "{key[1]}"'


def _visible(prop: Property) -> bool:
    return prop.get("type", "String") != HIDDEN


def _choices(prop: Property) -> list[str]:
    return [str(c.get("value")) for c in prop.get("choices") or [] if isinstance(c, dict)]


def _type_change(old: Property, new: Property) -> Change | None:
    """A changed property type; breaking when the new type cannot hold what users entered."""
    before, after = old.get("type", "String"), new.get("type", "String")
    key = _describe(_key(new))
    if before == after:
        return None
    what = f"type {before} -> {after}"
    if before == HIDDEN:
        return Change(key, what + " (now shown to users)", False)
    if after == HIDDEN:
        return Change(
            key, what + ": users' values stay in the diagram, hidden, where they can no longer see or edit them", True
        )
    if after in FREE_TEXT and (before in FREE_TEXT or before == "Dropdown"):
        return Change(key, what, False)
    if after == "Dropdown":
        default = old.get("value")
        listed = "is" if default in _choices(new) else "is not"
        return Change(
            key, f"{what}: free text outside the choices is dropped (the old default {listed} a choice)", True
        )
    return Change(key, f"{what}: users' values do not carry over", True)


def _choice_changes(old: Property, new: Property) -> list[Change]:
    if old.get("type") != "Dropdown" or new.get("type") != "Dropdown":
        return []
    key = _describe(_key(new))
    before, after = _choices(old), _choices(new)
    removed = [v for v in before if v not in after]
    added = [v for v in after if v not in before]
    changes = []
    if removed:
        changes.append(
            Change(key, f"choices removed: {', '.join(removed)} (users who chose them lose the value)", True)
        )
    if added:
        changes.append(Change(key, f"choices added: {', '.join(added)}", False))
    return changes


_SHOWN = ("label", "description", "group", "value", "constraints", "editable")


def _property_changes(old: Property, new: Property) -> list[Change]:
    """Differences between two properties with the same binding type and name."""
    key = _describe(_key(new))
    visible = _visible(old)
    changes = []
    if old.get("binding") != new.get("binding"):
        what = f"binding {old.get('binding')} -> {new.get('binding')}"
        changes.append(Change(key, what + (DROPPED if visible else ""), visible))
    type_change = _type_change(old, new)
    if type_change is not None:
        changes.append(type_change)
    changes += _choice_changes(old, new)
    for attribute in _SHOWN:
        if old.get(attribute) != new.get(attribute):
            what = "default value" if attribute == "value" else attribute
            changes.append(Change(key, f"{what} changed", False))
    return changes


def _vanished(old: Property, new_props: dict[tuple[str, str], Property], unclaimed: list) -> Change:
    """An old binding with no match in the new template: binding type changed, renamed or removed.

    A rename claims (removes from ``unclaimed``) the added property with the old label.
    """
    key = _key(old)
    visible = _visible(old)
    dropped = DROPPED if visible else " (Hidden: no user value)"
    moved = [k for k in unclaimed if k[1] == key[1]]
    label = old.get("label")
    renamed = [k for k in unclaimed if label and new_props[k].get("label") == label]
    if moved:
        unclaimed.remove(moved[0])
        return Change(_describe(key), f"binding type {key[0]} -> {moved[0][0]}{dropped}", visible)
    if renamed:
        unclaimed.remove(renamed[0])
        return Change(_describe(key), f"renamed to {_describe(renamed[0])} (same label {label!r}){dropped}", visible)
    return Change(_describe(key), f"removed{dropped}", visible)


def _template_changes(old: Template, new: Template) -> list[Change]:
    """Changed top-level entries (``$schema``, name, groups, icon, ...): what users see, never their values."""
    keys = [k for k in {**old, **new} if k not in ("properties", "version")]
    return [Change("template", f"{key} changed", False) for key in keys if old.get(key) != new.get(key)]


def compare_templates(old: Template, new: Template) -> list[Change]:
    """Every change from ``old`` to ``new``: the template's own entries, then its properties
    in the old template's order, then additions."""
    old_props = {_key(p): p for p in old.get("properties", []) if isinstance(p, dict)}
    new_props = {_key(p): p for p in new.get("properties", []) if isinstance(p, dict)}
    unclaimed = [k for k in new_props if k not in old_props]
    changes = _template_changes(old, new)
    for key, prop in old_props.items():
        if key in new_props:
            changes += _property_changes(prop, new_props[key])
        else:
            changes.append(_vanished(prop, new_props, unclaimed))
    changes += [Change(_describe(key), "added", False) for key in unclaimed]
    return changes


def breaking(changes: list[Change]) -> list[Change]:
    """The changes that would drop values users entered."""
    return [c for c in changes if c.breaking]
