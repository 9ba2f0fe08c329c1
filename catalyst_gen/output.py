"""Stage 6: write checked artifacts into ``dist/`` all-or-nothing.

Each connector's new folder is written completely into a staging area beside
``dist/`` (same file system), then swapped in by renaming folders.  Until the
swap, ``dist/`` is untouched: a failed or killed build leaves it exactly as
it was.  The swap itself is a few renames recorded in a journal first, so a
process killed in the middle of it is rolled forward by the next command.

An exclusive lock (``.catalyst-gen/lock``) serialises writers: a second build
of the same tree waits for the first and then writes its own complete result.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from .errors import CatalystError, Problem
from .library import RELEASE_FOLDER

LOCK_TIMEOUT_SECONDS = 120


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def exclusive(state_dir: Path, timeout: float = LOCK_TIMEOUT_SECONDS) -> Iterator[None]:
    """Hold the library's write lock; refuse with a clear message after ``timeout``."""
    state_dir.mkdir(parents=True, exist_ok=True)
    with open(state_dir / "lock", "a+") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise CatalystError(
                        Problem(
                            f"another catalyst-gen is writing this library (lock {state_dir / 'lock'})",
                            hint="wait for it to finish and run the command again",
                        )
                    ) from None
                time.sleep(0.05)
        try:
            recover(state_dir)
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def recover(state_dir: Path) -> None:
    """Finish a swap that a killed process left half-done, then clear leftovers."""
    journal = state_dir / "journal.json"
    if journal.is_file():
        try:
            entries = json.loads(journal.read_text("utf-8"))
        except (OSError, ValueError):
            entries = []
        for entry in entries:
            staged, target, old = (Path(entry[k]) for k in ("staged", "target", "old"))
            if staged.exists():
                if target.exists() and not old.exists():
                    old.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(target, old)
                elif target.exists():
                    shutil.rmtree(target)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(staged, target)
        journal.unlink()
    for leftover in state_dir.glob("staging-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in state_dir.glob("old-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def read_tree(folder: Path) -> dict[str, bytes]:
    """Files directly inside ``folder`` (artifact folders are flat)."""
    if not folder.is_dir():
        return {}
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def write_connectors(dist_dir: Path, state_dir: Path, outputs: dict[str, dict[str, bytes]]) -> list[str]:
    """Replace ``dist/<id>/`` with ``outputs[id]`` for every id, all or nothing.

    Returns the ids whose folder changed (unchanged folders are not touched).
    """
    if not outputs:
        return []
    from .grammar import is_connector_id  # the one id rule (loaded only when there is something to write)

    for cid, files in outputs.items():
        names_ok = all(name and "/" not in name and name not in (".", "..") for name in files)
        if not (cid == RELEASE_FOLDER or is_connector_id(cid)) or not names_ok:
            raise CatalystError(Problem(f"refusing to write {cid!r} into {dist_dir}: not a connector id or file name"))
    changed = {cid: files for cid, files in outputs.items() if read_tree(dist_dir / cid) != files}
    if not changed:
        return []
    token = f"{os.getpid()}-{time.monotonic_ns()}"
    staging = state_dir / f"staging-{token}"
    old = state_dir / f"old-{token}"
    for cid, files in changed.items():
        folder = staging / cid
        folder.mkdir(parents=True)
        for name, data in files.items():
            (folder / name).write_bytes(data)
    # One flush of everything staged before the journal makes it visible (a
    # kill needs no flush at all; this is for power loss), instead of an
    # fsync per file, which dominated large builds.
    os.sync()
    dist_dir.mkdir(parents=True, exist_ok=True)
    journal = state_dir / "journal.json"
    entries = [{"staged": str(staging / cid), "target": str(dist_dir / cid), "old": str(old / cid)} for cid in changed]
    tmp = journal.with_suffix(".tmp")
    tmp.write_text(json.dumps(entries), "utf-8")
    os.replace(tmp, journal)
    recover(state_dir)  # performs the swap from the journal: one code path for normal and killed runs
    _fsync_dir(dist_dir)
    return sorted(changed)
