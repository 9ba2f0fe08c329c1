"""Refuse specs that carry something that looks like a real credential.

Specs are committed and their text ends up in artifacts that are shipped to
every Camunda user, so a pasted API key would leak to all of them.  A value
that is only an illustration must say so: any value containing the word
``example`` (any case) is accepted, e.g. ``sk-example-0000``.
"""

from __future__ import annotations

import math
import re
from collections import Counter

KNOWN_KEY_SHAPES = (
    ("an OpenAI-style key (sk-...)", re.compile(r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{16,}")),
    ("a Groq key (gsk_...)", re.compile(r"\bgsk_[A-Za-z0-9]{16,}")),
    ("a Google API key (AIza...)", re.compile(r"\bAIza[0-9A-Za-z_-]{30,}")),
    ("a Slack token (xox...-)", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("a Perplexity key (pplx-...)", re.compile(r"\bpplx-[A-Za-z0-9]{16,}")),
    ("a GitHub token (ghp_...)", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{20,}")),
    ("an AWS access key id (AKIA...)", re.compile(r"\bAKIA[0-9A-Z]{16}\b")),
)

_TOKEN = re.compile(r"[A-Za-z0-9_\-+=]{32,}")
HINT = (
    "never put real keys in a spec: use `auth.secret_name` and a secret source; "
    "if this is only an illustration, make it contain the word `example`"
)


def _entropy(token: str) -> float:
    counts = Counter(token)
    return -sum(n / len(token) * math.log2(n / len(token)) for n in counts.values())


def looks_like_secret(text: str) -> str | None:
    """What kind of credential ``text`` seems to contain, or ``None``."""
    if "example" in text.lower():
        return None
    for kind, pattern in KNOWN_KEY_SHAPES:
        if pattern.search(text):
            return kind
    for token in _TOKEN.findall(text):
        classes = sum(bool(re.search(p, token)) for p in ("[a-z]", "[A-Z]", "[0-9]"))
        if classes == 3 and _entropy(token) >= 4.0:
            return "a long random token"
    return None


def find_secrets(data, path: tuple = ()):
    """Yield ``(message, path, hint)`` for every string in ``data`` that looks like a key."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from find_secrets(value, path + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from find_secrets(value, path + (index,))
    elif isinstance(data, str):
        kind = looks_like_secret(data)
        if kind:
            yield f"this looks like {kind}; secrets must not be written into specs", path, HINT
