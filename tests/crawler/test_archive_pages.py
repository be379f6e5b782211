"""Which archived responses are extracted: crawler.archive_pages on WARC files written with warcio."""
import gzip

from archives import write_warc
from conftest import AGENCY_STORY

from crawler.archive_pages import ArchivedPage, ArchivePages
from crawler.warc_inputs import WarcInput

PAGE = ("<!DOCTYPE html><html lang='ar'><head><meta charset='utf-8'><title>خبر</title></head><body><article>"
        + "".join(f"<p>{p}</p>" for p in AGENCY_STORY) + "</article></body></html>").encode("utf-8")


def pages(path) -> list:
    return [p for p in ArchivePages([WarcInput(str(path))]) if isinstance(p, ArchivedPage)]


def test_an_untyped_or_text_plain_page_is_sniffed_after_its_content_encoding_is_undone(tmp_path):
    from archives import exchange

    warc = tmp_path / "a.warc.gz"
    with open(warc, "wb") as f:
        f.write(exchange("https://news.example/1.html", "text/plain", gzip.compress(PAGE),
                         headers=[("Content-Encoding", "gzip")]))
        f.write(exchange("https://news.example/2.html", "text/plain", gzip.compress(b"just some text, no page"),
                         headers=[("Content-Encoding", "gzip")]))
    (kept,) = pages(warc)
    assert kept.url == "https://news.example/1.html" and kept.body == PAGE


def test_a_declared_html_page_is_kept_as_it_was(tmp_path):
    (kept,) = pages(write_warc(tmp_path / "b.warc.gz", [("https://news.example/3.html", "text/html", PAGE)]))
    assert kept.body == PAGE
