"""Issue #10, class 5 (the rest): bounded work after aliases and presets, and in a whole library build.

Counting values is not enough: a 1 KiB string aliased 20,000 times is 20
values' worth of nodes per list but 20 MB of text, and a connector and its
presets can each stay under every cap while the merged spec does not.  The
last test builds a library in which one connector of each bomb kind (spec and
logo) sits beside the good ones: every bomb is reported, the good ones are
rebuilt byte-identical, nothing crashes.
"""

from __future__ import annotations

import base64
import gzip
import io
import re
import struct
import zlib
from pathlib import Path

import pytest
from helpers import SAMPLE, line_col, snapshot, tree, write_spec
from PIL import Image

KIB = "x" * 1024

LAUGHING_TEXT = (
    "s: &s " + KIB + "\n"
    "l0: &l0 [*s, *s, *s, *s, *s, *s, *s, *s]\n"
    "l1: &l1 [*l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0]\n"
    "l2: &l2 [*l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1]\n"
)

ALIAS_BOMBS = {
    "1kib-string-20000-times": (
        SAMPLE.replace("tips:", "big: &big " + KIB + "\nmany: [" + ", ".join(["*big"] * 20_000) + "]\ntips:"),
        "big: &big",
    ),
    "nested-lists-of-text": (LAUGHING_TEXT + SAMPLE, "s: &s"),
    "aliased-mapping-keys": (
        SAMPLE.replace(
            "tips:",
            "k: &k " + "y" * 4000 + "\nmaps: [" + ", ".join(["{*k : 1}"] * 200) + "]\ntips:",
        ),
        "k: &k",
    ),
}


def assert_one_error(result, message: str, where: str) -> None:
    out = result.output
    assert result.exit_code == 1, out[-2000:]
    assert "Traceback" not in out and "internal error" not in out, out[-2000:]
    assert message in out, out[-2000:]
    assert re.search(rf"{re.escape(where)}(:[0-9]+)?: error: ", out), (where, out[-2000:])
    assert len(re.findall(r": error: ", out)) == 1, out[-3000:]


@pytest.mark.parametrize("case", sorted(ALIAS_BOMBS))
def test_the_bytes_aliases_expand_to_are_capped(project, cli, case):
    text, anchor = ALIAS_BOMBS[case]  # an alias is the anchored node met again: reported where it is defined
    write_spec(project, text)
    before = tree(project)
    result = cli(project, "build", "sample")
    line, _ = line_col(text, anchor)
    assert_one_error(result, "the document expands to more than 524,288 bytes of text", f"sample/connector.yaml:{line}")
    assert "remove YAML anchors/aliases that repeat long text" in result.output
    assert tree(project) == before


def test_long_text_without_aliases_is_still_bounded_by_the_file_size(project, cli):
    write_spec(project, SAMPLE.replace("tips:", "pad: " + "z" * 300_000 + "\ntips:"))
    result = cli(project, "build", "sample")
    assert result.exit_code == 1 and "the limit is 262,144" in result.output, result.output[-1000:]


def write_preset(project: Path, name: str, text: str) -> None:
    (project / "connectors" / "_presets" / f"{name}.yaml").write_text(text, "utf-8")


PRESET_BOMBS = {
    "values": (
        "pad_b: [" + ", ".join(["1"] * 15_000) + "]\n",
        "extends: bomb-b\npad_a: [" + ", ".join(["1"] * 15_000) + "]\n",
        "",
        "the spec merged with its presets has more than 20,000 values",
    ),
    "bytes": (
        "pad_b: " + "y" * 250_000 + "\n",
        "extends: bomb-b\npad_a: " + "z" * 250_000 + "\n",
        "pad_c: " + "w" * 100_000 + "\n",
        "the spec merged with its presets has more than 524,288 bytes of text",
    ),
    "key-bytes": (
        "".join(f"k{i:05d}{'q' * 240}: 1\n" for i in range(1000)),
        "extends: bomb-b\n" + "".join(f"j{i:05d}{'q' * 240}: 1\n" for i in range(1000)),
        "".join(f"h{i:05d}{'q' * 240}: 1\n" for i in range(300)),
        "the spec merged with its presets has more than 524,288 bytes of text",
    ),
}


@pytest.mark.parametrize("kind", sorted(PRESET_BOMBS))
def test_limits_apply_to_the_spec_merged_with_its_presets(project, cli, kind):
    """Each file is under every limit; together they are not (the preset chain is the bomb)."""
    preset_b, preset_a, extra, message = PRESET_BOMBS[kind]
    write_preset(project, "bomb-b", preset_b)
    write_preset(project, "bomb-a", preset_a)
    write_spec(project, "extends: bomb-a\n" + extra + SAMPLE)
    before = tree(project)
    result = cli(project, "build", "sample")
    assert_one_error(result, message, "sample/connector.yaml:1:10")
    assert "shorten the presets" in result.output
    assert tree(project) == before


def png_bomb() -> str:
    out = io.BytesIO()
    Image.new("RGB", (4000, 4000)).save(out, format="PNG")
    return base64.b64encode(out.getvalue()).decode()


LOGO = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">'
    '<rect width="64" height="64" fill="#123456"/><circle cx="32" cy="32" r="16" fill="#fff"/>{}</svg>'
)
USE_BOMB = "".join(
    f'<g id="b{i}">' + "".join(f'<use href="#b{i - 1}"/>' for _ in range(10)) + "</g>"
    if i
    else '<g id="b0"><rect/></g>'
    for i in range(8)
)
SPEC_BOMBS = {
    "huge-int": lambda s: s.replace("timeout_seconds: 60", "timeout_seconds: 1" + "0" * 5000),
    "huge-float": lambda s: s.replace("timeout_seconds: 60", "timeout_seconds: 1e400"),
    "huge-index": lambda s: s.replace("choices[0].message.content", "choices[" + "9" * 5000 + "].message.content"),
    "alias-bytes": lambda s: s.replace(
        "tips:", "big: &big " + KIB + "\nmany: [" + ", ".join(["*big"] * 20_000) + "]\ntips:"
    ),
    "alias-values": lambda s: LAUGHING_TEXT.replace(KIB, "a") + "l3: &l3 [*l2, *l2, *l2, *l2, *l2, *l2, *l2]\n" + s,
    "deep-yaml": lambda s: s + "deep: " + "[" * 5000 + "]" * 5000 + "\n",
}
LOGO_BOMBS = {
    "png-bomb": LOGO.format(f'<image href="data:image/png;base64,{png_bomb()}" width="8" height="8"/>').encode(),
    "svgz": gzip.compress(LOGO.format("").encode()),
    "nested-svg": LOGO.format(
        f'<image href="data:image/svg+xml;base64,{base64.b64encode(LOGO.format("").encode()).decode()}"/>'
    ).encode(),
    "use-bomb": LOGO.format(USE_BOMB).encode(),
    "css-import": LOGO.format(r"<style>@\69mport url(https://evil.example/a.css);</style>").encode(),
}


def test_one_bomb_of_each_kind_does_not_stop_the_good_connectors(project, cli):
    good = sorted(p.parent.name for p in (project / "connectors").glob("*/connector.yaml"))
    good_dist = {cid: snapshot(project / "dist" / cid) for cid in good}
    for kind, make in SPEC_BOMBS.items():
        write_spec(project, make(SAMPLE).replace("id: sample", f"id: bomb-{kind}"), f"bomb-{kind}")
    logo_spec = re.sub(r"logo:\n(  .*\n)+", "logo:\n  file: logo.svg\n", SAMPLE)
    for kind, svg in LOGO_BOMBS.items():
        write_spec(project, logo_spec.replace("id: sample", f"id: bomb-{kind}"), f"bomb-{kind}")
        (project / "connectors" / f"bomb-{kind}" / "logo.svg").write_bytes(svg)
    bombs = [f"bomb-{k}" for k in [*SPEC_BOMBS, *LOGO_BOMBS]]
    (project / "dist" / good[0] / "README.md").write_text("stale\n")  # one good connector has work to do
    result = cli(project, "build", "--force")
    out = result.output
    assert result.exit_code == 1, out[-3000:]
    assert "Traceback" not in out and "internal error" not in out, out[-3000:]
    for cid in bombs:
        assert re.search(rf"FAILED\s+{cid}\b", out), (cid, out[-3000:])
        assert f"connectors/{cid}/" in out, cid
        assert not (project / "dist" / cid).exists(), cid
    assert f"{len(bombs)} failed" in out, out[-3000:]
    for cid in good:
        assert snapshot(project / "dist" / cid) == good_dist[cid], cid  # rebuilt byte-identical to the committed dist


def _bitmap(fmt: str, size: tuple[int, int], frames: int = 1) -> str:
    out = io.BytesIO()
    pictures = [Image.new("RGB", size, (i, 0, 0)) for i in range(frames)]
    pictures[0].save(out, format=fmt, save_all=frames > 1, append_images=pictures[1:])
    return base64.b64encode(out.getvalue()).decode()


def _png_header(width: int, height: int) -> str:
    """A PNG that only declares its size (how a 60-byte file claims 2.5 billion pixels)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")
    return base64.b64encode(png).decode()


def _image(mime: str, data: str) -> bytes:
    return LOGO.format(f'<image href="data:{mime},{data}" width="8" height="8"/>').encode()


LOGO_CASES = {
    "png-pixel-bomb": (_image("image/png;base64", png_bomb()), "is 4000x4000 pixels; the limit is 262,144"),
    "png-header-bomb": (_image("image/png;base64", _png_header(50_000, 50_000)), "declares more than 262,144 pixels"),
    "gif-pixel-bomb": (_image("image/gif;base64", _bitmap("GIF", (1000, 1000))), "pixels"),
    "gif-frames-bomb": (
        _image("image/gif;base64", _bitmap("GIF", (200, 200), frames=8)),
        "200x200 pixels x 8 frames",
    ),
    "webp-pixel-bomb": (_image("image/webp;base64", _bitmap("WEBP", (1000, 1000))), "pixels"),
    "png-labelled-jpeg": (_image("image/jpeg;base64", _bitmap("PNG", (8, 8))), "is not a JPEG image"),
    "gzip-labelled-png": (
        _image("image/png;base64", base64.b64encode(gzip.compress(b"\0" * 100_000)).decode()),
        "is not a PNG image",
    ),
    "svg-labelled-png": (
        _image("image/png;base64", base64.b64encode(LOGO.format("").encode()).decode()),
        "is not a PNG image",
    ),
    "not-base64": (_image("image/png", "%89PNG"), "is not base64"),
    "broken-base64": (_image("image/png;base64", "iVBOR*w0KGgo"), "does not decode"),
    "svgz": (gzip.compress(LOGO.format("").encode()), "logo.svg"),
    "nested-svg": (
        _image("image/svg+xml;base64", base64.b64encode(LOGO.format("").encode()).decode()),
        "external reference",
    ),
}


@pytest.mark.parametrize("case", sorted(LOGO_CASES))
def test_nested_data_in_a_logo_is_bounded(project, cli, case):
    svg, message = LOGO_CASES[case]
    text = re.sub(r"logo:\n(  .*\n)+", "logo:\n  file: logo.svg\n", SAMPLE)
    write_spec(project, text)
    (project / "connectors" / "sample" / "logo.svg").write_bytes(svg)
    before = tree(project)
    result = cli(project, "build", "sample")
    line, _ = line_col(text, "  file: logo.svg")
    out = result.output
    assert result.exit_code == 1, out[-2000:]
    assert "Traceback" not in out and "internal error" not in out, out[-2000:]
    assert message in out, out[-2000:]
    assert re.search(rf"sample/connector.yaml:{line}:[0-9]+: error: ", out), out[-2000:]
    assert tree(project) == before


def test_a_small_embedded_bitmap_is_still_allowed(project, cli):
    text = re.sub(r"logo:\n(  .*\n)+", "logo:\n  file: logo.svg\n", SAMPLE)
    write_spec(project, text)
    (project / "connectors" / "sample" / "logo.svg").write_bytes(_image("image/png;base64", _bitmap("PNG", (64, 64))))
    result = cli(project, "build", "sample")
    assert result.exit_code == 0, result.output
