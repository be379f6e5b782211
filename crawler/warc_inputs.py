"""Which WARC files a command reads, and opening them as streams: local files, folders of WARC files, http(s)
URLs (streamed, never downloaded whole), and lists of any of these, one a line. Common Crawl publishes such a
list each month (CC-NEWS's warc.paths.gz), its paths relative to its data host (WARC_BASE_URL)."""
from __future__ import annotations

import gzip
import re
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from crawler.urls import is_http_url

# what a crawl writes (crawler.warc_writer: ".open" until the file is closed) and what archives publish
WARC_SUFFIXES = (".warc", ".warc.gz", ".warc.open", ".warc.gz.open")
_LIST_LINE = re.compile(r"^(?:https?://\S+|[^\s<>\"']+\.warc(?:\.gz)?(?:\.open)?)$")
_SNIFF_BYTES = 65536


class InputError(ValueError):
    """An argument that names nothing to read (a usage error: the command stops before starting)."""


@dataclass(frozen=True)
class WarcInput:
    location: str  # a file path or an http(s) URL

    @property
    def remote(self) -> bool:
        return is_http_url(self.location)

    def __str__(self) -> str:
        return self.location


def expand_inputs(args: list[str], base_url: str = "") -> list[WarcInput]:
    """Paths, folders, URLs and URL lists -> the WARC inputs, in the order given (a folder's files by name,
    which for files named by their time, as crawlers name them, is the order they were written in)."""
    inputs: list[WarcInput] = []
    for arg in args:
        if is_http_url(arg):
            inputs.append(WarcInput(arg))
            continue
        path = Path(arg)
        if path.is_dir():
            found = archive_files(path)
            if not found:
                raise InputError(f"{arg}: a folder with no WARC files ({', '.join(WARC_SUFFIXES)})")
            inputs.extend(WarcInput(str(f)) for f in found)
        elif path.is_file():
            inputs.extend(read_list(path, base_url) if looks_like_list(path) else [WarcInput(arg)])
        elif "://" in arg:
            raise InputError(f"{arg}: only http(s) URLs can be read")
        else:
            raise InputError(f"{arg}: no such file or folder")
    return inputs


def archive_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.name.endswith(WARC_SUFFIXES))


def looks_like_list(path: Path) -> bool:
    """A text file whose lines are WARC paths or URLs (gzip-compressed or not), rather than a WARC file."""
    with open(path, "rb") as f:
        head = f.read(_SNIFF_BYTES)
    if head[:2] == b"\x1f\x8b":
        try:
            head = zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(head, _SNIFF_BYTES)
        except zlib.error:
            return False
    if head.startswith(b"WARC/") or b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:
            return False
        text = head[: exc.start].decode("utf-8")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    if len(head) == _SNIFF_BYTES and lines:
        lines.pop()  # may be cut by the sample's end
    return bool(lines) and all(_LIST_LINE.match(line) for line in lines)


def read_list(path: Path, base_url: str = "") -> list[WarcInput]:
    """A list's entries: URLs; paths relative to the working folder or to the list's own folder; other
    relative paths joined to base_url (Common Crawl's lists name paths on its data host)."""
    opener = gzip.open if path.read_bytes()[:2] == b"\x1f\x8b" else open
    inputs = []
    with opener(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            entry = line.strip()
            if not entry or entry.startswith("#"):
                continue
            if is_http_url(entry):
                inputs.append(WarcInput(entry))
            elif Path(entry).is_absolute() or Path(entry).exists():
                inputs.append(WarcInput(entry))
            elif (path.parent / entry).exists():
                inputs.append(WarcInput(str(path.parent / entry)))
            elif base_url:
                inputs.append(WarcInput(base_url.rstrip("/") + "/" + entry.lstrip("/")))
            else:
                inputs.append(WarcInput(entry))
    return inputs


class CountingStream:
    """A binary stream that counts the bytes read from it, for progress (bytes read of `total`)."""

    def __init__(self, stream: IO[bytes], total: int | None) -> None:
        self.stream = stream
        self.total = total
        self.consumed = 0

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.consumed += len(data)
        return data

    def close(self) -> None:
        self.stream.close()


def open_input(source: WarcInput, user_agent: str, timeout: float = 60.0) -> CountingStream:
    """The input as a stream read from its start; OSError (with a one-line message) when it cannot be."""
    if not source.remote:
        stream = open(source.location, "rb")  # noqa: SIM115 (closed by the caller)
        return CountingStream(stream, Path(source.location).stat().st_size)
    request = urllib.request.Request(source.location, headers={"User-Agent": user_agent})
    try:
        response = urllib.request.urlopen(request, timeout=timeout)  # noqa: S310 (http(s) only: is_http_url)
    except urllib.error.HTTPError as exc:
        raise OSError(f"HTTP {exc.code}") from None
    except urllib.error.URLError as exc:
        raise OSError(str(exc.reason)) from None
    length = response.headers.get("Content-Length")
    return CountingStream(response, int(length) if length and length.isdigit() else None)

