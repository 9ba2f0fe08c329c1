"""The benchmark's synthetic library (``bench/synth.py``) is a valid library of today's spec format.

The benchmark is not part of the test suite (speed is never timed here), but the connectors it
generates are varied from the real specs: when the spec format or those specs change, this test
says so instead of the next person who runs ``bench/bench.py``."""

from __future__ import annotations

import sys

from helpers import REPO

sys.path.insert(0, str(REPO / "bench"))
import synth  # noqa: E402


def test_every_kind_of_synthetic_connector_builds(tmp_path, cli):
    generated = synth.generate_library(tmp_path, 40, seed=1)
    assert {"preset", "standalone", "none"} <= set(generated["kinds"]), generated["kinds"]
    result = cli(tmp_path, "build", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert "40 connectors: 40 written, 0 unchanged, 0 failed" in result.output
