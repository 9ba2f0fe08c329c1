"""``build --watch``: rebuild on save, the same located errors as ``build``, Ctrl-C ends it cleanly.

The watch runs as a real process over every connector of a temporary
library: editing one spec rebuilds that connector only (the cache decides),
breaking it prints the located problem and keeps ``dist/`` as it was, fixing
it rebuilds, and SIGINT ends the watch with exit 0 and one line.
"""

from __future__ import annotations

import re
from pathlib import Path

from helpers import LiveProcess, snapshot

WATCHING = r"^watching connectors/, templates/ for changes \(Ctrl-C to stop\)$"


def _set_tagline(spec: Path, tagline: str) -> None:
    text = spec.read_text(encoding="utf-8")
    new, count = re.subn(r"^tagline: .*$", f"tagline: {tagline}", text, count=1, flags=re.MULTILINE)
    assert count == 1
    spec.write_text(new, encoding="utf-8")


def test_watch_rebuilds_what_changed_reports_errors_and_stops_on_ctrl_c(project: Path):
    spec = project / "connectors" / "together-ai" / "connector.yaml"
    readme = project / "dist" / "together-ai" / "README.md"
    count = len([p for p in (project / "connectors").iterdir() if (p / "connector.yaml").is_file()])

    with LiveProcess("build", "--watch", cwd=project) as watch:
        watch.wait_for(rf"^{count} connectors: 0 written, {count} unchanged, 0 failed$", timeout=90)
        watch.wait_for(WATCHING)

        mark = watch.mark()
        _set_tagline(spec, "Watched and rebuilt on save")
        watch.wait_for(rf"^{count} connectors: 1 written, {count - 1} unchanged, 0 failed$", after=mark)
        assert re.search(r"^built\s+together-ai$", watch.output, re.MULTILINE)
        assert "Watched and rebuilt on save" in readme.read_text(encoding="utf-8")
        watch.wait_for(WATCHING, after=mark)

        mark = watch.mark()
        before = snapshot(project / "dist")
        _set_tagline(spec, "[unclosed")
        error = watch.wait_for(r"^connectors/together-ai/connector\.yaml:(\d+):(\d+): error: .+$", after=mark)
        watch.wait_for(r"^  hint: .+", after=mark)
        watch.wait_for(r"^catalyst-gen: 1 problem found$", after=mark)
        watch.wait_for(rf"^{count} connectors: 0 written, {count - 1} unchanged, 1 failed$", after=mark)
        assert int(error.group(1)) >= 1 and int(error.group(2)) >= 1
        watch.wait_for(WATCHING, after=mark)
        assert snapshot(project / "dist") == before, "a failed rebuild left dist/ as it was"

        mark = watch.mark()
        _set_tagline(spec, "Fixed and back again")
        watch.wait_for(rf"^{count} connectors: 1 written, {count - 1} unchanged, 0 failed$", after=mark)
        assert "Fixed and back again" in readme.read_text(encoding="utf-8")
        watch.wait_for(WATCHING, after=mark)

        mark = watch.mark()
        assert watch.stop() == 0
        assert watch.lines[mark:] == ["stopped watching after 4 builds"], watch.output
        assert "Traceback" not in watch.output
