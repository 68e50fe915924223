"""From the bytes of a CSV file to a table of trimmed strings, each row with its line in the file.

This layer knows nothing about the data contract: it decodes, sniffs the delimiter, checks the
structure (quotes, number of fields) and hands back strings. `metrics.validation` gives them
meaning.

pyarrow's CSV reader tokenises the file: it is fast, and it sets aside rows with too many or too
few fields (pandas would pad short rows silently). Line numbers are rebuilt from its output: a
record spans one line plus the line breaks inside its quoted cells, and the spans must add up to
the file's line count - if they do not, the file is refused rather than given wrong line numbers.
Python's strict csv module reads the header and explains quoting problems with a line number.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
# The csv module's own limit; a longer cell is almost always a quote that was never closed.
MAX_CELL_CHARS = csv.field_size_limit()
# Longer physical lines are not tabular data (a "row bomb"); refused before tokenising.
MAX_LINE_BYTES = 1024 * 1024
# Bounds the time and memory one file can take (5M empty lines is a bomb too).
MAX_LINES = 20_000_000  # the benchmark loads 5M spend lines; 20M stays within memory
# Row-level problems reported one by one before a single "and N more" summary.
ROW_ISSUE_CAP = 20
# A large file is validated and imported in parts of about this size (`file_parts`), so that the
# memory an import needs does not grow with the file.
PART_BYTES = 16 * 1024 * 1024
# A record must fit in one pyarrow block.
_BLOCK_BYTES = 16 * 1024 * 1024

_SIGNATURES = (
    (b"PK\x03\x04", "a ZIP archive or an Excel workbook (.xlsx)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old-style Excel workbook (.xls)"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"{\\rtf", "an RTF document"),
)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Spellings of the encodings users meet, for messages.
_ENCODING_NAMES = {
    "cp1252": "windows-1252",
    "cp1250": "windows-1250",
    "cp1251": "windows-1251",
    "latin_1": "ISO-8859-1 (Latin-1)",
    "iso8859_15": "ISO-8859-15",
    "mac_roman": "Mac Roman",
    "cp850": "DOS Latin-1 (cp850)",
    "cp437": "DOS (cp437)",
    "shift_jis": "Shift-JIS",
    "cp932": "Shift-JIS",
    "gb18030": "GB18030",
    "gb2312": "GB2312",
    "big5": "Big5",
    "euc_kr": "EUC-KR",
    "koi8_r": "KOI8-R",
}
# Excel's "CSV (Comma delimited)" writes the Windows code page; name it when it fits the bytes.
_PREFERRED_GUESSES = ("cp1252", "latin_1", "mac_roman", "cp1250", "cp1251", "shift_jis", "gb18030")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_ODD_SPACES = re.compile("[\u00a0\u2007\u202f\u2009]")
_SAVE_AS_UTF8 = (
    "save it as UTF-8: in Excel, File > Save As > 'CSV UTF-8 (Comma delimited)'; "
    "in other tools choose the encoding 'UTF-8'"
)


@dataclass(frozen=True)
class CsvIssue:
    """A structural problem, located by the line the user sees in the file."""

    line: int | None
    problem: str
    fix: str
    value: str | None = None
    severity: str = "error"


class CsvError(Exception):
    """The file cannot be read as a CSV table at all."""

    def __init__(self, issue: CsvIssue) -> None:
        super().__init__(issue.problem)
        self.issue = issue


@dataclass
class RawTable:
    header: list[str]  # header cells, trimmed, as written
    header_line: int
    rows: pd.DataFrame  # string columns 0..n-1 (header positions), trimmed, plus "_line"
    encoding: str
    delimiter: str
    issues: list[CsvIssue] = field(default_factory=list)  # wrong field counts, suspicious quoting


def read_raw_table(data: bytes, score_header: Callable[[list[str]], int] | None = None) -> RawTable:
    """Decode and tokenise `data`; raise CsvError when it is not a readable CSV table.

    `score_header` says how many cells of a candidate header row are recognised column names; it
    lets the delimiter detection prefer the split that yields known columns.
    """
    return read_raw_table_owned([data], score_header)


def read_raw_table_owned(
    holder: list[bytes],
    score_header: Callable[[list[str]], int] | None = None,
    *,
    delimiter: str | None = None,
    lines_before: int = 0,
) -> RawTable:
    """`read_raw_table` of the bytes in `holder`, which it takes out: once nothing else holds them,
    the file's bytes are freed as soon as they are tokenised, and the tokens column by column as
    the strings are trimmed, so that a large file is not held several times over.

    A part of a file (`file_parts`) is read as its header line followed by its records: the
    `delimiter` is then the file's, and `lines_before` counts the file's lines before the part's
    header copy, so that every line number is the file's."""
    data = holder.pop()
    _refuse_binary(data)
    body, encoding = _decode(data)
    del data
    if b"\r" in body:
        # One line-ending convention, so CRLF, LF and CR files read the same.
        body = body.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    body, skipped_lines, hinted = _strip_preamble(body)
    skipped_lines += lines_before
    if not body or body.isspace():  # (not body.strip(), without copying the file)
        raise CsvError(CsvIssue(None, "the file is empty", "export the table again with its header row and data rows"))
    line_count = body.count(b"\n") + (not body.endswith(b"\n"))
    if line_count > MAX_LINES:
        raise CsvError(
            CsvIssue(
                None,
                f"the file has {line_count:,} lines; at most {MAX_LINES:,} are accepted",
                "split it into smaller files, or load it from the database",
            )
        )
    _refuse_long_lines(body, skipped_lines)
    delimiter = delimiter or hinted or detect_delimiter(body, score_header)
    header = next(csv.reader(io.StringIO(body[:MAX_LINE_BYTES].decode("utf-8", "replace")), delimiter=delimiter))

    table, set_aside = _tokenise(body, delimiter, len(header), skipped_lines)
    spans = _record_spans(table, set_aside, line_count)
    starts = skipped_lines + 1 + np.concatenate(([0], np.cumsum(spans)[:-1]))
    _check_quoting(body, delimiter, starts, spans, line_count, skipped_lines)
    kept = np.ones(len(starts), dtype=bool)
    kept[[number for number, _, _ in set_aside]] = False
    issues = _field_count_issues(set_aside, starts, len(header), delimiter)
    if spans.max() > 1:
        issues += _swallowed_rows(table, starts[kept], header, delimiter)
    ascii_only = body.isascii()
    del body
    tokens = [table]
    del table
    rows = _string_frame(tokens, starts[kept], ascii_only=ascii_only)
    return RawTable(
        header=[clean_cell(h) for h in header],
        header_line=skipped_lines + 1,
        rows=rows,
        encoding=encoding,
        delimiter=delimiter,
        issues=issues,
    )


@dataclass(frozen=True)
class FilePart:
    """Whole records of a large file: `data` is the file's header line followed by them, and
    `lines_before` the number of the file's lines before that header copy (see
    `read_raw_table_owned`). The first part is the file's beginning as it is."""

    data: bytes
    lines_before: int
    first: bool
    copied: int  # leading bytes of `data` that copy the header line (0 in the first part)


class NotInParts(Exception):
    """The file cannot be cut into parts safely; it is read whole instead."""


def file_parts(path: str | Path, part_bytes: int) -> Iterator[FilePart]:
    """The file cut at line ends into parts of about `part_bytes`, each holding whole records.

    A line end ends a record when the quotes before it pair up (RFC 4180: a quoted cell's line
    breaks sit between an odd number of quotes). Raises `NotInParts` when the file is not UTF-8
    with LF or CRLF line ends, its header line holds a quote, or no line end closes a part within
    `MAX_LINE_BYTES` of its size: the whole-file reader then gives its exact diagnosis. A cut
    that a stray quote puts inside a record still makes that part fail to read (an unclosed
    quote), which the caller also treats as a reason to read the file whole.
    """
    with open(path, "rb") as fh:
        head = fh.read(part_bytes)
        if any(head.startswith(bom) for bom, encoding in _BOMS if encoding != "utf-8-sig"):
            raise NotInParts("a UTF-16 or UTF-32 file")
        start = len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else 0
        body, skipped, _ = _strip_preamble(head[start:].replace(b"\r\n", b"\n"))
        header_end = body.find(b"\n")
        if header_end < 0 or b'"' in body[:header_end] or b"\r" in body[: header_end + 1]:
            raise NotInParts("no plain header line")
        header = body[: header_end + 1]
        pending, lines_before, first, eof = head, 0, True, len(head) < part_bytes
        while pending:
            while not eof and len(pending) < part_bytes + MAX_LINE_BYTES:
                more = fh.read(part_bytes)
                eof = not more
                pending += more
            cut = _record_end(pending, part_bytes) if len(pending) > part_bytes else None
            if cut is None:
                if not eof:
                    raise NotInParts("no record ends near the part size")
                cut = len(pending)
            part, pending = pending[:cut], pending[cut:]
            if first:
                yield FilePart(part, 0, True, 0)
            else:
                yield FilePart(header + part, lines_before - 1, False, len(header))
            # A lone CR ends a line too (the reader turns it into a line feed).
            lines_before += part.count(b"\n") + part.count(b"\r") - part.count(b"\r\n")
            if lines_before > MAX_LINES:
                raise NotInParts("too many lines")  # the whole-file reader words the refusal
            first = False
            del part


def _record_end(data: bytes, size: int) -> int | None:
    """Just after the first line end at or beyond `size` where the quotes of `data` before it
    pair up, or None."""
    quotes = data.count(b'"', 0, size)
    position = size
    while position < len(data) and position - size <= MAX_LINE_BYTES:
        end = data.find(b"\n", position)
        if end < 0:
            break
        quotes += data.count(b'"', position, end)
        if quotes % 2 == 0:
            return end + 1
        position = end + 1
    return None


def clean_cell(value: str) -> str:
    """What a person means by a cell: no zero-width characters, odd spaces as spaces, trimmed."""
    return _ODD_SPACES.sub(" ", _INVISIBLE.sub("", value)).strip()


def _refuse_binary(data: bytes) -> None:
    for magic, what in _SIGNATURES:
        if data.startswith(magic):
            raise CsvError(
                CsvIssue(
                    None,
                    f"this is not a CSV file: its content is {what}",
                    "open it in its program and export or save it as 'CSV UTF-8'",
                )
            )


def _decode(data: bytes) -> tuple[bytes, str]:
    """UTF-8 bytes without BOM, and the encoding the file was in. The whole file is checked:
    an invalid byte at the end is found just as one at the start."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            payload = data[len(bom) :]
            if encoding == "utf-8-sig":
                break
            try:
                return payload.decode(encoding).encode("utf-8"), encoding
            except UnicodeDecodeError as e:
                raise CsvError(
                    CsvIssue(
                        payload[: e.start].decode(encoding, errors="replace").count("\n") + 1,
                        f"the file starts with a {encoding.upper()} byte-order mark but is not valid {encoding.upper()}",
                        _SAVE_AS_UTF8,
                    )
                ) from None
    else:
        payload, encoding = data, "utf-8"
    if b"\x00" in payload:
        raise CsvError(
            CsvIssue(
                _line_at(payload, payload.index(b"\x00")),
                "this is not a CSV text file: it contains NUL bytes (a binary file, "
                "or UTF-16 text without a byte-order mark)",
                "export the data as 'CSV UTF-8'",
            )
        )
    try:
        _check_utf8(payload)
    except UnicodeDecodeError as e:
        guess, line_text = _guess_encoding(payload, e.start)
        looks = f"it looks like {guess}" if guess else "its encoding could not be recognised"
        raise CsvError(
            CsvIssue(
                _line_at(payload, e.start),
                f"the file is not UTF-8: byte 0x{payload[e.start]:02X} cannot be read as UTF-8; {looks}",
                _SAVE_AS_UTF8,
                value=line_text,
            )
        ) from None
    return payload, encoding


def _check_utf8(payload: bytes, block: int = 16 * 1024 * 1024) -> None:
    """Raise UnicodeDecodeError (with `start` as a position in `payload`) if it is not UTF-8,
    without building the whole file as one string: ASCII is checked in place, other text block by
    block."""
    if payload.isascii():
        return
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(payload)
    for start in range(0, len(payload), block):
        # The decoder holds back up to 3 bytes of a character the last block left unfinished;
        # positions in its errors count from them.
        held = len(decoder.getstate()[0])
        try:
            decoder.decode(view[start : start + block], final=start + block >= len(payload))
        except UnicodeDecodeError as e:
            position = start - held + e.start
            raise UnicodeDecodeError("utf-8", payload, position, position + 1, e.reason) from None


def _line_at(data: bytes, position: int) -> int:
    newline = b"\n" if b"\n" in data or b"\r" not in data else b"\r"
    return data.count(newline, 0, position) + 1


def _guess_encoding(data: bytes, position: int) -> tuple[str | None, str | None]:
    """Best guess at the real encoding, from the text around the first undecodable byte, and
    the offending line read with that guess (so the user can find it)."""
    import charset_normalizer  # imported here: only needed for broken files

    line_start = data.rfind(b"\n", 0, position) + 1
    line_end = data.find(b"\n", position)
    line_end = len(data) if line_end < 0 else line_end
    window = data[max(0, position - 32_768) : position + 32_768]
    best = charset_normalizer.from_bytes(window).best()
    if best is None:
        return None, None
    # Equivalent code pages decode the window identically; name the one people actually have.
    candidates = [best.encoding, *best.could_be_from_charset]
    codec = next((c for c in _PREFERRED_GUESSES if c in candidates), best.encoding)
    if codec.startswith("utf"):
        return None, None
    line_text = data[line_start:line_end].decode(codec, errors="replace").strip()
    return _ENCODING_NAMES.get(codec, codec), line_text


def _strip_preamble(body: bytes) -> tuple[bytes, int, str | None]:
    """Drop leading blank lines and Excel's 'sep=;' hint line; return the body, the number of
    lines dropped (to keep line numbers as the user sees them) and the hinted delimiter."""
    blank = re.match(rb"(?:[ \t]*\n)*", body)
    assert blank is not None  # the pattern also matches the empty string
    skipped = body.count(b"\n", 0, blank.end())
    body = body[blank.end() :]
    hint = re.match(rb"sep=([^\n\"])[ \t]*\n", body, flags=re.IGNORECASE)
    if not hint:
        return body, skipped, None
    return body[hint.end() :], skipped + 1, hint.group(1).decode("utf-8")


def _refuse_long_lines(body: bytes, skipped_lines: int) -> None:
    # A 1 MB window without a line break lies inside an over-long line; windows overlap by half,
    # so any line over 1.5 MB is caught, without scanning the file byte by byte in Python.
    step = MAX_LINE_BYTES // 2
    for start in range(0, max(len(body) - MAX_LINE_BYTES, 0) + 1, step):
        if body.find(b"\n", start, start + MAX_LINE_BYTES) < 0 and len(body) - start >= MAX_LINE_BYTES:
            line = skipped_lines + body.count(b"\n", 0, start) + 1
            raise CsvError(
                CsvIssue(
                    line,
                    f"line {line} is longer than {MAX_LINE_BYTES:,} bytes",
                    "check that this is the right file; a table row should not be that long",
                )
            )


def detect_delimiter(body: bytes, score_header: Callable[[list[str]], int] | None = None) -> str:
    """The delimiter among comma, semicolon, tab and pipe that splits the header into the most
    recognised column names, then keeps the field count most consistent over the first rows,
    then gives the most columns. A file without any of them is read as comma-separated."""
    sample = body[:65_536]
    if len(body) > len(sample) and b"\n" in sample:
        sample = sample[: sample.rfind(b"\n") + 1]
    text = sample.decode("utf-8", errors="replace")
    best: tuple[tuple, str] | None = None
    for delimiter in DELIMITERS:
        records = [
            r for r in islice(csv.reader(io.StringIO(text), delimiter=delimiter), 50) if any(cell.strip() for cell in r)
        ]
        if not records or len(records[0]) < 2:
            continue
        header, body_rows = records[0], records[1:]
        consistent = sum(len(r) == len(header) for r in body_rows) / len(body_rows) if body_rows else 1.0
        recognised = score_header([clean_cell(h) for h in header]) if score_header else 0
        score = (recognised, consistent, len(header))
        if best is None or score > best[0]:
            best = (score, delimiter)
    return best[1] if best else ","


def _tokenise(
    body: bytes, delimiter: str, width: int, skipped_lines: int
) -> tuple[pa.Table, list[tuple[int, int, str]]]:
    """All records as strings (row 0 is the header), and the records set aside for having the
    wrong number of fields, as (record index, field count, raw text)."""
    names = [str(i) for i in range(width)]
    set_aside: list[tuple[int, int, str]] = []

    def handle_invalid(row: pa_csv.InvalidRow) -> str:
        set_aside.append((row.number - 1, row.actual_columns, row.text))
        return "skip"

    try:
        table = pa_csv.read_csv(
            io.BytesIO(body),
            # Single-threaded, so that set-aside rows carry their record number.
            read_options=pa_csv.ReadOptions(column_names=names, use_threads=False, block_size=_BLOCK_BYTES),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter,
                quote_char='"',
                double_quote=True,
                newlines_in_values=True,
                ignore_empty_lines=False,
                invalid_row_handler=handle_invalid,
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowException as e:
        raise CsvError(
            _diagnose(body, delimiter, lambda n: n + skipped_lines)
            or CsvIssue(None, f"the file cannot be read as CSV ({e})", "export the file again as 'CSV UTF-8'")
        ) from None
    if table.num_rows == 0 or any(number == 0 for number, _, _ in set_aside):
        raise CsvError(
            _diagnose(body, delimiter, lambda n: n + skipped_lines)
            or CsvIssue(skipped_lines + 1, "the header row cannot be read", "export the file again as 'CSV UTF-8'")
        )
    return table, set_aside


def _record_spans(table: pa.Table, set_aside: list[tuple[int, int, str]], line_count: int) -> np.ndarray:
    """How many lines each record covers, the header first, set-aside records included."""
    spans = np.ones(table.num_rows + len(set_aside), dtype=np.int64)
    if len(spans) != line_count:
        # Quoted cells hold line breaks: each one adds a line to its record.
        kept = np.ones(len(spans), dtype=bool)
        for number, _, text in set_aside:
            kept[number] = False
            spans[number] += text.count("\n")
        for column in table.columns:
            spans[kept] += pc.count_substring(column, "\n").to_numpy(zero_copy_only=False)
    if spans.sum() != line_count:
        raise CsvError(
            CsvIssue(
                None,
                "the rows of this file cannot be told apart reliably (unusual quoting)",
                "export the file again as 'CSV UTF-8'",
            )
        )
    return spans


def _check_quoting(
    body: bytes, delimiter: str, starts: np.ndarray, spans: np.ndarray, line_count: int, skipped_lines: int
) -> None:
    """pyarrow is lenient with quotes: a quote never closed runs to the end of the file, and text
    after a closing quote ('"ab"cd') is kept. Within one line that is harmless and accepted, as
    Excel does; across lines it usually means a missing closing quote. So records spanning several
    lines are re-read with the strict csv module, and the last record is checked for an open quote."""
    multi_line = np.flatnonzero(spans > 1)
    if len(multi_line):
        _check_multi_line_records(body, delimiter, starts[multi_line], spans[multi_line], skipped_lines)
    offset = len(body) - body.endswith(b"\n")
    for _ in range(line_count - (int(starts[-1]) - skipped_lines) + 1):
        offset = body.rfind(b"\n", 0, offset)
    last_start = int(starts[-1])
    issue = _diagnose(body[offset + 1 :], delimiter, lambda n: n + last_start - 1, unclosed_only=True)
    if issue:
        raise CsvError(issue)


def _check_multi_line_records(
    body: bytes, delimiter: str, starts: np.ndarray, spans: np.ndarray, skipped_lines: int
) -> None:
    # The records, one after the other, go through a single strict reader (fast even when every
    # record has a multi-line cell); its line numbers are mapped back to the file's.
    line_offsets = np.concatenate(([0], np.flatnonzero(np.frombuffer(body, dtype=np.uint8) == 10) + 1, [len(body)]))
    firsts = starts - skipped_lines - 1
    lasts = np.minimum(firsts + spans, len(line_offsets) - 1)
    records = (body[line_offsets[a] : line_offsets[b]] for a, b in zip(firsts, lasts))
    joined = b"".join(r if r.endswith(b"\n") else r + b"\n" for r in records)
    ends = np.cumsum(spans)  # line of `joined` on which each record ends

    def file_line(n: int) -> int:
        i = min(int(np.searchsorted(ends, n)), len(ends) - 1)
        return int(starts[i]) + n - 1 - (int(ends[i - 1]) if i else 0)

    issue = _diagnose(joined, delimiter, file_line)
    if issue:
        raise CsvError(issue)


def _diagnose(
    body: bytes, delimiter: str, file_line: Callable[[int], int], unclosed_only: bool = False
) -> CsvIssue | None:
    """The first quoting problem the strict csv module finds, or None. `file_line` turns a line
    of `body` into the line of the file.

    With `unclosed_only`, only a quote that is never closed counts: text after a closing quote
    ('"ab"cd') is read leniently as pyarrow and Excel do."""
    stream = io.TextIOWrapper(io.BytesIO(body), encoding="utf-8", errors="replace", newline="")
    reader = csv.reader(stream, delimiter=delimiter, strict=True)
    record_line = 1
    try:
        for _ in reader:
            record_line = reader.line_num + 1
    except csv.Error as e:
        record_line, error_line = file_line(record_line), file_line(reader.line_num)
        if unclosed_only and not _is_unclosed_quote(str(e), record_line, error_line):
            return None
        return _describe_csv_error(str(e), record_line, error_line, delimiter)
    return None


def _is_unclosed_quote(message: str, record_line: int, error_line: int) -> bool:
    # A cell that grows past the size limit over several lines is an unclosed quote eating the file.
    return "unexpected end of data" in message or ("field larger" in message and error_line > record_line)


def _describe_csv_error(message: str, record_line: int, error_line: int, delimiter: str) -> CsvIssue:
    if _is_unclosed_quote(message, record_line, error_line):
        return CsvIssue(
            record_line,
            f"a quoted cell that starts on line {record_line} is never closed: "
            'its opening quote (") has no closing quote',
            'add the missing closing quote, or double any quote inside a quoted cell ("")',
        )
    if "field larger" in message:
        return CsvIssue(
            record_line,
            f"a cell on line {record_line} is longer than {MAX_CELL_CHARS:,} characters",
            "check that this is the right file; cells that long are not accepted",
        )
    if "expected after" in message:
        name = DELIMITER_NAMES.get(delimiter, repr(delimiter))
        return CsvIssue(
            error_line,
            f"a closing quote on line {error_line} is followed by text instead of a {name} or the end of the line",
            'inside a quoted cell write a quote as two quotes (""), and put the whole cell inside the quotes',
        )
    return CsvIssue(
        error_line, f"line {error_line} cannot be read as CSV ({message})", "export the file again as 'CSV UTF-8'"
    )


def _field_count_issues(
    set_aside: list[tuple[int, int, str]], starts: np.ndarray, width: int, delimiter: str
) -> list[CsvIssue]:
    """Errors for set-aside rows holding data; those with only delimiters, quotes and spaces are
    blank rows, skipped like any other."""
    blank = re.compile(f'[\\s"{re.escape(delimiter)}]*')
    issues = []
    for more_or_fewer in ("more", "fewer"):
        rows = [
            (int(starts[number]), fields, text.count("\n"))
            for number, fields, text in set_aside
            if (fields > width) == (more_or_fewer == "more") and not blank.fullmatch(text)
        ]
        if more_or_fewer == "more":
            fix = 'remove the extra cells, or put quotes around cells that contain the delimiter (e.g. "Acme, Inc.")'
        else:
            fix = "add the missing cells (leave them empty if unknown) so every row has one cell per column"
        issues += [
            CsvIssue(
                line,
                f"line {line} has {fields} fields but the header has {width} "
                f"({more_or_fewer} fields than columns)"
                + (
                    f"; a quoted cell makes this row run over {breaks + 1} lines - check for a quote that is not closed"
                    if breaks
                    else ""
                ),
                fix,
            )
            for line, fields, breaks in rows[:ROW_ISSUE_CAP]
        ]
        if len(rows) > ROW_ISSUE_CAP:
            issues.append(
                CsvIssue(
                    None,
                    f"... and {len(rows) - ROW_ISSUE_CAP:,} more rows with {more_or_fewer} fields than the header",
                    fix,
                )
            )
    return issues


def _swallowed_rows(table: pa.Table, starts: np.ndarray, header: list[str], delimiter: str) -> list[CsvIssue]:
    """Warnings for multi-line cells holding as many delimiters as a whole row: a stray quote
    may have opened a cell that a later stray quote closed, joining rows into one."""
    width = len(header)
    issues: list[CsvIssue] = []
    for position, column in enumerate(table.columns):
        suspicious = pc.and_(
            pc.greater(pc.count_substring(column, "\n"), 0),
            pc.greater_equal(pc.count_substring(column, delimiter), max(width - 1, 1)),
        )
        for row in np.flatnonzero(suspicious.to_numpy(zero_copy_only=False))[:ROW_ISSUE_CAP]:
            if row == 0:
                continue  # the header
            cell = column[int(row)].as_py()
            issues.append(
                CsvIssue(
                    int(starts[row]),
                    f"the quoted {clean_cell(header[position]) or 'unnamed'} cell starting on line "
                    f"{starts[row]} runs over {cell.count(chr(10)) + 1} lines and holds "
                    f"{cell.count(delimiter)} delimiters, as if it had swallowed whole rows",
                    "check for a quote that is not closed where it should be; if the cell is right, ignore this",
                    value=cell,
                    severity="warning",
                )
            )
    return issues[:ROW_ISSUE_CAP]


def _string_frame(tokens: list[pa.Table], starts: np.ndarray, ascii_only: bool) -> pd.DataFrame:
    """Data rows (the header row dropped) as trimmed strings in columns "0".."n-1", with `_line`;
    rows without any content are dropped. The token table is taken out of `tokens` and released
    column by column as the trimmed columns are built."""
    text = pd.StringDtype("pyarrow", na_value=np.nan)
    table = tokens.pop()
    names = list(table.column_names)
    columns: dict[str, pd.Series] = {}
    has_content = np.zeros(table.num_rows - 1, dtype=bool)
    for name in names:
        column = table.column(name).slice(1)
        table = table.drop_columns([name])
        # Zero-width characters and odd spaces cannot occur in ASCII files: skip the regex passes.
        if not ascii_only:
            column = pc.replace_substring_regex(column, _INVISIBLE.pattern, "")
            column = pc.replace_substring_regex(column, _ODD_SPACES.pattern, " ")
        # What str.strip() of the pandas column does, in Arrow (no pandas copy to let go of).
        column = pc.utf8_trim_whitespace(column)
        has_content |= pc.not_equal(column, "").to_numpy(zero_copy_only=False)
        columns[name] = pd.Series(pd.array(column, dtype=text), copy=False)
        del column
    del table
    columns["_line"] = pd.Series(starts[1:], copy=False)
    frame = pd.DataFrame(columns, copy=False)
    del columns
    if has_content.all():
        return frame
    return frame[has_content].reset_index(drop=True)
