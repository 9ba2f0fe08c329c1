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
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from .errors import CatalystError, Problem
from .library import RELEASE_FOLDER

LOCK_TIMEOUT_SECONDS = 120


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


STATE_FILE_ERRORS = (OSError, ValueError)


def _refuse_link(path: Path, what: str) -> None:
    """Never write or delete through a symbolic link planted where the tool keeps its files."""
    if path.is_symlink():
        raise CatalystError(
            Problem(
                f"{path} ({what}) is a symbolic link; catalyst-gen does not write or delete through links",
                hint=f"delete the link ({path}); catalyst-gen creates the folder again where it belongs",
                code="CG520",
            )
        )


def write_state_file(path: Path, text: str | bytes) -> None:
    """Write ``path`` whole through a fresh temporary file that is never a link someone planted.

    A stale or planted ``<name>.tmp`` (a symlink to a file elsewhere, say) is
    removed, not written through: the new one is created with ``O_EXCL`` and
    ``O_NOFOLLOW``; the rename then replaces ``path`` itself, never a link's target.
    """
    _refuse_link(path.parent, "a folder catalyst-gen writes to")
    tmp = path.with_name(path.name + ".tmp")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(text.encode("utf-8") if isinstance(text, str) else text)
    os.replace(tmp, path)


@contextlib.contextmanager
def exclusive(state_dir: Path, timeout: float = LOCK_TIMEOUT_SECONDS) -> Iterator[None]:
    """Hold the library's write lock; refuse with a clear message after ``timeout``."""
    _refuse_link(state_dir, "the tool's state folder")
    state_dir.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(state_dir / "lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    except OSError as exc:
        raise CatalystError(
            Problem(
                f"cannot open the lock {state_dir / 'lock'}: {exc.strerror}",
                hint=f"delete {state_dir / 'lock'} if it is a link or not a file, and check that {state_dir} is writable",
                code="CG521",
            )
        ) from None
    with os.fdopen(fd, "r+") as handle:
        _wait_for_lock(handle, state_dir, timeout)
        try:
            recover(state_dir)
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _wait_for_lock(handle: IO[str], state_dir: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise CatalystError(
                    Problem(
                        f"another catalyst-gen is writing this library (lock {state_dir / 'lock'})",
                        hint="wait for it to finish and run the command again",
                        code="CG522",
                    )
                ) from None
            time.sleep(0.05)


JOURNAL = "journal.json"


def _bad_journal(journal: Path, why: str) -> CatalystError:
    return CatalystError(
        Problem(
            f"{journal} is not a journal catalyst-gen can trust: {why}; nothing was moved or deleted",
            hint=f"if no catalyst-gen is running, delete {journal} and the staging-*/old-* folders beside it, "
            "then run `catalyst-gen build --force`",
            code="CG523",
        )
    )


def _journal_entries(state_dir: Path) -> list[tuple[Path, Path, Path]]:
    """The swap a killed writer left, checked: every path is where this tool puts such folders.

    A journal is input like any other file in the checkout: one that names a
    path outside ``dist/`` and the state folder (absolute elsewhere, ``..``, a
    link) is refused before anything is renamed or deleted.
    """
    journal = state_dir / JOURNAL
    try:
        raw = json.loads(read_state_file(journal))
    except STATE_FILE_ERRORS as exc:
        raise _bad_journal(journal, f"it cannot be read ({exc})") from None
    if not isinstance(raw, list):
        raise _bad_journal(journal, "it is not a list of swaps")
    dist_dir = state_dir.parent / "dist"
    entries = []
    for entry in raw:
        paths = [entry.get(key) if isinstance(entry, dict) else None for key in ("staged", "target", "old")]
        if not all(isinstance(p, str) for p in paths):
            raise _bad_journal(journal, "an entry is not three paths")
        staged, target, old = (Path(p) for p in paths)  # type: ignore[arg-type]
        if not _is_swap(staged, target, old, state_dir, dist_dir):
            shown = json.dumps(entry)[:200]
            raise _bad_journal(journal, f"an entry names a path outside dist/ and {state_dir.name}/: {shown}")
        entries.append((staged, target, old))
    return entries


def _is_swap(staged: Path, target: Path, old: Path, state_dir: Path, dist_dir: Path) -> bool:
    from .grammar import is_connector_id

    cid = target.name
    return (
        (cid == RELEASE_FOLDER or is_connector_id(cid))
        and target.parent == dist_dir
        and staged.name == cid
        and staged.parent.parent == state_dir
        and staged.parent.name.startswith("staging-")
        and old.name == cid
        and old.parent.parent == state_dir
        and old.parent.name.startswith("old-")
        and not any(p.is_symlink() for p in (dist_dir, target, staged.parent, staged, old.parent))
    )


def read_state_file(path: Path, limit: int = 1 << 20) -> str:
    """A state file's text: a regular file (not a link, FIFO or device), at most ``limit`` bytes."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise ValueError("not a regular file")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"larger than {limit} bytes")
    return data.decode("utf-8")


def recover(state_dir: Path) -> None:
    """Finish a swap that a killed process left half-done, then clear leftovers.

    The journal lives in the state folder, which sits beside ``dist/`` at the
    library root (``Project.state_dir``); only folders there are ever moved.
    """
    journal = state_dir / JOURNAL
    if journal.exists() or journal.is_symlink():
        for staged, target, old in _journal_entries(state_dir):
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
        shutil.rmtree(leftover, ignore_errors=True)  # rmtree refuses links: a planted one is left alone
    for leftover in state_dir.glob("old-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def read_tree(folder: Path) -> dict[str, bytes]:
    """Files directly inside ``folder`` (artifact folders are flat).

    ``dist/`` holds generated files only: a link there (to a credentials file,
    say) is refused rather than read, so ``check`` never prints what it points at.
    """
    if not folder.is_dir():
        return {}
    _refuse_link(folder, "a folder of generated artifacts")
    files = {}
    for entry in sorted(folder.iterdir()):
        _refuse_link(entry, "a generated artifact")
        if entry.is_file():
            files[entry.name] = entry.read_bytes()
    return files


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
            raise CatalystError(
                Problem(f"refusing to write {cid!r} into {dist_dir}: not a connector id or file name", code="CG524")
            )
    _refuse_link(dist_dir, "the artifacts folder")
    for cid in outputs:
        _refuse_link(dist_dir / cid, f"the folder of {cid}")
    changed = {cid: files for cid, files in outputs.items() if read_tree(dist_dir / cid) != files}
    if not changed:
        return []
    token = f"{os.getpid()}-{time.monotonic_ns()}"
    staging = state_dir / f"staging-{token}"
    old = state_dir / f"old-{token}"
    try:
        for cid, files in changed.items():
            folder = staging / cid
            folder.mkdir(parents=True)
            for name, data in files.items():
                (folder / name).write_bytes(data)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)  # a full disk or a read-only checkout: leave nothing half-written
        raise
    # One flush of everything staged before the journal makes it visible (a
    # kill needs no flush at all; this is for power loss), instead of an
    # fsync per file, which dominated large builds.
    os.sync()
    dist_dir.mkdir(parents=True, exist_ok=True)
    journal = state_dir / JOURNAL
    entries = [{"staged": str(staging / cid), "target": str(dist_dir / cid), "old": str(old / cid)} for cid in changed]
    write_state_file(journal, json.dumps(entries))
    recover(state_dir)  # performs the swap from the journal: one code path for normal and killed runs
    _fsync_dir(dist_dir)
    return sorted(changed)
