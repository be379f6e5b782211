"""crawler.warc_reader on WARC files written by warcio (the reference library), whole and damaged."""
import gzip
import io
import re
import zlib

import brotli
import pytest
from warcio.warcwriter import WARCWriter

from archives import exchange, gzip_bomb_member
from crawler.warc_reader import HttpResponse, NotWarc, Problem, WarcReader, BodyError, decoded_body

PAGE = "<html lang='ar'><body><p>أعلن البنك المركزي اليوم رفع سعر الفائدة</p></body></html>".encode()


def pages(n, start=0):
    return [(f"https://news.example/a/{i}.html", "text/html; charset=utf-8", PAGE + str(i).encode())
            for i in range(start, start + n)]


def read(data: bytes, limit=10_000_000):
    return list(WarcReader(io.BytesIO(data), "test.warc.gz", limit))


def responses(items):
    return [i.url for i in items if isinstance(i, HttpResponse)]


def problems(items):
    return [i for i in items if isinstance(i, Problem)]


def members(data: bytes) -> list[bytes]:
    """The inflated records of a file written a gzip member per record."""
    out = []
    while data:
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        out.append(inflater.decompress(data))
        data = inflater.unused_data
    return out


def with_length(record: bytes, delta: int) -> bytes:
    return re.sub(rb"Content-Length: (\d+)\r\n", lambda m: b"Content-Length: %d\r\n" % (int(m.group(1)) + delta),
                  record, count=1)


@pytest.mark.parametrize("gzipped", [True, False])
def test_every_response_is_read_with_its_http_message(gzipped):
    data = b"".join(exchange(*p, gzipped=gzipped) for p in pages(3))
    items = read(data)
    assert responses(items) == [u for u, _, _ in pages(3)] and not problems(items)
    first = items[0]
    assert first.status == 200 and first.content_type == "text/html; charset=utf-8"
    assert first.payload == PAGE + b"0" and first.digest_matches() and first.offset == 0


def test_a_whole_file_compressed_as_one_gzip_member_is_read_too():
    plain = b"".join(exchange(*p, gzipped=False) for p in pages(3))
    assert responses(read(gzip.compress(plain))) == [u for u, _, _ in pages(3)]


@pytest.mark.parametrize("delta", [+300, -20])
def test_a_record_whose_content_length_is_wrong_is_reported_and_the_next_one_read(delta):
    a, b, c = (exchange(*p) for p in pages(3))
    response, request = members(b)  # warcio writes the response first
    items = read(a + gzip.compress(with_length(response, delta)) + gzip.compress(request) + c)
    assert responses(items) == [pages(3)[0][0], pages(3)[2][0]]
    (problem,) = problems(items)
    assert problem.reason == "wrong_length" and problem.offset == len(a)
    assert "Content-Length" in str(problem) and f"test.warc.gz: record at offset {len(a)}:" in str(problem)


@pytest.mark.parametrize("delta", [+300, -20])
def test_in_an_uncompressed_file_the_next_record_is_found_after_a_wrong_length(delta):
    a, b, c = (exchange(*p, gzipped=False) for p in pages(3))
    items = read(a + with_length(b, delta) + c)  # the response comes first: its length is the one changed
    assert responses(items) == [pages(3)[0][0], pages(3)[2][0]]
    assert [p.reason for p in problems(items)] == ["wrong_length"]


def test_a_file_cut_short_gives_every_whole_record_then_says_where_it_was_cut():
    data = b"".join(exchange(*p) for p in pages(2))
    response, _request = members(exchange(*pages(1, 2)[0]))
    items = read(data + gzip.compress(response)[:-60])  # a writer killed inside the third response
    assert responses(items) == [u for u, _, _ in pages(2)]
    (problem,) = problems(items)
    assert problem.reason == "truncated" and "cut short" in problem.message


def test_a_file_that_is_not_a_warc_is_said_to_be_so():
    with pytest.raises(NotWarc, match="not a WARC file"):
        read(b"<!DOCTYPE html><html><body>a page</body></html>")
    with pytest.raises(NotWarc, match="not of WARC records"):
        read(gzip.compress(b"name,count\nx,1\n"))


def test_a_gzip_member_that_inflates_without_bound_is_skipped_and_reading_goes_on():
    a, c = exchange(*pages(1)[0]), exchange(*pages(1, 5)[0])
    items = read(a + gzip_bomb_member(2000) + c, limit=1_000_000)  # 2 GB of zeros behind a record header
    assert responses(items) == [pages(1)[0][0], pages(1, 5)[0][0]]
    (problem,) = problems(items)
    assert problem.reason == "decompression_bomb" and problem.offset == len(a)


def test_records_that_are_not_http_responses_are_named_and_skipped():
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    writer.write_record(writer.create_warc_record("https://shots.example/1.png", "resource",
                                                  payload=io.BytesIO(b"\x89PNG\r\n\x1a\n" + bytes(64)),
                                                  warc_content_type="image/png"))
    writer.write_record(writer.create_warc_record("dns:news.example", "response",
                                                  payload=io.BytesIO(b"20240501120000\nnews.example. 300 IN A 10.0.0.1\n"),
                                                  warc_content_type="text/dns"))
    items = read(buffer.getvalue() + exchange(*pages(1)[0]))
    assert responses(items) == [pages(1)[0][0]]
    assert [p.reason for p in problems(items)] == ["not_http_response", "not_http_response"]
    assert "resource record (https://shots.example/1.png)" in str(problems(items)[0])
    assert "dns:news.example" in str(problems(items)[1])


def test_bytes_between_members_are_skipped_to_the_next_record():
    a, b = exchange(*pages(1)[0]), exchange(*pages(1, 1)[0])
    items = read(a + b"\x00garbage\x1f\x8b not a member" + b)
    assert responses(items) == [pages(1)[0][0], pages(1, 1)[0][0]]
    assert [p.reason for p in problems(items)] == ["not_a_record"]


def test_a_damaged_payload_does_not_match_its_digest():
    data = exchange(*pages(1)[0], gzipped=False).replace("المركزي".encode(), "المركزى".encode())
    (response,) = responses_of(read(data))
    assert not response.digest_matches()


def responses_of(items):
    return [i for i in items if isinstance(i, HttpResponse)]


def test_a_chunked_payload_is_dechunked_and_either_digest_form_counts():
    body = b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    data = exchange("https://news.example/c", "text/html", body, headers=[("Transfer-Encoding", "chunked")])
    (response,) = responses_of(read(data))
    assert response.payload == b"hello world" and response.digest_matches()


def test_content_encodings_are_undone_within_the_size_limit():
    assert decoded_body(gzip.compress(PAGE), "gzip", 10_000) == PAGE
    assert decoded_body(zlib.compress(PAGE), "deflate", 10_000) == PAGE
    assert decoded_body(brotli.compress(PAGE), "br", 10_000) == PAGE
    with pytest.raises(BodyError) as bomb:
        decoded_body(gzip.compress(bytes(50_000_000)), "gzip", 10_000_000)
    assert bomb.value.reason == "too_large"
    with pytest.raises(BodyError) as unknown:
        decoded_body(PAGE, "compress", 10_000)
    assert unknown.value.reason == "unsupported_encoding"


def test_the_crawlers_metadata_record_is_attached_to_its_response():
    buffer = io.BytesIO()
    buffer.write(exchange(*pages(1)[0]))
    response_id = re.search(rb"WARC-Record-ID: (<[^>]+>)", members(buffer.getvalue())[0]).group(1).decode()
    writer = WARCWriter(buffer, gzip=True)
    writer.write_record(writer.create_warc_record(
        pages(1)[0][0], "metadata", payload=io.BytesIO(b'{"kind": "article", "source": "wadi"}'),
        warc_content_type="application/json", warc_headers_dict={"WARC-Concurrent-To": response_id}))
    (response,) = responses_of(read(buffer.getvalue()))
    assert response.metadata == {"kind": "article", "source": "wadi"}
