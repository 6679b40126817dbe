"""The audit's working directory: ``<parent>/.<name>.partial`` while it runs, renamed to
``<name>`` when the audit completes.

Nothing finished is ever deleted by a failure: an interrupted (Ctrl-C, SIGTERM), killed or
failed audit leaves the directory with each side's finished run and checkpoints, and
``--resume`` continues it (the settings it was started with, ``audit.json``, must match). An
exclusive lock (``flock`` on ``.<name>.lock``) keeps a second audit off the same output while
one runs; the message names the running audit's pid.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path
from typing import Any

from parity.contract import check_output_dir
from parity.errors import ParityError

__all__ = ["WorkDirError", "ResumeError", "ResumableDir", "check_output_path"]


class WorkDirError(ParityError):
    """The output path cannot be used (exists, is a file, is locked by a running audit...)."""


class ResumeError(WorkDirError):
    """An interrupted audit that these options cannot continue."""


def check_output_path(target: Path) -> Path:
    """The absolute report directory, or WorkDirError: it must be a new name (or an empty
    directory, not a symlink) in an existing, writable directory."""
    if target.name in ("", ".", ".."):
        raise WorkDirError(f"--out {target}: expected a new directory name, such as reports/run1")
    target = Path(os.path.abspath(target))
    parent = target.parent
    if parent.is_dir() and not os.access(parent, os.W_OK | os.X_OK):
        raise WorkDirError(f"--out {target}: cannot write in {parent} (permission denied or "
                           "read-only file system)")
    if target.is_symlink():
        raise WorkDirError(f"--out {target}: is a symbolic link; expected a new directory name")
    try:  # the contract's rule for an output directory, the one on the Python side
        check_output_dir(target)
    except (FileNotFoundError, FileExistsError) as exc:
        raise WorkDirError(f"--out {exc}") from None
    return target


class ResumableDir:
    SETTINGS_FILE = "audit.json"

    def __init__(self, target: str | Path, identity: dict[str, Any], *, resume: bool):
        self.target = check_output_path(Path(target))
        self.path = self.target.parent / f".{self.target.name}.partial"
        self.lock_path = self.target.parent / f".{self.target.name}.lock"
        self.identity = identity
        self.resume = resume
        self.resumed = False
        #: set when the audit ends without its full result (a side failed): the directory stays
        #: ``.partial``, resumable, instead of being renamed to the report directory
        self.keep_partial = False
        self._lock_fd: int | None = None

    def _lock(self) -> None:
        try:
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise WorkDirError(f"--out {self.target}: cannot write in {self.target.parent} "
                               f"({exc.strerror or exc})") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise WorkDirError(f"--out {self.target}: another audit (pid {holder}) is writing it; "
                               "wait for it to finish, or choose another --out") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._lock_fd = fd

    def _unlock(self) -> None:
        if self._lock_fd is not None:
            self.lock_path.unlink(missing_ok=True)  # (unlinked while held: no one else can take it)
            os.close(self._lock_fd)
            self._lock_fd = None

    def __enter__(self) -> Path:
        self._lock()
        try:
            if self.path.is_dir():
                if not self.resume:
                    raise WorkDirError(
                        f"{self.path} holds an interrupted audit for {self.target}: continue it "
                        "with --resume, or delete it to start again")
                try:
                    got = json.loads((self.path / self.SETTINGS_FILE).read_text())
                except (OSError, ValueError) as exc:
                    raise ResumeError(f"--resume: {self.path / self.SETTINGS_FILE} cannot be read "
                                      f"({exc}); delete {self.path} to start again") from None
                if got != self.identity:  # threads included: they can change the last bits
                    raise ResumeError(f"--resume: the interrupted audit in {self.path} ran {got}; "
                                      f"these options ask for {self.identity}")
                self.resumed = True
            else:
                try:
                    self.path.mkdir()
                    tmp = self.path / f".{self.SETTINGS_FILE}.tmp"
                    tmp.write_text(json.dumps(self.identity, indent=2) + "\n")
                    os.replace(tmp, self.path / self.SETTINGS_FILE)
                except OSError as exc:
                    raise WorkDirError(f"--out {self.target}: cannot create {self.path} "
                                       f"({exc.strerror or exc})") from None
        except BaseException:
            self._unlock()
            raise
        return self.path

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None and not self.keep_partial:
                (self.path / self.SETTINGS_FILE).unlink(missing_ok=True)
                if self.target.exists():
                    self.target.rmdir()  # empty: checked on entry
                os.replace(self.path, self.target)
        finally:
            self._unlock()
        return False  # on any failure the work directory stays, for --resume
