"""crawler.warc_writer: what the crawl archives, read back with warcio (the reference library) and ours."""
import json
import os
import zlib
from datetime import datetime, timezone

from warcio.archiveiterator import ArchiveIterator

from crawler.warc_reader import HttpResponse, WarcReader
from crawler.warc_writer import Exchange, WarcWriter, archive_folder

BODY = "<html lang='ar'><body><p>أعلن البنك المركزي رفع سعر الفائدة</p></body></html>".encode()


def exchange(n: int, body: bytes = BODY, **extra) -> Exchange:
    return Exchange(url=f"https://news.example/a/{n}.html", method="GET",
                    request_headers=[(b"User-Agent", b"arabic-news-crawler/0.1.0"), (b"Accept-Encoding", b"gzip")],
                    request_body=b"", status=200, protocol="HTTP/1.1",
                    response_headers=[(b"Content-Type", b"text/html; charset=utf-8"), (b"Server", b"nginx")],
                    body=body, date=datetime(2024, 5, 1, 8, 0, 0, 250000, tzinfo=timezone.utc),
                    metadata={"kind": "article", "source": "wadi", "entry": {"title": "عنوان"}}, **extra)


def test_every_exchange_reads_back_whole_with_warcio_digests_checked(tmp_path):
    writer = WarcWriter(tmp_path, info={"software": "test"})
    for n in range(3):
        writer.write(exchange(n))
    writer.close()
    (path,) = writer.files
    assert path.name.endswith(".warc.gz") and path.exists() and not list(tmp_path.glob("*.open"))
    records = []
    with open(path, "rb") as f:
        for record in ArchiveIterator(f, check_digests="raise"):
            records.append((record.rec_type, record.rec_headers.get_header("WARC-Target-URI"),
                            record.rec_headers.protocol, record.content_stream().read()))
    assert [r[0] for r in records] == ["warcinfo"] + ["request", "response", "metadata"] * 3
    assert {r[2] for r in records} == {"WARC/1.1"}
    response = records[2]
    assert response[1] == "https://news.example/a/0.html" and response[3] == BODY
    assert json.loads(records[3][3])["entry"] == {"title": "عنوان"}


def test_every_record_is_its_own_gzip_member(tmp_path):
    writer = WarcWriter(tmp_path)
    writer.write(exchange(0))
    writer.close()
    data, count = writer.files[0].read_bytes(), 0
    while data:
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        assert inflater.decompress(data).startswith(b"WARC/1.1\r\n")
        data, count = inflater.unused_data, count + 1
    assert count == 4  # warcinfo, request, response, metadata


def test_our_reader_gets_the_response_with_its_metadata_and_the_real_status(tmp_path):
    writer = WarcWriter(tmp_path)
    writer.write(exchange(0))
    writer.write(Exchange(**{**exchange(1).__dict__, "status": 304, "body": b"", "metadata": None}))
    writer.close()
    with open(writer.files[0], "rb") as f:
        items = list(WarcReader(f, str(writer.files[0])))
    assert [type(i) for i in items] == [HttpResponse, HttpResponse]
    assert items[0].metadata["kind"] == "article" and items[0].header("server") == "nginx"
    assert items[1].status == 304 and items[1].metadata is None


def test_files_rotate_past_the_size_limit_and_a_file_is_never_appended_to(tmp_path):
    writer = WarcWriter(tmp_path, max_size=2_000)
    for n in range(4):
        writer.write(exchange(n, body=os.urandom(3_000)))  # each exchange past the limit on its own
    assert writer.files[-1].name.endswith(".warc.gz.open")  # the one being written
    writer.close()
    assert len(writer.files) == 4 and all(f.suffix == ".gz" and f.exists() for f in writer.files)
    again = WarcWriter(tmp_path)
    again.write(exchange(9))
    again.close()
    assert again.files[0] not in writer.files and len(list(tmp_path.iterdir())) == 5


def test_a_chunked_response_is_archived_dechunked_and_says_so(tmp_path):
    writer = WarcWriter(tmp_path)
    chunked = exchange(0)
    chunked.response_headers.append((b"Transfer-Encoding", b"chunked"))
    writer.write(chunked)
    writer.close()
    with open(writer.files[0], "rb") as f:
        (response,) = list(WarcReader(f, "x"))
    assert response.payload == BODY and response.header("x-crawler-transfer-encoding") == "chunked"
    assert not response.header("transfer-encoding")


class Settings(dict):
    def get(self, name, default=None):
        return super().get(name, default)

    def getbool(self, name):
        return bool(self.get(name))


def test_the_archive_lives_beside_the_sqlite_database_unless_told_otherwise():
    base = {"WARC_ENABLED": True, "WARC_DIR": "", "CRAWLER_PRINT": False}
    assert str(archive_folder(Settings(base, CRAWLER_DB="data/news.db"))) == "data/warc"
    assert str(archive_folder(Settings(base, CRAWLER_DB="sqlite:///srv/c/news.db"))) == "/srv/c/warc"
    assert str(archive_folder(Settings(base, CRAWLER_DB="postgresql://u@h/db"))) == "data/warc"
    assert str(archive_folder(Settings(base, CRAWLER_DB="x.db", WARC_DIR="/arch"))) == "/arch"
    assert archive_folder(Settings(base, CRAWLER_DB="x.db", WARC_ENABLED=False)) is None
    assert archive_folder(Settings(base, CRAWLER_DB="x.db", CRAWLER_PRINT=True)) is None


def test_the_archived_request_names_the_host_never_the_urls_password(tmp_path):
    writer = WarcWriter(tmp_path, info={"software": "test"})
    writer.write(Exchange(**{**exchange(0).__dict__, "url": "https://editor:s3cret@news.example:8443/a/0.html?id=7"}))
    writer.close()
    (path,) = writer.files
    with open(path, "rb") as f:
        request = next(r for r in ArchiveIterator(f) if r.rec_type == "request")
        assert (request.http_headers.protocol, request.http_headers.statusline) == ("GET", "/a/0.html?id=7 HTTP/1.1")
        assert request.http_headers.get_header("Host") == "news.example:8443"
