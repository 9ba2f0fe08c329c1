"""The template comparison behind ``bump``: a table of (old, new) template pairs -> findings."""

from __future__ import annotations

import json

import pytest
from helpers import REPO

from catalyst_gen.compatibility import DROPPED, breaking, compare_templates

INPUT, FIELD = "camunda:inputParameter", "camunda:field"


def prop(name, type_="String", binding=INPUT, **extra):
    return {"label": name.title(), "type": type_, **extra, "binding": {"type": binding, "name": name}}


def dropdown(name, *values, value=None):
    choices = [{"name": v.title(), "value": v} for v in values]
    return prop(name, "Dropdown", choices=choices, value=value or values[0])


def template(*properties, **top):
    return {"$schema": "s", "id": "t", "version": 1, **top, "properties": list(properties)}


MODEL = prop("model", value="gpt-4o")
HIDDEN_URL = prop("url", "Hidden", value="https://a")

# (old properties, new properties, expected findings as (breaking, text))
CASES = {
    "unchanged": ([MODEL], [MODEL], []),
    "added": ([MODEL], [MODEL, prop("timeout")], [(False, 'camunda:inputParameter "timeout": added')]),
    "removed": ([MODEL, prop("timeout")], [MODEL], [(True, 'camunda:inputParameter "timeout": removed' + DROPPED)]),
    "removed hidden": (
        [MODEL, HIDDEN_URL],
        [MODEL],
        [(False, 'camunda:inputParameter "url": removed (Hidden: no user value)')],
    ),
    "renamed": (
        [prop("model")],
        [prop("modelName", label="Model")],
        [
            (
                True,
                'camunda:inputParameter "model": renamed to camunda:inputParameter "modelName" (same label \'Model\')'
                + DROPPED,
            )
        ],
    ),
    "binding type changed": (
        [prop("model")],
        [prop("model", binding=FIELD)],
        [(True, 'camunda:inputParameter "model": binding type camunda:inputParameter -> camunda:field' + DROPPED)],
    ),
    "binding attribute changed": (
        [prop("payload", binding=FIELD)],
        [{**prop("payload"), "binding": {"type": FIELD, "name": "payload", "expression": True}}],
        [
            (
                True,
                "camunda:field \"payload\": binding {'type': 'camunda:field', 'name': 'payload'} -> "
                "{'type': 'camunda:field', 'name': 'payload', 'expression': True}" + DROPPED,
            )
        ],
    ),
    "choice removed": (
        [dropdown("auth", "none", "bearer", "basic")],
        [dropdown("auth", "none", "bearer", "digest")],
        [
            (True, 'camunda:inputParameter "auth": choices removed: basic (users who chose them lose the value)'),
            (False, 'camunda:inputParameter "auth": choices added: digest'),
        ],
    ),
    "string to dropdown without the old default": (
        [prop("model", value="gpt-4o")],
        [dropdown("model", "o3", "o4-mini")],
        [
            (
                True,
                'camunda:inputParameter "model": type String -> Dropdown: free text outside the choices is '
                "dropped (the old default is not a choice)",
            ),
            (False, 'camunda:inputParameter "model": default value changed'),
        ],
    ),
    "string to dropdown with the old default": (
        [prop("model", value="o3")],
        [dropdown("model", "o3", "o4-mini", value="o3")],
        [
            (
                True,
                'camunda:inputParameter "model": type String -> Dropdown: free text outside the choices is '
                "dropped (the old default is a choice)",
            )
        ],
    ),
    "string to text": (
        [prop("prompt")],
        [prop("prompt", "Text")],
        [(False, 'camunda:inputParameter "prompt": type String -> Text')],
    ),
    "dropdown to string": (
        [dropdown("auth", "none")],
        [prop("auth", value="none")],
        [(False, 'camunda:inputParameter "auth": type Dropdown -> String')],
    ),
    "visible to hidden": (
        [prop("url", value="https://a")],
        [HIDDEN_URL],
        [
            (
                True,
                'camunda:inputParameter "url": type String -> Hidden: users\' values stay in the diagram, hidden, '
                "where they can no longer see or edit them",
            )
        ],
    ),
    "hidden to visible": (
        [HIDDEN_URL],
        [prop("url", value="https://a")],
        [(False, 'camunda:inputParameter "url": type Hidden -> String (now shown to users)')],
    ),
    "string to boolean": (
        [prop("stream", value="false")],
        [prop("stream", "Boolean", value="false")],
        [(True, 'camunda:inputParameter "stream": type String -> Boolean: users\' values do not carry over')],
    ),
    "label, description, group, default and constraints": (
        [prop("model", value="a")],
        [prop("model", label="Model name", description="d", group="g", value="b", constraints={"notEmpty": True})],
        [
            (False, f'camunda:inputParameter "model": {what} changed')
            for what in ("label", "description", "group", "default value", "constraints")
        ],
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_findings(name):
    old, new, expected = CASES[name]
    changes = compare_templates(template(*old), template(*new))
    assert [(c.breaking, str(c)) for c in changes] == expected
    assert breaking(changes) == [c for c in changes if c.breaking]


def test_template_entries_are_listed_and_never_breaking():
    changes = compare_templates(template(MODEL, name="A"), template(MODEL, name="B", **{"$schema": "pinned"}))
    assert [(c.breaking, str(c)) for c in changes] == [
        (False, "template: $schema changed"),
        (False, "template: name changed"),
    ]


def test_the_version_alone_is_no_change():
    assert compare_templates(template(MODEL), {**template(MODEL), "version": 2}) == []


def test_a_released_version_and_its_successor_differ_only_in_what_users_see():
    """The library's own history breaks nothing: version 1 -> 2 of the first seven connectors
    (pinned $schema, the response-mapping help taken from the connector), then the documentation
    link for every connector, in a step of its own (deepseek's also took its defaults from the published
    README); last, every template grouped and ordered as the published ones, with webhook's and ollama's
    corrections to their published READMEs (issue #11)."""
    first_seven = {"anthropic", "deepseek", "generic-rest", "ollama", "openai", "together-ai", "webhook"}
    for folder in sorted(REPO.glob("connectors/*/versions")):
        cid = folder.parent.name
        kept = sorted(folder.glob(f"{cid}-*.element.json"), key=lambda p: int(p.stem.split("-")[-1].split(".")[0]))
        chain = [json.loads(p.read_text()) for p in kept]
        chain.append(json.loads((REPO / "dist" / cid / f"{cid}.element.json").read_text()))
        assert [t["version"] for t in chain] == list(range(1, len(chain) + 1)), cid
        steps = [
            [(c.breaking, str(c)) for c in compare_templates(old, new)]
            for old, new in zip(chain, chain[1:], strict=False)
        ]
        assert not [c for step in steps for c in step if c[0]], (cid, steps)
        if cid in first_seven:
            assert steps[0] == [
                (False, "template: $schema changed"),
                (False, 'camunda:inputParameter "responseMapping": description changed'),
            ], cid
        assert (False, "template: groups changed") in steps[-1], (cid, steps[-1])  # grouped as published
        if cid == "slack":  # released with the documentation link already
            continue
        documented = (False, "template: documentationRef changed")
        linked = [step for step in steps if documented in step]
        assert len(linked) == 1, (cid, steps)
        if cid != "deepseek":
            assert linked[0] == [documented], (cid, linked)
