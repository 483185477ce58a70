"""How an uploaded CSV is written: its encoding and delimiter, read from the bytes, and a record reader.

Files that are not text at all (a workbook, a picture) are refused here, before anything reads them
as rows: a PNG would otherwise be "299 rows" with a header of ``\\x89PNG``.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from pathlib import Path
from typing import IO

SAMPLE_BYTES = 64 * 1024
CHUNK_BYTES = 1024 * 1024
# What the binary check reads: enough for a few rows, little enough for any upload.
HEAD_BYTES = 8 * 1024
DELIMITERS = ",;\t|"
# Quoted fields may legitimately hold long notes; the csv module's default cap is 128 KiB.
csv.field_size_limit(10 * 1024 * 1024)

# Windows-1252 (Excel's "CSV" on Windows) leaves five bytes undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D):
# those alone are read as Latin-1, so a file in it never fails half-way through.
CP1252 = "cp1252"
_CP1252_ERRORS = "salesos.latin1-fallback"

# How the mapping screen and the CLI name an encoding.
ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 (BOM)",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16 LE",
    "utf-16-be": "UTF-16 BE",
    CP1252: "Windows-1252",
    "latin-1": "Latin-1",
}

# A spreadsheet uploaded instead of its CSV export: its first bytes, a name inside it (b"": none needed),
# and what to tell the person. Checked before the generic binary test, which would say less.
_SAVE_FROM_EXCEL = "in Excel, choose File → Save As → “CSV UTF-8”"
WORKBOOKS = (
    (b"PK\x03\x04", b"xl/", "an Excel workbook", _SAVE_FROM_EXCEL),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"", "an Excel workbook", _SAVE_FROM_EXCEL),
    (b"PK\x03\x04", b"opendocument.spreadsheet", "an OpenDocument spreadsheet", "save it as “Text CSV”"),
)
NOT_TEXT = "This is not a CSV file (it looks like binary data). Export the sheet as CSV and upload that."
# Control characters a text file holds only by accident: not tab, line feed, CR, form feed, nor vertical
# tab (FileMaker's line break inside a field).
_CONTROLS = frozenset(chr(c) for c in (*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F))
MAX_CONTROL_SHARE = 0.02


class NotCsv(ValueError):
    """The upload is not a text file; the message says what it seems to be and what to upload instead."""


def _latin1_fallback(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error(_CP1252_ERRORS, _latin1_fallback)


def encoding_label(encoding: str) -> str:
    """The name people know an encoding by ("Windows-1252" for cp1252)."""
    return ENCODING_LABELS.get(encoding, encoding)


def open_text(path: Path, encoding: str) -> IO[str]:
    """*path* opened for the csv module in *encoding* (cp1252 with its Latin-1 fallback)."""
    errors = _CP1252_ERRORS if codecs.lookup(encoding).name == CP1252 else "strict"
    return path.open(encoding=encoding, errors=errors, newline="")


def sniff_encoding(path: Path) -> str:
    """utf-8-sig / utf-16 when a BOM says so, utf-16-le/-be when the NULs say so, utf-8 when the whole
    file decodes as such, else cp1252. NotCsv when the file is not text."""
    with path.open("rb") as handle:
        head = handle.read(SAMPLE_BYTES)
        encoding = _bom_encoding(head) or _bomless_utf16(head)
        _refuse_binary(head, encoding)
        if encoding is not None:
            return encoding
        handle.seek(0)
        # The whole file, not a sample: one é near the end would otherwise break the import late.
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := handle.read(CHUNK_BYTES):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            # What Excel writes on Windows; it decodes any byte (see CP1252), so this never fails.
            return CP1252
    return "utf-8"


def _bom_encoding(head: bytes) -> str | None:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _bomless_utf16(head: bytes) -> str | None:
    """utf-16-le/-be for UTF-16 without a BOM: text that is mostly Latin has a NUL in every other byte."""
    pairs = len(head[:HEAD_BYTES]) // 2
    if pairs < 2:
        return None
    even_nuls, odd_nuls = head[0 : pairs * 2 : 2].count(0), head[1 : pairs * 2 : 2].count(0)
    if odd_nuls > pairs * 0.4 and even_nuls < pairs * 0.05:
        encoding = "utf-16-le"
    elif even_nuls > pairs * 0.4 and odd_nuls < pairs * 0.05:
        encoding = "utf-16-be"
    else:
        return None
    try:
        codecs.getincrementaldecoder(encoding)().decode(head[: pairs * 2])
    except UnicodeDecodeError:
        return None
    return encoding


def _refuse_binary(head: bytes, encoding: str | None) -> None:
    """NotCsv when the first bytes are a workbook, or hold NULs or many control characters as text."""
    for magic, inside, kind, how in WORKBOOKS:
        if head.startswith(magic) and inside in head:
            raise NotCsv(f"This is {kind}, not a CSV file: {how}, and upload that file.")
    sample = head[:HEAD_BYTES]
    # Latin-1 maps each byte to one character: for an unknown 8-bit file, the bytes themselves are checked.
    text = codecs.getincrementaldecoder(encoding or "latin-1")(errors="replace").decode(sample)
    if not text:
        return
    controls = sum(1 for char in text if char in _CONTROLS)
    if "\x00" in text or controls > max(1, len(text) * MAX_CONTROL_SHARE):
        raise NotCsv(NOT_TEXT)


def sniff_delimiter(path: Path, encoding: str) -> str:
    """The delimiter csv.Sniffer finds in the first 64 KiB (whole lines only), or ','."""
    with open_text(path, encoding) as handle:
        sample = handle.read(SAMPLE_BYTES)
    if len(sample) == SAMPLE_BYTES and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        return ","


# A cell a spreadsheet would run as a formula is written with a leading apostrophe, by our own exports
# and rejected-rows files (``leads.export.neutralise``) and by spreadsheets: the apostrophe is not data.
_ESCAPED_STARTS = frozenset(("'=", "'+", "'-", "'@", "'\t", "'\r"))


def unescaped(cells: list[str]) -> list[str]:
    """*cells* with the apostrophe that guards a formula-looking cell ("'-500", "'+1 415…") dropped."""
    for i, cell in enumerate(cells):
        if cell[:2] in _ESCAPED_STARTS:
            cells[i] = cell[1:]
    return cells


def records(path: Path, encoding: str, delimiter: str) -> Iterator[list[str]]:
    """Every record after the header, as lists of cells (quoted newlines stay inside their cell)."""
    with open_text(path, encoding) as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        next(reader, None)
        for cells in reader:
            yield unescaped(cells)


def header(path: Path, encoding: str, delimiter: str) -> list[str]:
    """The first record: the column names."""
    with open_text(path, encoding) as handle:
        first = next(csv.reader(handle, delimiter=delimiter), [])
    return [cell.strip() for cell in unescaped(first)]


def count_records(path: Path, encoding: str, delimiter: str) -> int:
    """How many records follow the header (not lines: a quoted cell may span several)."""
    return sum(1 for _ in records(path, encoding, delimiter))
