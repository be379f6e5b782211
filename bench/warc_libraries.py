#!/usr/bin/env python3
"""warcio against FastWARC on the WARC files the crawler would write: ratios measured in the same run.

Each library writes the same 1,000 heavy news pages (bench/mirror.py, ~150 KB of HTML each) as request +
response record pairs, WARC/1.1, every record its own gzip member (level 9, warcio's fixed level) with
WARC-Block-Digest and WARC-Payload-Digest, then reads the file back: every record, every payload read.
Rounds alternate the libraries so a busy spell on the shared machine falls on both; the median is printed.

It also checks what the archive needs besides speed: each library reads the other's file with valid
payload digests, and a file cut short inside its last record (a kill -9 while writing) still yields every
whole record before the cut.

Run: .venv/bin/python bench/warc_libraries.py [--pages 1000] [--rounds 3]
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import io
import statistics
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from fastwarc.stream_io import GzipWriter  # noqa: E402
from fastwarc.warc import ArchiveIterator as FastIterator  # noqa: E402
from fastwarc.warc import WarcRecord, WarcRecordType  # noqa: E402
from warcio.archiveiterator import ArchiveIterator as WarcioIterator  # noqa: E402
from warcio.statusandheaders import StatusAndHeaders  # noqa: E402
from warcio.warcwriter import WARCWriter  # noqa: E402

from mirror import build_mirror  # noqa: E402

USER_AGENT = "arabic-news-crawler (bench)"
Page = tuple[str, bytes]


def http_response_head(body: bytes) -> bytes:
    return (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n")


def http_request_head(url: str) -> bytes:
    path = "/" + url.split("/", 3)[3]
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: {USER_AGENT}\r\n\r\n".encode()


def write_warcio(pages: list[Page], path: Path) -> None:
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=True, warc_version="1.1")
        for url, body in pages:
            response = writer.create_warc_record(
                url, "response", payload=io.BytesIO(body),
                http_headers=StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                                         ("Content-Length", str(len(body)))], protocol="HTTP/1.1"))
            request = writer.create_warc_record(
                url, "request", payload=io.BytesIO(b""),
                http_headers=StatusAndHeaders(http_request_head(url).split(b"\r\n")[0].decode(),
                                              [("Host", "127.0.0.1"), ("User-Agent", USER_AGENT)],
                                              is_http_request=True))
            writer.write_request_response_pair(request, response)


def write_fastwarc(pages: list[Page], path: Path, level: int = 9) -> None:
    # FastWARC 2.0 computes the block digest itself but not the payload digest of a record built in
    # memory: it is passed in. finish() after each record closes its gzip member.
    with open(path, "wb") as out:
        writer = GzipWriter(out, compression_level=level)
        for url, body in pages:
            response = _fast_record(WarcRecordType.response, url, http_response_head(body) + body)
            response.write(writer, checksum_data=True, payload_digest=hashlib.sha1(body).digest())
            writer.finish()
            request = _fast_record(WarcRecordType.request, url, http_request_head(url))
            request.headers["WARC-Concurrent-To"] = response.record_id
            request.write(writer, checksum_data=True, payload_digest=hashlib.sha1(b"").digest())
            writer.finish()


def _fast_record(kind: WarcRecordType, url: str, block: bytes) -> WarcRecord:
    record = WarcRecord()
    record.init_headers(kind)
    record.headers["WARC-Target-URI"] = url
    record.headers["Content-Type"] = f"application/http; msgtype={'response' if kind == WarcRecordType.response else 'request'}"
    record.set_bytes_content(block)
    record.is_http = True
    return record


def read_warcio(path: Path) -> tuple[int, int]:
    records = size = 0
    with open(path, "rb") as stream:
        for record in WarcioIterator(stream):
            records += 1
            size += len(record.raw_stream.read())
    return records, size


def read_fastwarc(path: Path) -> tuple[int, int]:
    records = size = 0
    with open(path, "rb") as stream:
        for record in FastIterator(stream):
            records += 1
            size += len(record.reader.read())
    return records, size


def verified_payloads(path: Path, reader: str) -> tuple[int, int]:
    """(responses, responses whose WARC-Payload-Digest matches their body), read with the named library."""
    responses = valid = 0
    with open(path, "rb") as stream:
        if reader == "fastwarc":
            for record in FastIterator(stream, record_types=WarcRecordType.response):
                responses += 1
                valid += record.verify_payload_digest()
        else:
            for record in WarcioIterator(stream):
                if record.rec_type != "response":
                    continue
                responses += 1
                digest = record.rec_headers.get_header("WARC-Payload-Digest")
                valid += digest == _sha1_label(record.raw_stream.read())
    return responses, valid


def _sha1_label(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def member_ends(path: Path) -> list[int]:
    """Byte offset where each gzip member of the file ends."""
    data, ends, offset = path.read_bytes(), [], 0
    while offset < len(data):
        inflater = zlib.decompressobj(zlib.MAX_WBITS + 16)
        inflater.decompress(data[offset:])
        offset = len(data) - len(inflater.unused_data)
        ends.append(offset)
    return ends


def records_before_cut(path: Path, cut_path: Path, library: str) -> str:
    """Cut the file inside a record's gzip member near its end (as kill -9 mid-write would): what is still read?"""
    data = path.read_bytes()
    cut = len(data) - 2000
    whole = sum(end <= cut for end in member_ends(path))
    cut_path.write_bytes(data[:cut])
    read = short = 0
    outcome = "a clean end"
    try:
        with open(cut_path, "rb") as stream:
            if library == "fastwarc":
                for record in FastIterator(stream):
                    declared = record.http_headers.get("Content-Length") if record.is_http else None
                    short += declared is not None and len(record.reader.read()) < int(declared)
                    read += 1
            else:
                for record in WarcioIterator(stream):
                    declared = record.http_headers.get_header("Content-Length") if record.http_headers else None
                    short += declared is not None and len(record.raw_stream.read()) < int(declared)
                    read += 1
    except Exception as error:  # how each library meets the torn end is what this reports
        outcome = f"{type(error).__name__}: {str(error)[:70]}"
    return f"{read} records read ({whole} whole before the cut), {short} of them with a short payload, then {outcome}"


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    site = build_mirror(args.pages)
    pages = [(f"http://127.0.0.1:8000{path}", body) for path, (kind, body) in site.items() if "html" in kind][: args.pages]
    html_bytes = sum(len(body) for _, body in pages)
    records = 2 * len(pages)
    print(f"{len(pages)} pages, {html_bytes / len(pages) / 1024:.0f} KB of HTML each on average; "
          f"{records} records (request + response) per file")

    writers = {"warcio": write_warcio, "fastwarc": write_fastwarc}
    readers = {"warcio": read_warcio, "fastwarc": read_fastwarc}
    write_s: dict[str, list[float]] = {name: [] for name in writers}
    read_s: dict[str, list[float]] = {name: [] for name in readers}
    with tempfile.TemporaryDirectory() as tmp:
        files = {name: Path(tmp, f"{name}.warc.gz") for name in writers}
        for round_number in range(args.rounds):
            order = list(writers) if round_number % 2 == 0 else list(reversed(writers))
            for name in order:
                write_s[name].append(timed(lambda: writers[name](pages, files[name])))
            for name in order:
                read_s[name].append(timed(lambda: readers[name](files[name])))
        level6 = Path(tmp, "fastwarc-level6.warc.gz")
        level6_s = timed(lambda: write_fastwarc(pages, level6, level=6))

        for name in writers:
            count, size = readers[name](files[name])
            assert count == records, f"{name} read {count} of {records} records"
        assert readers["warcio"](files["warcio"])[1] == readers["fastwarc"](files["fastwarc"])[1]

        print(f"\n{'library':10s} {'write rec/s':>12s} {'read rec/s':>11s} {'file MB':>8s} {'gzip members':>13s}")
        rate = {}
        for name in writers:
            rate[name] = (records / statistics.median(write_s[name]), records / statistics.median(read_s[name]))
            print(f"{name:10s} {rate[name][0]:12.0f} {rate[name][1]:11.0f} "
                  f"{files[name].stat().st_size / 1e6:8.1f} {len(member_ends(files[name])):13d}")
        print(f"{'fastwarc, gzip level 6':24s} write {records / level6_s:.0f} rec/s, {level6.stat().st_size / 1e6:.1f} MB")
        print(f"\nratio FastWARC / warcio: write {rate['fastwarc'][0] / rate['warcio'][0]:.2f}x, "
              f"read {rate['fastwarc'][1] / rate['warcio'][1]:.2f}x  (median of {args.rounds} alternating rounds)")

        print("\npayload digests verified (responses valid / read), each library on each file:")
        for reader in readers:
            for name in writers:
                responses, valid = verified_payloads(files[name], reader)
                print(f"  {reader:8s} reading {name:8s} file: {valid}/{responses}")
        print("\nfile cut 2,000 bytes short of its end (a writer killed mid-record):")
        for reader in readers:
            for name in writers:
                outcome = records_before_cut(files[name], Path(tmp, "cut.warc.gz"), reader)
                print(f"  {reader:8s} reading {name:8s} file: {outcome}")


if __name__ == "__main__":
    main()
