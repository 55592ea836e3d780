"""Reading rule files from disk safely: regular files only, within a size, as UTF-8 text."""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path

from leadflow.rules._syntax.parser import error_at, normalize, position

__all__ = ("checked_text", "decode_error", "position", "read_bytes", "stamp")

_SURROGATE = re.compile("[\ud800-\udfff]")


def read_bytes(path: Path, limit: int) -> tuple[bytes, os.stat_result]:
    """At most ``limit + 1`` bytes of the regular file ``path``, and its status.

    Opening does not block (a named pipe would wait for a writer forever), and devices,
    pipes and folders are refused before anything is read.

    Raises:
        OSError: the file cannot be opened or read, or is not a regular file.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags)
    try:
        status = os.fstat(descriptor)
        if stat.S_ISDIR(status.st_mode):
            raise OSError(errno.EISDIR, "it is a folder, not a file")
        if not stat.S_ISREG(status.st_mode):
            raise OSError(errno.EINVAL, "it is not a regular file (a pipe, device or socket)")
        with os.fdopen(descriptor, "rb", closefd=False) as file:
            return file.read(limit + 1), status
    finally:
        os.close(descriptor)


def stamp(status: os.stat_result) -> tuple[int, int, int]:
    """What tells a file changed: modification time, status-change time (which a write sets
    even when the modification time is put back) and size."""
    return status.st_mtime_ns, status.st_ctime_ns, status.st_size


def decode_error(data: bytes, error: UnicodeDecodeError) -> str:
    """Where in ``data`` the bytes that are not UTF-8 start, in words."""
    prefix = data[: error.start].decode("utf-8", "replace")
    line, column = position(prefix, len(prefix))
    return f"it is not UTF-8 text (line {line}, column {column} of that file)"


def checked_text(text: str, source: str, max_bytes: int) -> str:
    """``text`` normalized (see :func:`~leadflow.rules._syntax.parser.normalize`) if it may be parsed.

    Raises:
        RuleSyntaxError: the text holds a lone surrogate or is larger than ``max_bytes``.
    """
    text = normalize(text)
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as error:
        line, column = position(text, error.start)
        code = ord(text[error.start])
        shown = _SURROGATE.sub("\ufffd", text)
        raise error_at(
            shown,
            source,
            line,
            column,
            f"not valid text: U+{code:04X} is half of a UTF-16 surrogate pair, not a character",
        ) from None
    if size > max_bytes:
        raise error_at(
            text, source, 1, 1, f"the file has {size:,} bytes; the limit is {max_bytes:,}"
        )
    return text
