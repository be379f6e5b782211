"""Reading WARC files (ISO 28500) record by record, whatever shape they arrive in.

FastWARC parses each record's header and HTTP message; the framing around them is done here, because
measured on damaged files, neither library's own iterator can go on past what archives in the wild hold: a
record whose Content-Length is too long makes FastWARC return it with the next record's bytes and then stop
the whole file (in quirks mode it stops silently), warcio recovers only when each record is its own gzip
member and then prints to stderr; both inflate a gzip member whole, however far it inflates.

So each gzip member is inflated here, with a bound: past the record size limit, a member that inflates more
than BOMB_RATIO times its compressed size is abandoned. A record that does not end where its Content-Length
says, a file cut short, bytes that are not a record: each becomes a `Problem` naming the file and the offset,
and reading resumes at the next record (the next gzip member, or the next "WARC/1." line). Memory holds at
most one record of up to the size limit and a read buffer, however large the file.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import zlib
from collections import Counter
from dataclasses import dataclass, field
from typing import IO, Any, Callable, Iterator

from fastwarc.stream_io import ChunkedReader
from fastwarc.warc import HeaderMap

LOGGER = logging.getLogger(__name__)

GZIP_MAGIC = b"\x1f\x8b\x08"
RECORD_START = b"WARC/1."
RECORD_END = b"\r\n\r\n"
HEADER_LIMIT = 64 * 1024  # a WARC header block longer than this is not one
READ_CHUNK = 1 << 20
FEED_CHUNK = 1 << 16  # compressed bytes fed to the inflater at once (zlib copies what it leaves unconsumed)
INFLATE_CHUNK = 1 << 18
# Past the record size limit, a member inflating more than this many times its compressed size is a
# decompression bomb, not a record: HTML compresses about 5-10 to 1, media barely at all.
BOMB_RATIO = 100
# record types every WARC holds besides responses: counted, never reported
ORDINARY_TYPES = frozenset({"warcinfo", "request", "metadata", "revisit", "conversion", "continuation"})


@dataclass(frozen=True)
class Problem:
    """Something in an input that is not a usable record: `reason` is the counted stats key."""

    path: str
    offset: int | None  # where the record (its gzip member, when compressed) starts; None: the input itself
    reason: str
    message: str
    position: int = 0  # within a gzip member holding several records, where in its inflated bytes

    def __str__(self) -> str:
        if self.offset is None:
            return f"{self.path}: {self.message}"
        inside = f" (+{self.position} in its gzip member)" if self.position else ""
        return f"{self.path}: record at offset {self.offset}{inside}: {self.message}"


class NotWarc(Exception):
    """The input is not a WARC file at all."""


class _Bomb(Exception):
    """A gzip member inflating far past anything a record holds."""


class _Damaged(Exception):
    """A gzip member whose compressed bytes do not inflate."""


@dataclass
class RawRecord:
    """One framed record: its header block and its block (None when larger than the size limit)."""

    offset: int
    position: int
    header: bytes
    block: bytes | None
    length: int


class _Source:
    """A binary stream read forward in chunks, with the position in it; bytes of the current chunk can be
    given back."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.pos = 0
        self._buf = b""
        self._i = 0

    def _fill(self) -> bool:
        if self._i < len(self._buf):
            return True
        self._buf, self._i = self.stream.read(READ_CHUNK) or b"", 0
        return bool(self._buf)

    def take(self, n: int) -> memoryview:
        """Up to n bytes (fewer at the end of a chunk); empty at the end of the stream."""
        if not self._fill():
            return memoryview(b"")
        view = memoryview(self._buf)[self._i : self._i + n]
        self._i += len(view)
        self.pos += len(view)
        return view

    def give_back(self, n: int) -> None:
        """The last n bytes taken (all from the current chunk) were not used."""
        self._i -= n
        self.pos -= n

    def peek(self, n: int) -> bytes:
        while len(self._buf) - self._i < n:
            more = self.stream.read(READ_CHUNK)
            if not more:
                break
            self._buf, self._i = self._buf[self._i :] + more, 0
        return self._buf[self._i : self._i + n]

    def seek(self, needle: bytes, start_after: int = 0) -> bool:
        """Move to the next occurrence of needle at least `start_after` bytes on; False at the end."""
        while start_after and self._fill():
            step = min(start_after, len(self._buf) - self._i)
            self._i, self.pos, start_after = self._i + step, self.pos + step, start_after - step
        while self._fill():
            found = self._buf.find(needle, self._i)
            if found >= 0:
                self.pos += found - self._i
                self._i = found
                return True
            keep = max(self._i, len(self._buf) - len(needle) + 1)  # a needle cut by the chunk's end
            self.pos += keep - self._i
            self._buf, self._i = self._buf[keep:] + (self.stream.read(READ_CHUNK) or b""), 0
            if len(self._buf) < len(needle):
                self.pos += len(self._buf)
                self._buf = b""
                return False
        return False


class _Member:
    """The inflated bytes of one gzip member, produced chunk by chunk; b"" at its end."""

    def __init__(self, src: _Source, limit: int) -> None:
        self.src = src
        self.offset = src.pos
        self.limit = limit
        self.inflated = 0
        self.ended = False
        self.truncated = False  # the stream ended inside the member
        self._inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        self._tail = b""  # input the inflater left for its next call

    def produce(self) -> bytes:
        while not self.ended:
            data = self._tail or self.src.take(FEED_CHUNK)
            if not data:
                self.ended = self.truncated = True
                return b""
            try:
                out = self._inflater.decompress(data, INFLATE_CHUNK)
            except zlib.error as exc:
                self.ended = True
                raise _Damaged(str(exc)) from None
            self._tail = self._inflater.unconsumed_tail
            if self._inflater.eof:
                self.ended = True
                self.src.give_back(len(self._inflater.unused_data))
            self.inflated += len(out)
            if self.inflated > self.limit:
                consumed = self.src.pos - self.offset - len(self._tail)
                if self.inflated > BOMB_RATIO * max(consumed, 1):
                    self.ended = True
                    raise _Bomb()
            if out:
                return out
        return b""

    def drain(self) -> None:
        while self.produce():
            pass


class _Window:
    """Bytes from a producer, read forward: up to a separator, n of them, n skipped; bytes can be put back."""

    def __init__(self, produce: Callable[[], bytes]) -> None:
        self._produce = produce
        self._buf = bytearray()
        self.pos = 0  # bytes taken so far
        self._done = False

    def _more(self) -> bool:
        if self._done:
            return False
        chunk = self._produce()
        if not chunk:
            self._done = True
            return False
        self._buf += chunk
        return True

    def at_end(self) -> bool:
        return not self._buf and not self._more()

    def skip_blank_lines(self) -> None:
        while self._buf or self._more():
            blank = len(self._buf) - len(self._buf.lstrip(b"\r\n"))
            self._consume(blank)
            if self._buf:
                return

    def take_until(self, sep: bytes, limit: int) -> bytes | None:
        """The bytes up to and including sep, or None (nothing taken) if sep is not within limit bytes."""
        start = 0
        while True:
            found = self._buf.find(sep, start)
            if found >= 0:
                return self._consume(found + len(sep))
            start = max(0, len(self._buf) - len(sep) + 1)
            if len(self._buf) > limit or not self._more():
                return None

    def take(self, n: int) -> bytes:
        while len(self._buf) < n and self._more():
            pass
        return self._consume(min(n, len(self._buf)))

    def skip(self, n: int) -> int:
        skipped = 0
        while skipped < n and (self._buf or self._more()):
            step = min(n - skipped, len(self._buf))
            self._consume(step)
            skipped += step
        return skipped

    def put_back(self, data: bytes) -> None:
        self._buf[:0] = data
        self.pos -= len(data)

    def seek(self, needle: bytes) -> bool:
        """Drop the bytes before the next needle; False (all dropped) when the bytes end first."""
        while True:
            found = self._buf.find(needle)
            if found >= 0:
                self._consume(found)
                return True
            self._consume(max(0, len(self._buf) - len(needle) + 1))
            if not self._more():
                self._consume(len(self._buf))
                return False

    def _consume(self, n: int) -> bytes:
        out = bytes(self._buf[:n])
        del self._buf[:n]
        self.pos += n
        return out


def _content_length(header: bytes) -> int | None:
    for line in header.split(b"\r\n"):
        name, sep, value = line.partition(b":")
        if sep and name.strip().lower() == b"content-length":
            value = value.strip()
            return int(value) if value.isdigit() else None
    return None


def frame_records(stream: IO[bytes], path: str, limit: int) -> Iterator[RawRecord | Problem]:
    """Split a WARC file, gzip-compressed (a member per record, or the whole file as one) or not, into
    records; everything that is not a whole record is a Problem, and the records after it are still read.
    Records whose block is larger than `limit` come with block None. Raises NotWarc when the input is
    neither kind of WARC file."""
    src = _Source(stream)
    head = src.peek(8)
    if head[:3] == GZIP_MAGIC:
        if not _starts_a_record(src):
            raise NotWarc("a gzip file, but not of WARC records")
        yield from _gzip_records(src, path, limit)
    elif head.startswith(RECORD_START):
        window = _Window(lambda: bytes(src.take(READ_CHUNK)))
        yield from _records_in(window, path, limit, lambda: window.pos, plain=True)
    else:
        raise NotWarc(f"not a WARC file (it starts with {head!r})" if head else "an empty file, not a WARC file")


def _starts_a_record(src: _Source) -> bool:
    """Does the gzip member here inflate to the start of a WARC record?"""
    try:
        return zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(src.peek(4096), 16).startswith(RECORD_START)
    except zlib.error:
        return False


def _gzip_records(src: _Source, path: str, limit: int) -> Iterator[RawRecord | Problem]:
    while True:
        offset = src.pos
        head = src.peek(3)
        if not head:
            return
        if head != GZIP_MAGIC:
            yield Problem(path, offset, "not_a_record", "bytes that are not a gzip member of a record: skipped")
            if not _next_member(src, 0):
                return
            continue
        member = _Member(src, limit + HEADER_LIMIT)
        window = _Window(member.produce)
        found: list[Problem] = []  # said once the member is over: a bomb makes them moot
        try:
            for item in _records_in(window, path, limit, lambda: offset, plain=False,
                                    file_ended=lambda: member.truncated):
                if isinstance(item, Problem):
                    found.append(item)
                else:
                    yield item
            member.drain()
        except _Bomb:
            yield Problem(path, offset, "decompression_bomb",
                          f"its gzip member inflates past {member.inflated // 1_000_000} MB, more than {BOMB_RATIO} "
                          "times its compressed size: skipped")
            if not _next_member(src, 1):
                return
            continue
        except _Damaged as exc:
            found.append(Problem(path, offset, "damaged", f"its gzip member does not inflate ({exc}): skipped"))
            yield from found
            if not _next_member(src, 1):
                return
            continue
        yield from found


def _next_member(src: _Source, start_after: int) -> bool:
    """On to the next gzip member that starts a WARC record: after damage, or a skipped bomb."""
    while src.seek(GZIP_MAGIC, start_after):
        if _starts_a_record(src):
            return True
        start_after = 1
    return False


def _records_in(window: _Window, path: str, limit: int, offset_of: Callable[[], int], plain: bool,
                file_ended: Callable[[], bool] = lambda: True) -> Iterator[RawRecord | Problem]:
    """The records in a stream of WARC bytes: a gzip member (one record, or a whole compressed file) or an
    uncompressed file."""
    while True:
        window.skip_blank_lines()
        if window.at_end():
            return
        offset, position = offset_of(), 0 if plain else window.pos

        def problem(reason: str, message: str) -> Problem:
            return Problem(path, offset, reason, message, position)

        header = window.take_until(RECORD_END, HEADER_LIMIT)
        if header is None or not header.startswith(RECORD_START):
            start = header or window.take(HEADER_LIMIT + 1)
            if header is None and window.at_end() and start.startswith(RECORD_START) and file_ended():
                yield problem("truncated", "cut short inside its header: the file ends there")
                return
            yield problem("not_a_record", f"not a WARC record (it starts with {start[:24]!r}): skipped")
            window.put_back(start[1:])
            if not _resync(window):
                return
            continue
        length = _content_length(header)
        if length is None:
            yield problem("bad_header", "its header has no valid Content-Length: skipped")
            if not _resync(window):
                return
            continue
        block: bytes | None = None
        if length > limit:
            got = window.skip(length)
        else:
            block = window.take(length)
            got = len(block)
        if got < length:
            if file_ended():
                yield problem("truncated", f"cut short: {got} of its {length} bytes are there before the file ends")
                return
            yield problem("wrong_length", f"its Content-Length says {length} bytes but its gzip member holds "
                                          f"{got}: skipped")
            return  # the member is over: on to the next
        trailer = window.take(len(RECORD_END))
        if trailer != RECORD_END:
            if len(trailer) < len(RECORD_END) and file_ended():
                yield problem("truncated", "cut short at its end: the file ends there")
                return
            yield problem("wrong_length", f"its Content-Length ({length}) does not end where the record does: skipped")
            window.put_back((block or b"") + trailer)
            if not _resync(window):
                return
            continue
        yield RawRecord(offset, position, header, block, length)


def _resync(window: _Window) -> bool:
    """After a damaged record: on to the next line that starts a record ("WARC/1.") in these bytes."""
    if window.seek(b"\n" + RECORD_START):
        window.take(1)
        return True
    return False


# ------------------------------------------------------------------------------------------- records

@dataclass
class HttpResponse:
    """An archived HTTP response (a `response` record), its HTTP message parsed, its payload as archived."""

    path: str
    offset: int
    url: str
    date: str  # WARC-Date, ISO 8601
    record_id: str
    status: int
    headers: list[tuple[str, str]]
    payload: bytes  # the entity body after transfer decoding (de-chunked), content encoding still applied
    payload_digest: str | None
    identified_languages: str  # WARC-Identified-Content-Language (Common Crawl), "" when absent
    truncated: str | None  # WARC-Truncated: why the crawler cut the payload short
    metadata: dict[str, Any] | None = None  # this crawler's own metadata record about it (crawler.warc_writer)
    chunked: bytes | None = None  # the payload as archived, when it was chunked

    def header(self, name: str) -> str:
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), "")

    @property
    def content_type(self) -> str:
        return self.header("content-type")

    def digest_matches(self) -> bool:
        """Does the payload match its WARC-Payload-Digest (any algorithm hashlib knows, base32 or hex)?
        A record without one has nothing to check. Writers differ on a chunked payload: either form counts."""
        if not self.payload_digest:
            return True
        algorithm, _, expected = self.payload_digest.partition(":")
        name = algorithm.strip().lower().replace("-", "")
        if name not in hashlib.algorithms_available:
            return True
        expected = expected.strip().rstrip("=").upper()
        for data in (self.payload, self.chunked):
            if data is not None:
                digest = hashlib.new(name, data).digest()
                if expected in (base64.b32encode(digest).decode().rstrip("="), digest.hex().upper()):
                    return True
        return False


class BodyError(ValueError):
    """The payload's content encoding cannot be undone within the size limit."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def decoded_body(payload: bytes, content_encoding: str, limit: int) -> bytes:
    """The payload with its Content-Encoding undone, never inflating past `limit` bytes."""
    codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
    body = payload
    for coding in reversed(codings):
        if coding in ("identity", ""):
            continue
        if coding in ("gzip", "x-gzip", "deflate"):
            body = _inflate(body, limit, coding)
        elif coding == "br":
            body = _unbrotli(body, limit)
        elif coding == "zstd":
            body = _unzstd(body, limit)
        else:
            raise BodyError("unsupported_encoding", f"its content encoding {coding!r} is not supported")
    return body


def _too_large(limit: int) -> BodyError:
    return BodyError("too_large", f"its content inflates past {limit // 1_000_000} MB (DOWNLOAD_MAXSIZE)")


def _inflate(data: bytes, limit: int, coding: str) -> bytes:
    for wbits in ((zlib.MAX_WBITS | 16,) if coding != "deflate" else (zlib.MAX_WBITS, -zlib.MAX_WBITS)):
        inflater = zlib.decompressobj(wbits)
        try:
            out = inflater.decompress(data, limit + 1)
        except zlib.error as exc:
            if wbits == zlib.MAX_WBITS:
                continue  # raw deflate, as some servers send it
            raise BodyError("bad_encoding", f"its {coding} content does not inflate: {exc}") from None
        if len(out) > limit:
            raise _too_large(limit)
        return out
    raise BodyError("bad_encoding", f"its {coding} content does not inflate")


def _unbrotli(data: bytes, limit: int) -> bytes:
    import brotli

    decompressor = brotli.Decompressor()
    try:
        out = decompressor.process(data, output_buffer_limit=limit + 1)
    except brotli.error as exc:
        raise BodyError("bad_encoding", f"its br content does not decode: {exc}") from None
    if len(out) > limit or not decompressor.is_finished() and decompressor.process(b"", output_buffer_limit=1):
        raise _too_large(limit)
    return out


def _unzstd(data: bytes, limit: int) -> bytes:
    try:
        from compression import zstd  # type: ignore[import-not-found]  # Python 3.14
    except ImportError:
        from backports import zstd
    decompressor = zstd.ZstdDecompressor()
    try:
        out = decompressor.decompress(data, max_length=limit + 1)
    except zstd.ZstdError as exc:
        raise BodyError("bad_encoding", f"its zstd content does not decode: {exc}") from None
    if len(out) > limit:
        raise _too_large(limit)
    return out


@dataclass
class WarcReader:
    """The HTTP responses of one WARC input, and a Problem for everything unusable, in file order.

    Other records are counted by type (`counts`). A metadata record this crawler wrote about a response
    (crawler.warc_writer) is attached to it.
    """

    stream: IO[bytes]
    path: str
    limit: int = 10 * 1024 * 1024
    counts: Counter = field(default_factory=Counter)

    def __iter__(self) -> Iterator[HttpResponse | Problem]:
        pending: HttpResponse | None = None  # held until the records written with it (request, metadata) pass
        for item in frame_records(self.stream, self.path, self.limit):
            if isinstance(item, Problem):
                yield item
                continue
            self.counts["records"] += 1
            kind, parsed = self._parse(item)
            if pending is not None:
                if kind == "request":
                    continue
                if isinstance(parsed, dict):
                    if parsed.pop("_concurrent_to", None) == pending.record_id:
                        pending.metadata = parsed
                yield pending
                pending = None
            if isinstance(parsed, HttpResponse):
                pending = parsed
            elif isinstance(parsed, Problem):
                yield parsed
        if pending is not None:
            yield pending

    def _parse(self, raw: RawRecord) -> tuple[str, HttpResponse | Problem | dict | None]:
        """The record's type, and what of it matters: an HTTP response, a Problem, this crawler's metadata."""
        headers = HeaderMap()
        headers.parse(io.BytesIO(raw.header), has_status_line=True)
        kind = (headers.get("WARC-Type") or "").strip().lower()
        self.counts[f"type/{kind or 'none'}"] += 1
        if raw.block is None:
            if kind in ("response", "resource"):
                self.counts["too_large"] += 1
            return kind, None
        if kind == "metadata":
            return kind, self._metadata(headers, raw.block)
        if kind in ORDINARY_TYPES:
            return kind, None
        return kind, self._response(raw, headers, kind)

    def _response(self, raw: RawRecord, headers: HeaderMap, kind: str) -> HttpResponse | Problem:
        def problem(reason: str, message: str) -> Problem:
            return Problem(self.path, raw.offset, reason, message, raw.position)

        url = (headers.get("WARC-Target-URI") or "").strip().strip("<>")
        if kind != "response":
            return problem("not_http_response", f"a {kind or 'untyped'} record ({url or 'no target URI'}), not an "
                                                "HTTP response: skipped")
        http = HeaderMap()
        consumed = http.parse(io.BytesIO(raw.block), has_status_line=True)
        status_line = http.status_line or ""
        if not status_line.startswith("HTTP/") or http.status_code is None:
            return problem("not_http_response", f"a response record ({url or 'no target URI'}) whose content is not "
                                                f"an HTTP response (it starts with {raw.block[:24]!r}): skipped")
        fields = [(k, v) for k, v in http.to_tuples()]
        payload, chunked = raw.block[consumed:], None
        if any(k.lower() == "transfer-encoding" and "chunked" in v.lower() for k, v in fields):
            chunked, payload = payload, _dechunked(payload)
        return HttpResponse(
            path=self.path, offset=raw.offset, url=url, date=(headers.get("WARC-Date") or "").strip(),
            record_id=(headers.get("WARC-Record-ID") or "").strip(), status=int(http.status_code), headers=fields,
            payload=payload, payload_digest=(headers.get("WARC-Payload-Digest") or "").strip() or None,
            identified_languages=(headers.get("WARC-Identified-Content-Language") or "").strip(),
            truncated=(headers.get("WARC-Truncated") or "").strip() or None, chunked=chunked,
        )

    @staticmethod
    def _metadata(headers: HeaderMap, block: bytes) -> dict | None:
        if "json" not in (headers.get("Content-Type") or ""):
            return None
        try:
            value = json.loads(block)
        except ValueError:
            return None
        if not isinstance(value, dict):
            return None
        value["_concurrent_to"] = (headers.get("WARC-Concurrent-To") or "").strip()
        return value


def _dechunked(payload: bytes) -> bytes:
    """A chunked payload de-chunked; many crawlers de-chunk before archiving but keep the header, so a
    payload that is not chunked is kept as it is."""
    try:
        return ChunkedReader(io.BytesIO(payload)).read()
    except OSError:
        return payload
