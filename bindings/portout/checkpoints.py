"""Audit checkpoints kept outside the store: files in a folder the database writer cannot reach.

Each file holds one signed checkpoint document (see ``Store.audit_checkpoint``). Reading checks
only a document's form; its signature and its agreement with the chain are the store's to judge.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from portout._core import AuditCheckpoint, parse_audit_checkpoint
from portout.errors import (InvalidArgumentError, ObjectNotFoundError, PortOutError,
                            ResourceExistsError, ResourceUnavailableError)
from portout.store import Store

GLOB = "portout-checkpoint-*.json"
MAX_BYTES = 64 * 1024


def _mode(path: Path) -> int:
    """The file type bits of what `path` names; 0 when it names nothing that can be looked at."""
    try:
        return stat.S_IFMT(os.stat(path).st_mode)
    except (OSError, ValueError):
        return 0


def files(paths: list[str]) -> list[Path]:
    """Each file named, and every portout-checkpoint-*.json of each folder named, in order."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        mode = _mode(path)
        if mode == stat.S_IFDIR:
            found = sorted(f for f in path.glob(GLOB) if _mode(f) == stat.S_IFREG)
            if not found:
                raise ObjectNotFoundError(f"The folder {path} holds no {GLOB} file.",
                                          error_id="CheckpointNotFound", target=str(path))
            out.extend(found)
        elif mode == stat.S_IFREG:
            out.append(path)
        else:
            raise ObjectNotFoundError(f"No checkpoint file or folder {path}.",
                                      error_id="CheckpointNotFound", target=str(path))
    return out


def read(path: Path) -> str:
    """A checkpoint document, read and checked for its form (its signature is the store's to judge)."""
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise ResourceUnavailableError(f"The checkpoint {path} cannot be read: {e.strerror}.",
                                       error_id="CheckpointUnreadable", target=str(path)) from None
    try:
        if len(data) > MAX_BYTES:
            raise UnicodeError
        text = data.decode("utf-8")
    except UnicodeError:
        raise InvalidArgumentError(f"The file {path} is not a portout audit checkpoint.",
                                   error_id="CheckpointMalformed", target=str(path)) from None
    try:
        parse_audit_checkpoint(text)
    except PortOutError as e:
        raise InvalidArgumentError(f"{path}: {e.message}", error_id=e.error_id,
                                   target=str(path)) from None
    return text


def _unwritable(folder: Path, error: OSError) -> ResourceUnavailableError:
    return ResourceUnavailableError(f"The checkpoint cannot be written to {folder}: {error.strerror}.",
                                    error_id="CheckpointFolderUnwritable", target=str(folder))


def save(store: Store, folder: Path) -> AuditCheckpoint:
    """Take a checkpoint of the store's chain and write it into `folder`, never over another file.

    The folder is proven writable (the file that will hold the checkpoint is made) before the
    store records the checkpoint, so a folder that cannot take it leaves the store unchanged.
    """
    if _mode(folder) != stat.S_IFDIR:
        raise ObjectNotFoundError(f"The folder {folder} does not exist.",
                                  error_id="CheckpointFolderNotFound", target=str(folder))
    # Written whole to a file of its own, then linked under its name: never over another file,
    # and never seen half written.
    temp = folder / f".portout-checkpoint-{os.getpid()}-{secrets.token_hex(8)}.tmp"
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
    except OSError as e:
        raise _unwritable(folder, e) from None
    try:
        try:
            checkpoint = store.audit_checkpoint()
            name = folder / f"portout-checkpoint-{checkpoint.store_id}-{checkpoint.event_id}.json"
            data = checkpoint.document.encode("utf-8")
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(temp, name)
        except FileExistsError:
            with open(name, "rb") as f:
                same = f.read(MAX_BYTES + 1) == data
            if not same:
                raise ResourceExistsError(
                    f"The file {name} exists and holds another checkpoint: it is left as it is. "
                    "Another history at the same event is itself a sign of a store put back to an "
                    "older copy; run Test-PortOutAuditLog -Checkpoint on that folder.",
                    error_id="CheckpointFileExists", target=str(name)) from None
        dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except PortOutError:
        raise  # the store's own refusals (some are OSErrors too: AccessDenied is a PermissionError)
    except OSError as e:
        raise _unwritable(folder, e) from None
    finally:
        try:
            os.unlink(temp)
        except OSError:
            pass
    return checkpoint
