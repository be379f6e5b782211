"""The worker's batch step: each page of a batch comes back as its article or as its own failure."""
from pathlib import Path

import crawler.demo
from crawler import worker
from crawler.extract import ExtractionError, extract_article
from crawler.record import Article

SEED = Path(crawler.demo.__file__).parent / "seed_article.txt"


def page(paragraphs: list[str], title: str) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<html lang="ar"><head><meta charset="utf-8"><title>{title}</title></head><body><article>'
            f"<h1>{title}</h1>{body}</article></body></html>").encode("utf-8")


def test_a_batch_gives_each_page_its_article_or_its_failure():
    lines = [line for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    title, body = lines[2], lines[3:]
    good = page(body, title)
    items = [
        Article(url="https://s.example/seed", source="s", raw_html=good, content_type="text/html; charset=utf-8"),
        Article(url="https://s.example/empty", source="s", raw_html=b"   "),
        Article(url="https://s.example/menu", source="s", raw_html=page(["الرئيسية"], "عنوان")),
        Article(url="https://s.example/again", source="s", raw_html=good, content_type="text/html; charset=utf-8"),
    ]
    results = worker.process_pages(items)
    alone = extract_article(good, "https://s.example/seed", content_type="text/html; charset=utf-8")
    assert [r.reason for r in results if isinstance(r, ExtractionError)] == ["empty_page", "no_body"]
    first, last = results[0], results[3]
    assert first.paragraphs == alone.paragraphs == last.paragraphs and first.removed == alone.removed
    signed = worker.sign(alone)
    assert (first.signature, first.text_hash, first.fingerprint.anchors) == (
        signed.signature, signed.text_hash, signed.fingerprint.anchors)
    assert len(first.paragraphs) == len(body) - 3  # the seed's two pull quotes and its repeated headline


def test_a_bug_meeting_one_page_fails_that_page_only(monkeypatch):
    lines = [line for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    good = page(lines[3:], lines[2])
    real_finish = worker.finish_page

    def finish(parsed, deduplicator):
        if parsed.url.endswith("/bug"):
            raise KeyError("a field the code did not expect")
        return real_finish(parsed, deduplicator)

    monkeypatch.setattr(worker, "finish_page", finish)
    items = [Article(url=f"https://s.example/{name}", source="s", raw_html=good) for name in ("a", "bug", "b")]
    results = worker.process_pages(items)
    assert [type(r).__name__ for r in results] == ["Article", "ExtractionError", "Article"]
    assert results[1].reason == "extraction_error" and "KeyError" in str(results[1])
