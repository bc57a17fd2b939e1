"""Streaming the INSEE stock CSV files (plain or zipped) as bytes, for the SIRENE import.

Files are read by blocks of 1 MiB split on newlines (`iter_blocks`); a block where a quoted field holds a
newline is joined line by line. A record without a double quote is split on commas (what the csv module would
return, faster), one with quotes goes through the csv module. Decoding is left to the caller, so that rows it
skips are never decoded.
"""

import csv
import zipfile
from contextlib import contextmanager
from pathlib import Path

CHUNK_SIZE = 1 << 20  # bytes read at a time
MAX_RECORD_SIZE = 1 << 16  # a record still open after this many bytes has an unclosed quote: rejected


class SireneFileError(Exception):
    """A file that cannot be imported at all (missing, unreadable archive, missing columns): French message."""


@contextmanager
def _open_binary(path):
    """The file's bytes, streamed: the CSV itself, or the single CSV member of a zip (never extracted)."""
    path = Path(path)
    if not path.is_file():
        raise SireneFileError(f"Fichier introuvable : {path}")
    if path.suffix.lower() != ".zip":
        with path.open("rb") as stream:
            yield stream
        return
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise SireneFileError(f"Archive zip illisible : {path} ({exc})") from exc
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir() and m.filename.lower().endswith(".csv")]
        if len(members) != 1:
            raise SireneFileError(
                f"L'archive {path.name} doit contenir exactement un fichier CSV (elle en contient {len(members)})."
            )
        try:
            stream = archive.open(members[0])
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError) as exc:
            raise SireneFileError(f"Archive zip illisible : {path} ({exc})") from exc
        with stream:
            yield stream


def decode(record):
    """A record's text: the files are UTF-8; an invalid byte becomes U+FFFD rather than stopping the import."""
    return record.decode("utf-8", "replace")


def split_record(text):
    """The fields of one CSV record (text, no line ending); csv.Error when its quotes are unbalanced."""
    if '"' not in text:
        return text.split(",")
    return next(csv.reader([text], strict=True))


def _join_quoted(lines, first, final, max_size):
    """Records of a block of physical lines holding quotes: a line whose quotes are unbalanced is joined with
    the next ones. Returns (records, their first line numbers, number of lines used); the lines not used are
    an open record that goes on in the next block. A record still open after `max_size` bytes (or at the
    end of the file) is given as its first line alone, whose parsing fails, and reading goes on after it."""
    records, numbers = [], []
    index, count = 0, len(lines)
    while index < count:
        line = lines[index]
        if b'"' in line and line.count(b'"') % 2:
            quotes, end, size = line.count(b'"'), index + 1, len(line)
            while quotes % 2 and end < count and size <= max_size:
                quotes += lines[end].count(b'"')
                size += len(lines[end]) + 1
                end += 1
            if quotes % 2 == 0:
                records.append(b"\n".join(lines[index:end]))
                numbers.append(first + index)
                index = end
                continue
            if end == count and size <= max_size and not final:
                break
        records.append(line)
        numbers.append(first + index)
        index += 1
    return records, numbers, index


def _quotes_span_lines(buffer):
    """True when a quoted field of the buffer holds a newline or is still open at its end.

    Walks the quotes, not the lines: in a well-formed file quotes come in pairs (an escaped quote is an empty
    pair), so a newline between the two quotes of a pair belongs to a field.
    """
    find = buffer.find
    start = find(b'"')
    while start != -1:
        end = find(b'"', start + 1)
        if end == -1 or find(b"\n", start, end) != -1:
            return True
        start = find(b'"', end + 1)
    return False


def iter_blocks(stream, first_line=2, chunk_size=CHUNK_SIZE, max_record_size=MAX_RECORD_SIZE):
    """The records of a binary stream, by blocks of about `chunk_size` bytes.

    Yields (first line number, records, line numbers): `records` are the records' bytes without their line
    ending; `line numbers` is None when each record is one physical line (record i is then on line first + i),
    else the list of the line where each record starts. Reading by blocks, splitting them on newlines and
    staying in bytes (UTF-8 is decoded for the few rows the import keeps) make the per-row cost far lower than
    a line-by-line text loop; only the blocks where a quoted field spans lines go through `_join_quoted`.
    """
    carry = b""
    line = first_line
    final = False
    while not final:
        data = stream.read(chunk_size)
        final = not data
        buffer = carry + data if carry else data
        held = b""
        if not final and buffer.endswith(b"\r"):  # keep a CR with its LF
            buffer, held = buffer[:-1], b"\r"
        if b"\r" in buffer:
            buffer = buffer.replace(b"\r\n", b"\n")
        lines = buffer.split(b"\n")
        tail = lines.pop()
        if final:
            if tail:
                lines.append(tail)
            tail = b""
        elif len(tail) > max_record_size:  # no newline in sight: give the bytes as a record (it is rejected)
            lines.append(tail)
            tail = b""
        if b'"' not in buffer or not _quotes_span_lines(buffer):
            if lines:
                yield line, lines, None
            line += len(lines)
            carry = tail + held
            continue
        records, numbers, used = _join_quoted(lines, line, final, max_record_size)
        if records:
            yield line, records, numbers
        line += used
        carry = (b"\n".join([*lines[used:], tail]) if used < len(lines) else tail) + held


def iter_records(stream, **options):
    """(line number, record bytes) for each record of a binary stream (see `iter_blocks`)."""
    for first, records, numbers in iter_blocks(stream, **options):
        yield from zip(numbers or range(first, first + len(records)), records, strict=True)


class StockFile:
    """A stock file opened for one pass: the header gives the column positions; `records()` streams the rows."""

    def __init__(self, path, label, required):
        self.path = Path(path)
        self.label = label
        self.required = required
        self.index = {}
        self.width = 0
        self._stream = None
        self._context = None

    def __enter__(self):
        self._context = _open_binary(self.path)
        self._stream = self._context.__enter__()
        try:
            header_line = self._stream.readline().decode("utf-8-sig", "replace")
            if not header_line.strip():
                raise SireneFileError(f"Le fichier des {self.label} ({self.path.name}) est vide.")
            header = [name.strip() for name in split_record(header_line.rstrip("\r\n"))]
        except csv.Error as exc:
            self.__exit__(None, None, None)
            raise SireneFileError(
                f"Fichier des {self.label} illisible : la première ligne de {self.path.name} n'est pas un en-tête CSV."
            ) from exc
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            self.__exit__(None, None, None)
            raise SireneFileError(f"Fichier des {self.label} illisible : {self.path} ({exc})") from exc
        except SireneFileError:
            self.__exit__(None, None, None)
            raise
        missing = [name for name in self.required if name not in header]
        if missing:
            self.__exit__(None, None, None)
            raise SireneFileError(
                f"Colonnes obligatoires absentes du fichier des {self.label} ({self.path.name}) : "
                f"{', '.join(missing)}. Est-ce bien le fichier stock SIRENE attendu ?"
            )
        self.index = {}
        for position, name in enumerate(header):
            self.index.setdefault(name, position)  # a repeated name: its first column
        self.width = len(header)
        return self

    def __exit__(self, *exc_info):
        if self._context is not None:
            context, self._context = self._context, None
            return context.__exit__(*exc_info)
        return False

    def blocks(self):
        return iter_blocks(self._stream)

    def records(self):
        return iter_records(self._stream)

    @property
    def siren_first(self):
        """True when the SIREN is the first column: then a row's first nine characters are its SIREN."""
        return self.index.get("siren") == 0
