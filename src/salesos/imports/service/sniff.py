"""How an uploaded CSV is written: its encoding and delimiter, read from the bytes, and a record reader."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from pathlib import Path

SAMPLE_BYTES = 64 * 1024
CHUNK_BYTES = 1024 * 1024
DELIMITERS = ",;\t|"
# Quoted fields may legitimately hold long notes; the csv module's default cap is 128 KiB.
csv.field_size_limit(10 * 1024 * 1024)


def sniff_encoding(path: Path) -> str:
    """utf-8-sig / utf-16 when a BOM says so, utf-8 when the whole file decodes as such, else latin-1."""
    with path.open("rb") as handle:
        head = handle.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        handle.seek(0)
        # The whole file, not a sample: one é near the end would otherwise break the import late.
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := handle.read(CHUNK_BYTES):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            # Latin-1 decodes any byte, so it is the last resort that never fails.
            return "latin-1"
    return "utf-8"


def sniff_delimiter(path: Path, encoding: str) -> str:
    """The delimiter csv.Sniffer finds in the first 64 KiB (whole lines only), or ','."""
    with path.open(encoding=encoding, newline="") as handle:
        sample = handle.read(SAMPLE_BYTES)
    if len(sample) == SAMPLE_BYTES and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        return ","


def records(path: Path, encoding: str, delimiter: str) -> Iterator[list[str]]:
    """Every record after the header, as lists of cells (quoted newlines stay inside their cell)."""
    with path.open(encoding=encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        next(reader, None)
        yield from reader


def header(path: Path, encoding: str, delimiter: str) -> list[str]:
    """The first record: the column names."""
    with path.open(encoding=encoding, newline="") as handle:
        first = next(csv.reader(handle, delimiter=delimiter), [])
    return [cell.strip() for cell in first]


def count_records(path: Path, encoding: str, delimiter: str) -> int:
    """How many records follow the header (not lines: a quoted cell may span several)."""
    return sum(1 for _ in records(path, encoding, delimiter))
