"""The crawl's web archive: every response with its request, in gzip-compressed WARC/1.1 files.

FastWARC lays the records out (measured here against warcio: 1.9x as fast writing and 3.6x reading,
docs/benchmarks.md). Three of its ways are wrong for an archive and are avoided here: it does not compute the
WARC-Payload-Digest of a record built in memory; it writes one gzip member for the whole file unless
`finish()` closes one after each record (here every record is its own member, so a reader can start at any
record's offset); and `parse_http()` before writing would drop the HTTP header block (never called here).
Digests and compression are done with hashlib and zlib (see `_members`).

Each exchange (request, response, and the crawler's metadata record about the response) is compressed in
memory and reaches the file in one write(): a crawl killed with kill -9 leaves files that end at a whole
record. A file is written as NAME.warc.gz.open and renamed NAME.warc.gz when it is closed, as Heritrix
does; a file still named .open was left by a run that did not finish, and is read all the same. The writer
never appends to an existing file: each run, and each rotation at WARC_MAX_SIZE, starts a new one.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import os
import re
import socket
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastwarc.warc import WarcRecord, WarcRecordType

LOGGER = logging.getLogger(__name__)

OPEN_SUFFIX = ".open"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class Exchange:
    """One response and the request that got it, as plain data (taken on the reactor thread, written in the
    archive's own thread)."""

    url: str
    method: str
    request_headers: list[tuple[bytes, bytes]]
    request_body: bytes
    status: int
    protocol: str
    response_headers: list[tuple[bytes, bytes]]
    body: bytes  # as received: a compressed body stays compressed, its Content-Encoding header says how
    date: datetime
    ip_address: str | None = None
    metadata: dict[str, Any] | None = None  # what the crawler knew of the page (kind, source, feed entry)


@dataclass
class WarcWriter:
    """Writes exchanges to FOLDER/PREFIX-TIMESTAMP-SERIAL-HOST-PID.warc.gz files, a new one past max_size."""

    folder: Path
    prefix: str = "arabic-news"
    max_size: int = 1_000_000_000
    gzip_level: int = 6
    info: dict[str, str] = field(default_factory=dict)  # the warcinfo record's fields (software, robots...)
    files: list[Path] = field(default_factory=list)  # every file written, under its final name once closed
    records: int = 0
    _file: Any = None
    _path: Path | None = None
    _size: int = 0
    _warcinfo_id: str = ""

    def write(self, exchange: Exchange) -> None:
        """Append one exchange (its records, each its own gzip member) in one write; rotate first if full."""
        if self._file is None or self._size >= self.max_size:
            self._rotate()
        data = self._exchange_bytes(exchange)
        self._file.write(data)
        self._file.flush()  # to the kernel: a killed process loses nothing written so far
        self._size += len(data)

    def close(self) -> None:
        if self._file is None:
            return
        self._file.close()
        self._file = None
        assert self._path is not None
        final = self._path.with_name(self._path.name.removesuffix(OPEN_SUFFIX))
        os.replace(self._path, final)
        self.files[-1] = final

    def _rotate(self) -> None:
        self.close()
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S")
        host = _UNSAFE.sub("-", socket.gethostname()) or "host"
        serial = len(self.files)
        while True:  # a name no file has, open or closed: the rename at close must not replace one
            name = f"{self.prefix}-{stamp}-{serial:05d}-{host}-{os.getpid()}.warc.gz"
            self._path = self.folder / (name + OPEN_SUFFIX)
            if not (self.folder / name).exists():
                try:
                    # never an existing file: records appended after a torn one could not be read
                    self._file = open(self._path, "xb")
                    break
                except FileExistsError:
                    pass
            serial += 1
        self.files.append(self._path)
        fields = "".join(f"{k}: {v}\r\n" for k, v in self.info.items()).encode("utf-8")
        info = _record(WarcRecordType.warcinfo, "application/warc-fields", fields)
        info.headers["WARC-Filename"] = name
        self._warcinfo_id = info.record_id or ""
        data = _members(self.gzip_level, [(info, fields, None)])
        self._file.write(data)
        self._file.flush()
        self._size = len(data)

    def _exchange_bytes(self, exchange: Exchange) -> bytes:
        response_block = _response_head(exchange) + exchange.body
        response = _record(WarcRecordType.response, "application/http; msgtype=response", response_block, exchange)
        if exchange.ip_address:
            response.headers["WARC-IP-Address"] = exchange.ip_address
        request_block = _request_head(exchange) + exchange.request_body
        request = _record(WarcRecordType.request, "application/http; msgtype=request", request_block, exchange)
        records = [(request, request_block, exchange.request_body), (response, response_block, exchange.body)]
        if exchange.metadata:
            block = json.dumps(exchange.metadata, ensure_ascii=False).encode("utf-8")
            records.append((_record(WarcRecordType.metadata, "application/json", block, exchange), block, None))
        for record, _block, _payload in records:
            record.headers["WARC-Warcinfo-ID"] = self._warcinfo_id
            if record is not response:
                record.headers["WARC-Concurrent-To"] = response.record_id or ""
        self.records += len(records)
        return _members(self.gzip_level, records)


def _record(kind: WarcRecordType, content_type: str, block: bytes, exchange: Exchange | None = None) -> WarcRecord:
    record = WarcRecord()
    record.init_headers(kind)
    if exchange is not None:
        record.record_date = exchange.date
        record.headers["WARC-Target-URI"] = exchange.url
    record.headers["Content-Type"] = content_type
    record.set_bytes_content(block)
    return record


def _members(level: int, records: list[tuple[WarcRecord, bytes, bytes | None]]) -> bytes:
    """The records as gzip members, one each, in memory, with their WARC-Block-Digest and, for a record with an
    HTTP payload, its WARC-Payload-Digest. The digests and the compression are hashlib's and zlib's, which let
    go of the GIL while they work (FastWARC's own holds it, measured: the crawl's reactor thread got half its
    time while a page was written); FastWARC lays the record out."""
    out = []
    for record, block, payload in records:
        record.headers["WARC-Block-Digest"] = _sha1_label(block)
        if payload is not None:
            record.headers["WARC-Payload-Digest"] = _sha1_label(payload)
        raw = io.BytesIO()
        record.write(raw, checksum_data=False)
        compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        out.append(compressor.compress(raw.getvalue()) + compressor.flush())
    return b"".join(out)


def _sha1_label(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def _request_head(exchange: Exchange) -> bytes:
    parts = urlsplit(exchange.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    # the host as the Host header names it: never the URL's user or password
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if parts.port:
        host = f"{host}:{parts.port}"
    lines = [f"{exchange.method} {target} HTTP/1.1".encode("latin-1", "replace")]
    if not any(name.lower() == b"host" for name, _ in exchange.request_headers):
        lines.append(b"Host: " + host.encode("ascii", "replace"))  # Scrapy's URLs are IDNA-encoded already
    lines += [name + b": " + value for name, value in exchange.request_headers]
    return b"\r\n".join(lines) + b"\r\n\r\n"


def _response_head(exchange: Exchange) -> bytes:
    try:
        reason = HTTPStatus(exchange.status).phrase
    except ValueError:
        reason = ""
    lines = [f"{exchange.protocol or 'HTTP/1.1'} {exchange.status} {reason}".rstrip().encode("latin-1")]
    for name, value in exchange.response_headers:
        if name.lower() == b"transfer-encoding":  # the body is archived de-chunked, as Scrapy received it
            name = b"X-Crawler-Transfer-Encoding"
        lines.append(name + b": " + value)
    return b"\r\n".join(lines) + b"\r\n\r\n"


def archive_folder(settings: Any) -> Path | None:
    """Where this run archives its responses, or None when it does not: WARC_ENABLED off, `scrape --print`
    (nothing is stored), an in-memory database. WARC_DIR, else warc/ beside the SQLite database (data/warc
    for a database server)."""
    if not settings.getbool("WARC_ENABLED") or settings.getbool("CRAWLER_PRINT"):
        return None
    if settings.get("WARC_DIR"):
        return Path(settings.get("WARC_DIR"))
    db = str(settings.get("CRAWLER_DB"))
    if db == ":memory:":
        return None
    if "://" in db and not db.startswith(("sqlite:", "file:")):
        return Path("data/warc")
    path = urlsplit(db).path if ":" in db.split("/")[0] else db
    return Path(path).parent / "warc"
