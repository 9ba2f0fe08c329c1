"""How wide text is in Arial, and how bpmn-js breaks a label into lines.

Both the layout (which writes label bounds into the example's BPMNDI) and the
picture (which draws those labels) need the same two answers, so they live
here, once:

* :func:`text_width` measures with a table of Arial advance widths (Liberation
  Sans, the font Linux browsers substitute, has the same metrics), not with a
  font file, so a build never depends on the fonts installed where it runs.
* :func:`bpmnjs_lines` is diagram-js's own line breaker (``lib/util/Text.js``,
  ``layoutNext``/``shortenLine``/``semanticShorten``), which bpmn-js uses to
  draw every label: it breaks at spaces and hyphens, and cuts a word in the
  middle only when the word alone is wider than the label box.
* :func:`external_label` sizes an event's external label the way bpmn-js's
  ``TextRenderer.getExternalLabelBounds`` does (text laid out in a box 90px
  wide, 11px Arial, line height 1.2), except that a word wider than 90px gets a
  box as wide as itself: bpmn-js (since v17) wraps an imported label at its DI
  width, so a box the word fits in is never cut mid-word.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

TASK_FONT_SIZE = 12  # bpmn-js default label size (task names)
LABEL_FONT_SIZE = 11  # bpmn-js external labels (events, gateways, flows) are one pixel smaller
LINE_HEIGHT = 1.2  # bpmn-js line height, in ems
EXTERNAL_LABEL_WIDTH = 90  # bpmn-js lays a new external label out in a box this wide
# Browsers measure with hinting and shaping we do not reproduce; a label box
# this much wider than the measured text keeps a word that fits on paper from
# being cut on screen by a rounding difference.
LABEL_SLACK = 2

# Advance widths of Arial (= Helvetica, Liberation Sans) for U+0020..U+007E, in 1/1000 em (Adobe AFM).
_ASCII_WIDTHS = (
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
)  # fmt: skip


def char_width(ch: str) -> float:
    """Advance width of one character, in ems.

    ASCII comes from the Arial metrics; wide East Asian characters and emoji
    count as a full em; combining marks as nothing; anything else (Latin-1,
    Hebrew, Cyrillic, ...) as an average Arial letter.
    """
    code = ord(ch)
    if 0x20 <= code <= 0x7E:
        return _ASCII_WIDTHS[code - 0x20] / 1000
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0.0
    if unicodedata.east_asian_width(ch) in ("W", "F") or code >= 0x1F000:
        return 1.0
    return 0.556


def text_width(text: str, font_size: float) -> float:
    """Width of ``text`` in pixels when drawn in Arial at ``font_size`` px."""
    return sum(char_width(ch) for ch in text) * font_size


# ------------------------------------------------------------- greedy word wrap


def _split_word(word: str, max_width: float, font_size: float) -> list[str]:
    """Break a word that is wider than ``max_width`` into pieces that fit."""
    pieces, current = [], ""
    for ch in word:
        if current and text_width(current + ch, font_size) > max_width:
            pieces.append(current)
            current = ch
        else:
            current += ch
    return pieces + [current] if current else pieces


def wrap_text(text: str, max_width: float, font_size: float) -> list[str]:
    """Greedy word wrap: fill each line with as many words as fit, splitting words wider than a line.

    What the picture uses inside task boxes, which a name must never spill out
    of (the picture also cuts lines that do not fit).  Whitespace runs collapse
    to single spaces (SVG would collapse them anyway).
    """
    lines: list[str] = []
    current = ""
    for word in text.split():
        for piece in _split_word(word, max_width, font_size):
            candidate = f"{current} {piece}" if current else piece
            if current and text_width(candidate, font_size) > max_width:
                lines.append(current)
                current = piece
            else:
                current = candidate
    if current:
        lines.append(current)
    return lines


# ------------------------------------------------------------ bpmn-js line breaks

_BREAKS = re.compile(r"(\s|-|\u00ad)")


def _semantic_shorten(line: str, max_length: float) -> str:
    """The longest prefix of whole parts (split at spaces and hyphens) shorter than ``max_length`` characters.

    Like diagram-js, the scan stops at the first empty part (two break
    characters in a row), and returns "" when the line has no break at all.
    """
    parts = _BREAKS.split(line)
    kept: list[str] = []
    length = 0
    for part in parts if len(parts) > 1 else ():
        if not part:
            break
        if len(part) + length >= max_length:
            if part in ("-", "\u00ad") and kept:
                kept.pop()  # a hyphen that does not fit takes the part before it along
            break
        kept.append(part)
        length += len(part)
    if kept and kept[-1] == "\u00ad":
        kept[-1] = "-"
    return "".join(kept)


def _next_line(line: str, max_width: float, font_size: float) -> str:
    """The part of ``line`` diagram-js puts on the current line (``layoutNext``)."""
    fit = line
    while True:
        width = text_width(re.sub(r"\s+$", "", fit), font_size) if fit else 0.0
        if fit in (" ", "") or width <= max_width or len(fit) < 2:
            return fit
        # shortenLine: guess a length in proportion, then prefer a break at a space or hyphen
        length = max(len(fit) * (max_width / width), 1)
        fit = _semantic_shorten(fit, length) or fit[: max(round_half_up(length - 1), 1)]


def round_half_up(value: float) -> int:
    """JavaScript's ``Math.round`` (halves go up, unlike Python's ``round``)."""
    return math.floor(value + 0.5)


def bpmnjs_lines(text: str, max_width: float, font_size: float = LABEL_FONT_SIZE) -> list[str]:
    """The lines bpmn-js draws for ``text`` in a box ``max_width`` px wide."""
    pending = re.split(r"\u00ad?\r?\n", text)
    lines: list[str] = []
    while pending:
        original = pending.pop(0)
        fit = _next_line(original, max_width, font_size)
        if len(fit) < len(original):
            pending.insert(0, original[len(fit) :].strip())
        lines.append(fit)
    return lines


# ------------------------------------------------------------ external labels


@dataclass(frozen=True)
class LabelSize:
    """An external label's box as bpmn-js will draw it: whole pixels, and the lines inside."""

    width: int
    height: int
    lines: tuple[str, ...]


def external_label(text: str) -> LabelSize:
    """The box of an event's label: as wide as its widest line, never so narrow that a word is cut.

    The text is laid out like bpmn-js lays out a new label (90px box), or in a
    box as wide as its widest word when that is wider.  The box is then
    narrowed to the widest line (plus :data:`LABEL_SLACK`), unless narrowing
    would make bpmn-js break the lines differently.
    """
    widest_word = max((text_width(word, LABEL_FONT_SIZE) for word in text.split()), default=0.0)
    box = max(EXTERNAL_LABEL_WIDTH, math.ceil(widest_word) + LABEL_SLACK)
    lines = bpmnjs_lines(text, box)
    widest_line = max((text_width(line, LABEL_FONT_SIZE) for line in lines), default=0.0)
    width = min(box, math.ceil(widest_line) + LABEL_SLACK)
    if bpmnjs_lines(text, width) != lines:
        width = box
    height = math.ceil(len(lines) * LABEL_FONT_SIZE * LINE_HEIGHT)
    return LabelSize(width, height, tuple(lines))
