"""Refuse specs that carry something that looks like a real credential.

Specs are committed and their text ends up in artifacts that are shipped to
every Camunda user, so a pasted API key would leak to all of them.  A value
that is only an illustration must say so: any value containing the word
``example`` (any case) is accepted, e.g. ``sk-example-0000``.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter

KNOWN_KEY_SHAPES = (
    ("an OpenAI-style key (sk-...)", re.compile(r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{16,}")),
    ("a Groq key (gsk_...)", re.compile(r"\bgsk_[A-Za-z0-9]{16,}")),
    ("a Google API key (AIza...)", re.compile(r"\bAIza[0-9A-Za-z_-]{30,}")),
    ("a Slack token (xox...-)", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("a Perplexity key (pplx-...)", re.compile(r"\bpplx-[A-Za-z0-9]{16,}")),
    ("an xAI key (xai-...)", re.compile(r"\bxai-[A-Za-z0-9]{20,}")),
    ("a Fireworks AI key (fw_...)", re.compile(r"\bfw_[A-Za-z0-9]{20,}")),
    ("a SendGrid key (SG.....)", re.compile(r"\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}")),
    ("an Atlassian API token (ATATT...)", re.compile(r"\bATATT[A-Za-z0-9_=-]{20,}")),
    (
        "a Slack incoming webhook URL (it is the credential)",
        # the secret part is mixed case: Slack's own placeholder (.../XXXXXXXXXXXXXXXXXXXXXXXX) is not a key
        re.compile(
            r"\bhooks\.slack\.com/(?:services|workflows|triggers)/T[A-Z0-9]{6,}/[A-Za-z0-9/]*/(?=[A-Z0-9]*[a-z])[A-Za-z0-9]{16,}"
        ),
    ),
    (
        "a Microsoft Teams webhook URL (it is the credential)",
        re.compile(r"\bwebhook\.office\.com/webhookb2/[0-9a-fA-F]{8}-[0-9a-fA-F-]{27}@"),
    ),
    ("a signed URL's signature (sig=...)", re.compile(r"[?&]sig=[A-Za-z0-9_%-]{30,}")),
    ("a GitHub token (ghp_...)", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{20,}")),
    ("an AWS access key id (AKIA...)", re.compile(r"\bAKIA[0-9A-Z]{16}\b")),
    ("a Stripe key (sk_live_...)", re.compile(r"\b[sr]k_(?:live|test)_[A-Za-z0-9]{16,}")),
    ("a Hugging Face token (hf_...)", re.compile(r"\bhf_[A-Za-z0-9]{30,}")),
    ("a GitLab token (glpat-...)", re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}")),
    ("a JSON Web Token (eyJ...)", re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}")),
    ("a private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
    ("credentials in a URL (user:password@)", re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@", re.I)),
)

_HEX_TOKEN = re.compile(r"\b[0-9a-fA-F]{32,}\b")
"""A long hexadecimal string: how many services print their keys (an MD5 or SHA digest looks the same)."""

_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")

_TOKEN = re.compile(r"[A-Za-z0-9_\-+=]{32,}")
HINT = (
    "never put real keys in a spec: use `auth.secret_name` and a secret source; "
    "if this is only an illustration, make it contain the word `example`"
)


def _entropy(token: str) -> float:
    counts = Counter(token)
    return -sum(n / len(token) * math.log2(n / len(token)) for n in counts.values())


@functools.lru_cache(maxsize=16384)
def find_secret(text: str) -> tuple[str, str] | None:
    """``(kind, matched text)`` of the first credential-like token in ``text``, or ``None``.

    Cached: a build judges every line and string it ships, and most of them (labels, the
    README's fixed lines, XML names) are the same in every connector, so a library build asks
    about a few thousand distinct texts a hundred thousand times.
    """
    text = _JSON_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)  # \u0073k-... is sk-...
    if "example" in text.lower():
        return None
    for kind, pattern in KNOWN_KEY_SHAPES:
        match = pattern.search(text)
        if match:
            return kind, match.group()
    for token in _TOKEN.findall(text):
        classes = sum(bool(re.search(p, token)) for p in ("[a-z]", "[A-Z]", "[0-9]"))
        if classes == 3 and _entropy(token) >= 4.0:
            return "a long random token", token
    for token in _HEX_TOKEN.findall(text):
        if _entropy(token.lower()) >= 3.0:
            return "a long hexadecimal token", token
    return None


CREDENTIAL_HEADERS = re.compile(
    r"authorization|proxy-authorization|cookie|x-api-key|api-key|apikey|x-auth-token|.*-token|.*secret.*|.*password.*",
    re.I,
)
"""Header names that carry credentials: a spec may name them (``auth.header``) but never give them a value."""


_DATA_URI = re.compile(r"data:[a-z]+/[a-z0-9.+-]+(?:;[a-z0-9=.-]+)*,[^\s\"'<>)]*", re.I)


def shipped_text_secrets(units, vetted: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """``(kind, token)`` for every credential-like token in the text units of a shipped file.

    A unit is a line of the README or one string of the template or the XML
    files; embedded ``data:`` URIs (the template's icon, images in a logo) are
    not text and are skipped; a unit that says ``example`` is an illustration.
    ``vetted`` are texts the spec check already judged (the connector id, and the names the
    templates build from it): each is blanked first, so a name made of it and fixed words
    (``Definitions_Process_llama_3_70b_instruct``) is not taken for a random token.
    """
    longest_first = sorted(vetted, key=len, reverse=True)
    found = []
    for unit in units:
        unit = _DATA_URI.sub(" ", unit)
        for text in longest_first:
            unit = unit.replace(text, " ")
        hit = find_secret(unit)
        if hit:
            found.append(hit)
    return found


def looks_like_secret(text: str) -> str | None:
    """What kind of credential ``text`` seems to contain, or ``None``."""
    found = find_secret(text)
    return found[0] if found else None


def find_secrets(data, path: tuple = ()):
    """Yield ``(message, path, hint, token, is_key)`` for every key or string in ``data`` that looks like a credential."""
    if isinstance(data, dict):
        for key, value in data.items():
            found = find_secret(str(key))
            if found:
                yield (
                    f"this key looks like {found[0]}; secrets must not be written into specs",
                    path + (key,),
                    HINT,
                    found[1],
                    True,
                )
            yield from find_secrets(value, path + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from find_secrets(value, path + (index,))
    elif isinstance(data, str):
        found = find_secret(data)
        if found:
            yield f"this looks like {found[0]}; secrets must not be written into specs", path, HINT, found[1], False


_COMMENT = re.compile(r"(?:^|\s)#(.*)$")


def find_comment_secrets(text: str):
    """Yield ``(message, line, column, token)`` for credentials in YAML comments.

    Comments are committed with the spec even though they never reach an
    artifact.  A ``#`` counts as a comment start at the beginning of a line or
    after whitespace; a ``#`` inside a quoted value may be taken for one, which
    at worst reports a value the data scan reports too (the caller merges them).
    """
    for number, line in enumerate(text.splitlines(), 1):
        match = _COMMENT.search(line)
        if not match:
            continue
        found = find_secret(match.group(1))
        if found:
            column = line.index(found[1], match.start(1)) + 1
            yield f"this comment contains {found[0]}; secrets must not be written into specs", number, column, found[1]
