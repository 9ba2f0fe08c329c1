"""Synthetic connector libraries for the benchmark.

``generate_library(root, n, seed)`` writes ``n`` connector specs varied
deterministically from the real ones in ``connectors/``: the same seed gives
the same specs, and connector *i* does not depend on ``n`` (so a profile of the
first 200 connectors builds exactly the first 200 of the big set).
"""

from __future__ import annotations

import json
import random
import shutil
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent

VENDORS = [
    "acme",
    "nimbus",
    "zenith",
    "orbit",
    "quanta",
    "lumen",
    "vertex",
    "cobalt",
    "harbor",
    "sierra",
    "atlas",
    "nova",
    "pioneer",
    "granite",
    "falcon",
    "meridian",
    "aurora",
    "summit",
    "cascade",
    "helix",
    "polaris",
    "tandem",
    "ember",
    "lattice",
    "monarch",
    "onyx",
    "prism",
    "relay",
    "sapphire",
    "tundra",
]
PRODUCTS = [
    "ai",
    "llm",
    "chat",
    "inference",
    "cloud",
    "models",
    "gateway",
    "labs",
    "api",
    "hub",
    "search",
    "vision",
    "speech",
    "translate",
    "embed",
    "agents",
    "ops",
    "data",
    "notify",
    "crm",
]
FAMILIES = ["llama", "qwen", "mistral", "gemma", "phi", "falcon", "granite", "command", "jamba", "yi", "olmo", "nova"]
SIZES = ["1b", "3b", "7b", "8b", "13b", "32b", "70b", "72b", "405b", "mini", "small", "large", "pro", "turbo"]
ORGS = ["meta-llama", "mistralai", "Qwen", "google", "microsoft", "ibm-granite", "allenai", "tiiuae"]
ERROR_POOL = [
    (400, "INVALID_REQUEST", "Malformed request or invalid parameter", "Check the payload and the model name"),
    (401, "AUTH_FAILED", "Invalid or missing API key", "Check the key and the secret it is read from"),
    (402, "PAYMENT_REQUIRED", "The account balance has run out", "Top up the balance in the console"),
    (403, "FORBIDDEN", "The key is not allowed to do this", "Check the key's permissions and region"),
    (404, "NOT_FOUND", "Unknown model or endpoint", "Check the model id and the endpoint URL"),
    (408, "REQUEST_TIMEOUT", "The provider gave up waiting for the request", "Retry with a smaller payload"),
    (409, "CONFLICT", "The resource was changed concurrently", "Reload and retry the operation"),
    (413, "PAYLOAD_TOO_LARGE", "The request body is too large", "Shorten the prompt or split the input"),
    (
        422,
        "INVALID_PARAMETERS",
        "The request contains invalid parameters",
        "Check parameter values against the API docs",
    ),
    (429, "RATE_LIMITED", "Too many requests", "Auto-retried with backoff (Retry-After is honoured)"),
    (500, "SERVER_ERROR", "The provider failed to process the request", "Auto-retried; check the status page"),
    (502, "BAD_GATEWAY", "The provider's gateway failed", "Auto-retried with backoff"),
    (
        503,
        "SERVICE_UNAVAILABLE",
        "The service is temporarily unavailable",
        "Auto-retried with backoff; try again later",
    ),
    (504, "GATEWAY_TIMEOUT", "The provider's gateway timed out", "Raise the timeout or retry later"),
    (529, "OVERLOADED", "The API is temporarily overloaded", "Auto-retried with backoff"),
]
EXTRA_MAPPINGS = [
    ("responseId", "id", "Identifier of the response"),
    ("createdAt", "created", "Unix time the response was created"),
    ("totalTokens", "usage.total_tokens", "Tokens in prompt and response"),
    ("systemFingerprint", "system_fingerprint", "Backend configuration fingerprint"),
    ("firstChoiceIndex", "choices[0].index", "Index of the first choice"),
    ("requestId", '["x-request-id"]', "Request id echoed by the provider"),
]
EXTRA_TIPS = [
    "Store the key in an environment variable on the engine host, never in the BPMN.",
    "Raise the timeout for long prompts; large models can take a minute to answer.",
    "Rate limits are per organisation: parallel process instances share them.",
    "The full response body is always available in catalyst_responseBody.",
    "Pin a model version in production so answers stay comparable over time.",
    "Free trial keys have lower rate limits than paid ones.",
]
ABOUT_EXTRA = [
    "It is popular for batch classification and summarisation jobs.",
    "Data is processed in the EU and not used for training.",
    "Pricing is per million tokens, with a free tier for development.",
    "Enterprise plans add dedicated capacity and a 99.9% SLA.",
    "The API is versioned; old versions stay available for a year.",
]
LOGO_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">
  <rect width="64" height="64" rx="12" fill="{bg}"/>
  <circle cx="32" cy="32" r="{r}" fill="{fg}"/>
</svg>
"""

# base spec -> kind; the mix of kinds follows WEIGHTS
PRESET_BASES = ["openai", "deepseek", "together-ai"]
STANDALONE_BASES = ["anthropic", "generic-rest", "webhook"]
NONE_BASES = ["ollama"]
WEIGHTS = (("preset", 0.45), ("standalone", 0.40), ("none", 0.15))


@dataclass(frozen=True)
class Identity:
    """Who a synthetic connector is: the values every part of its spec is varied with."""

    index: int
    kind: str  # preset | standalone | none
    base_id: str  # the real connector it is varied from
    vendor: str
    product: str
    name: str
    old_name: str  # the base connector's name, replaced in texts

    @property
    def id(self) -> str:
        return f"{self.vendor}-{self.product}-{self.index:05d}"

    @property
    def host(self) -> str:
        return f"{self.vendor}-{self.product}{self.index}.com"


def _yaml() -> Any:
    from ruamel.yaml import YAML

    y = YAML(typ="rt", pure=True)
    y.preserve_quotes = True  # `[Basic Auth (user:pass), ...]` is not valid YAML unquoted
    y.width = 100
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def _color(rng: random.Random) -> str:
    return f"#{rng.randrange(0x1000000):06X}"


def _replace_name(value: Any, old: str, new: str) -> Any:
    return value.replace(old, new) if isinstance(value, str) else value


def _models(rng: random.Random, org_style: bool) -> tuple[list[Any], str]:
    from ruamel.yaml.comments import CommentedMap

    count = rng.randint(1, 6)
    ids: list[str] = []
    while len(ids) < count:
        fam, size = rng.choice(FAMILIES), rng.choice(SIZES)
        mid = f"{fam}-{rng.randint(1, 4)}.{rng.randint(0, 9)}-{size}"
        if org_style:
            mid = f"{rng.choice(ORGS)}/{mid}"
        if mid not in ids:
            ids.append(mid)
    default = rng.randrange(count)
    models = []
    for i, mid in enumerate(ids):
        m = CommentedMap()
        m["id"] = mid
        m["description"] = (
            f"{mid.split('/')[-1]} — {rng.choice(['fast', 'balanced', 'most capable', 'low cost', 'reasoning'])}"
        )
        if i == default:
            m["default"] = True
        models.append(m)
    return models, ids[default]


def _errors(rng: random.Random, required: tuple[int, ...] = ()) -> Any:
    from ruamel.yaml.comments import CommentedMap

    chosen = {e[0]: e for e in rng.sample(ERROR_POOL, rng.randint(2, 9))}
    for status in required:
        chosen.setdefault(status, next(e for e in ERROR_POOL if e[0] == status))
    errors = CommentedMap()
    for status, code, cause, action in sorted(chosen.values(), key=lambda e: rng.random()):
        entry = CommentedMap()
        entry["code"] = code
        entry["cause"] = cause
        entry["action"] = action
        errors[status] = entry
    return errors


# Each part below draws from the connector's own random stream in a fixed order:
# reordering the calls would change every generated spec (and every baseline).


def _pick_base(rng: random.Random) -> tuple[str, str]:
    """(kind, base connector id), the kind drawn with WEIGHTS."""
    roll, kind = rng.random(), "none"
    for name, weight in WEIGHTS:
        if roll < weight:
            kind = name
            break
        roll -= weight
    base_id = rng.choice(
        {"preset": PRESET_BASES, "standalone": STANDALONE_BASES, "none": NONE_BASES + STANDALONE_BASES}[kind]
    )
    return kind, base_id


def _identity(spec: Any, rng: random.Random, index: int, kind: str, base_id: str) -> Identity:
    """New id, name, texts and (sometimes) version."""
    vendor, product = rng.choice(VENDORS), rng.choice(PRODUCTS)
    name = f"{vendor.title()} {product.upper() if len(product) <= 3 else product.title()} {index}"
    who = Identity(index, kind, base_id, vendor, product, name, old_name=spec["name"])
    spec["id"] = who.id
    spec["name"] = name
    extra = " ".join(rng.sample(ABOUT_EXTRA, rng.randint(0, 2)))
    spec["tagline"] = _replace_name(spec["tagline"], who.old_name, name)
    if "about" in spec:  # a spec whose README shows no About section has none (CG397)
        spec["about"] = (_replace_name(spec["about"], who.old_name, name) + " " + extra).rstrip()
    if kind != "preset" or rng.random() < 0.3:
        spec["version"] = rng.randint(1, 5)
    return who


def _endpoint_and_auth(spec: Any, rng: random.Random, who: Identity) -> None:
    endpoint = spec["endpoint"]
    path = endpoint["url"].split("/", 3)[3] if endpoint["url"].count("/") >= 3 else ""
    endpoint["url"] = f"https://api.{who.host}/{path}"
    if rng.random() < 0.5:
        endpoint["timeout_seconds"] = rng.choice([30, 60, 120, 300, 600])
    auth = spec["auth"]
    if who.kind == "none" and auth.get("type") != "none":
        editable = auth.get("editable")
        auth.clear()
        auth["type"] = "none"
        if editable:  # the Modeler may switch to a keyed type: it needs a secret name
            auth["editable"] = True
            auth["secret_name"] = f"{who.id.replace('-', '_')}_key"
        fields = spec.get("template", {}).get("fields", {})
        for key in [k for k in fields if k.startswith(("secret_", "auth_"))]:
            del fields[key]  # an `auth: none` template has no secret or auth fields to set
    elif auth.get("type") != "none":
        auth["secret_name"] = f"{who.id.replace('-', '_')}_key"
        if "console" in auth or who.kind == "preset":
            auth["console"] = f"https://console.{who.host}/keys"
        if rng.random() < 0.5:
            auth["key_prefix"] = rng.choice(["sk-", "key-", "tok_", f"{who.vendor[:3]}-"])
        elif "key_prefix" in auth and who.kind != "preset":
            del auth["key_prefix"]


def _payload_and_mapping(spec: Any, rng: random.Random, who: Identity) -> None:
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.scalarstring import LiteralScalarString

    payload = spec["request"]["payload"]
    if "models" in spec:
        spec["models"], default = _models(rng, org_style=who.base_id == "together-ai")
        payload["model"] = default
        if "max_tokens" in payload or who.kind == "preset":
            payload["max_tokens"] = rng.choice([256, 512, 1024, 2048, 4096])
    elif who.base_id == "generic-rest" and rng.random() < 0.3:
        # a JSON text payload (`payload: |`), as the README allows
        text = json.dumps({"name": "${itemName}", "quantity": "${quantity}", "tags": ["bench", who.vendor]}, indent=2)
        spec["request"]["payload"] = LiteralScalarString(text + "\n")
        quantity = CommentedMap([("label", "Quantity"), ("default", str(rng.randint(1, 9)))])
        spec["request"]["placeholders"] = CommentedMap([("quantity", quantity)])  # the base's labels name others
    mapping = spec.get("response_mapping")
    if mapping is not None and who.base_id != "webhook":
        for var, jpath, desc in rng.sample(EXTRA_MAPPINGS, rng.randint(0, 3)):
            mapping[var] = CommentedMap([("path", jpath), ("description", desc)])


def _errors_and_retry(spec: Any, rng: random.Random, who: Identity) -> None:
    from ruamel.yaml.comments import CommentedMap

    if who.kind == "preset":
        # override a few inherited errors, add some of our own
        errors = CommentedMap()
        for status in rng.sample([401, 429, 400], rng.randint(0, 3)):
            errors[status] = CommentedMap([("action", f"Check the key at console.{who.host}")])
        for status, code, cause, action in rng.sample(
            [e for e in ERROR_POOL if e[0] not in (400, 401, 429)], rng.randint(0, 5)
        ):
            errors[status] = CommentedMap([("code", code), ("cause", cause), ("action", action)])
        spec["errors"] = errors
        if rng.random() < 0.1:
            spec["errors"][400] = None  # `key: null` removes an inherited key
    else:
        retried = spec["retry"]["statuses"] if "retry" in spec else [429]  # a base may take its retry from a preset
        spec["errors"] = _errors(rng, required=(429,) if 429 in retried else ())
    statuses = sorted({429} | set(rng.sample([500, 502, 503, 529], rng.randint(0, 2))))
    if "retry" not in spec:
        spec["retry"] = CommentedMap()
    spec["retry"]["statuses"] = statuses
    if rng.random() < 0.3:
        spec["retry"]["max_retries"] = rng.randint(1, 6)
        spec["retry"]["backoff_ms"] = rng.choice([250, 500, 1000, 2000])
        spec["retry"]["max_backoff_ms"] = rng.choice([10000, 30000, 60000])


def _tips_and_logo(spec: Any, rng: random.Random, who: Identity) -> str | None:
    """Task name, tips and logo; returns the text of a logo file, if the spec uses one."""
    from ruamel.yaml.comments import CommentedMap

    verb = "Ask" if who.kind != "standalone" or who.base_id == "anthropic" else "Call"
    spec["example"]["task_name"] = f"{verb} {who.name}"
    tips = [_replace_name(t, who.old_name, who.name) for t in spec.get("tips", [])]
    tips = rng.sample(tips, rng.randint(min(1, len(tips)), len(tips))) + rng.sample(EXTRA_TIPS, rng.randint(0, 3))
    if tips:
        spec["tips"] = tips
    if rng.random() < 0.03:
        spec["logo"] = CommentedMap([("file", "logo.svg")])
        return LOGO_SVG.format(bg=_color(rng), fg=_color(rng), r=rng.randint(10, 24))
    letters = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(rng.randint(1, 3)))
    spec["logo"] = CommentedMap(
        [
            ("text", letters),
            ("background", _color(rng)),
            ("foreground", None),
        ]
    )
    # the more contrasting of white and near-black, as the spec check wants (CG346)
    from catalyst_gen.validate import contrast_ratio

    candidates = ["#FFFFFF", "#111111"]
    spec["logo"]["foreground"] = max(candidates, key=lambda fg: contrast_ratio(spec["logo"]["background"], fg))
    return None


def make_spec(bases: dict[str, str], index: int, seed: int) -> tuple[str, Any, str | None, str]:
    """One synthetic spec: (id, ruamel round-trip document, logo file text or None, kind)."""
    rng = random.Random(f"{seed}:{index}")
    kind, base_id = _pick_base(rng)
    spec = _yaml().load(bases[base_id])
    who = _identity(spec, rng, index, kind, base_id)
    _endpoint_and_auth(spec, rng, who)
    _payload_and_mapping(spec, rng, who)
    _errors_and_retry(spec, rng, who)
    logo_file = _tips_and_logo(spec, rng, who)
    return who.id, spec, logo_file, kind


def _base_specs(src: Path) -> dict[str, str]:
    bases = {
        p.parent.name: p.read_text("utf-8")
        for p in sorted((src / "connectors").glob("*/connector.yaml"))
        if not p.parent.name.startswith(("_", "."))
    }
    missing = [b for b in PRESET_BASES + STANDALONE_BASES + NONE_BASES if b not in bases]
    if missing:
        raise SystemExit(f"bench: base connectors missing from {src / 'connectors'}: {', '.join(missing)}")
    return bases


def copy_library_frame(src: Path, root: Path) -> None:
    """``templates/``, ``_library.yaml`` and ``_presets/`` of ``src``: a library without connectors."""
    shutil.copytree(src / "templates", root / "templates")
    (root / "connectors").mkdir(parents=True)
    shutil.copy2(src / "connectors" / "_library.yaml", root / "connectors" / "_library.yaml")
    shutil.copytree(src / "connectors" / "_presets", root / "connectors" / "_presets")


def generate_library(root: Path, n: int, seed: int, src: Path = REPO) -> dict[str, Any]:
    """A complete connector library with ``n`` synthetic connectors under ``root``.

    ``templates/``, ``_library.yaml`` and ``_presets/`` are copied from ``src``
    (the repository, or a snapshot of it); the real specs there are the bases.
    """
    copy_library_frame(src, root)
    bases = _base_specs(src)
    yaml = _yaml()
    kinds: dict[str, int] = {}
    spec_bytes = 0
    for index in range(n):
        cid, spec, logo_file, kind = make_spec(bases, index, seed)
        kinds[kind] = kinds.get(kind, 0) + 1
        folder = root / "connectors" / cid
        folder.mkdir()
        out = StringIO()
        yaml.dump(spec, out)
        text = out.getvalue()
        spec_bytes += len(text.encode())
        (folder / "connector.yaml").write_text(text, "utf-8")
        if logo_file:
            (folder / "logo.svg").write_text(logo_file, "utf-8")
            kinds["logo_file"] = kinds.get("logo_file", 0) + 1
    return {"connectors": n, "kinds": kinds, "spec_bytes": spec_bytes}
