"""Storing an uploaded file on disk with a size cap, for every upload the app keeps (imports, lists)."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from salesos.errors import PayloadTooLarge

COPY_CHUNK = 1024 * 1024
# The multipart envelope around an uploaded file: boundaries, part headers, the form's other fields.
ENVELOPE_BYTES = 64 * 1024


def store_capped(source: BinaryIO, target: Path, max_bytes: int, too_large: PayloadTooLarge) -> None:
    """Copy *source* to *target* in chunks; past *max_bytes*, delete the partial file, raise *too_large*."""
    target.parent.mkdir(parents=True, exist_ok=True)
    size = 0
    with target.open("wb") as out:
        while chunk := source.read(COPY_CHUNK):
            size += len(chunk)
            if size > max_bytes:
                out.close()
                target.unlink(missing_ok=True)
                raise too_large
            out.write(chunk)
