"""Arabic pages in windows-1256 and ISO-8859-6, declared in the page, in the header, wrongly or not at all."""
import pytest

from crawler.encoding import decode_html
from crawler.extract import extract_article

TEXT = ("أعلنت وزارة الصحة اليوم إطلاق حملة تطعيم وطنية ضد الحصبة تستهدف نحو مليوني طفل دون سن الخامسة، "
        "وتستمر أسبوعين في جميع المحافظات، وقالت الوزارة إن فرق التطعيم ستزور المنازل في المناطق الريفية.")


def page(charset_in_page: str | None) -> str:
    meta = f'<meta charset="{charset_in_page}">' if charset_in_page else ""
    return (f'<html lang="ar"><head>{meta}<title>حملة تطعيم</title></head><body><article><h1>حملة تطعيم</h1>'
            f"<p>{TEXT}</p><p>{TEXT[::-1][:0]}ودعت الوزارة الأهالي إلى التعاون مع الفرق الصحية.</p></article></body></html>")


@pytest.mark.parametrize("encoding", ["windows-1256", "iso-8859-6"])
@pytest.mark.parametrize("in_page, header", [
    (True, ""),  # only in the page
    (False, "text/html; charset={enc}"),  # only in the header
    (True, "text/html; charset=utf-8"),  # the header is wrong
    (True, "text/html; charset=iso-8859-1"),  # the header is wrong another way
    (False, ""),  # declared nowhere
    (False, "text/html; charset=utf-8"),  # declared wrongly and nowhere else
])
def test_single_byte_arabic_pages_come_out_as_arabic(encoding, in_page, header):
    body = page(encoding if in_page else None).encode(encoding)
    article = extract_article(body, "https://x.example/a", content_type=header.format(enc=encoding))
    assert article.paragraphs[0] == TEXT and article.title == "حملة تطعيم"


def test_utf8_with_a_few_invalid_bytes_stays_utf8():
    body = page("utf-8").encode("utf-8")
    cut = body.index(TEXT.encode("utf-8"))  # stray bytes right before the paragraph
    text, encoding = decode_html(body[:cut] + b"\xff\xfe" + body[cut:], "text/html; charset=utf-8")
    assert encoding == "utf-8" and TEXT in text and text.count("\ufffd") == 2


def test_a_byte_order_mark_wins():
    body = b"\xef\xbb\xbf" + page(None).encode("utf-8")
    assert decode_html(body, "text/html; charset=windows-1256")[1] == "utf-8"
