"""Arabic pages in windows-1256 and ISO-8859-6, declared in the page, in the header, wrongly or not at all.
Feeds go through the same decoder: tests/crawler/test_feeds.py has their charset cases."""
import pytest

from crawler.encoding import decode_body
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
    text, encoding = decode_body(body[:cut] + b"\xff\xfe" + body[cut:], "text/html; charset=utf-8")
    assert encoding == "utf-8" and TEXT in text and text.count("\ufffd") == 2


def test_a_byte_order_mark_wins():
    body = b"\xef\xbb\xbf" + page(None).encode("utf-8")
    assert decode_body(body, "text/html; charset=windows-1256")[1] == "utf-8"


# what the page decoder got wrong before pages and feeds shared one (crawler/encoding.py says how it was measured)

def test_iso_8859_6_declared_as_windows_1256_reads_as_iso_8859_6():
    body = page("windows-1256").encode("iso-8859-6")  # both tables decode these bytes without an error
    text, encoding = decode_body(body, "text/html; charset=windows-1256")
    assert encoding == "iso8859-6" and TEXT in text


def test_utf8_with_stray_bytes_under_a_windows_1256_label_stays_utf8():
    body = page("windows-1256").encode("utf-8")
    cut = body.index(TEXT.encode("utf-8"))
    text, encoding = decode_body(body[:cut] + b"\xff\xfe" + body[cut:], "text/html; charset=windows-1256")
    assert encoding == "utf-8" and TEXT in text


def test_a_feed_item_with_stray_bytes_inside_a_letter_stays_utf8():
    item = f"<item><title>حملة تطعيم</title><description>{TEXT}</description></item>".encode("utf-8")
    cut = item.index("تطعيم".encode("utf-8")) + 1  # between the two bytes of a letter: four bad characters
    text, encoding = decode_body(item[:cut] + b"\xff\xfe" + item[cut:])
    assert encoding == "utf-8" and text.count("\ufffd") == 4 and TEXT in text


@pytest.mark.parametrize("content_type, in_page", [("text/html; charset=windows-1252", None),
                                                    ("text/html", "windows-1252"),
                                                    ("text/html; charset=iso-8859-1", None)])
def test_an_english_windows_1252_page_is_not_read_through_an_arabic_table(content_type, in_page):
    meta = f'<meta charset="{in_page}">' if in_page else ""
    html = (f"<html><head>{meta}<title>Señor Müller’s café</title></head><body><p>Ça coûte 5 € — "
            "naïve Øresund Ñandú</p></body></html>")
    assert decode_body(html.encode("cp1252"), content_type)[0] == html


def test_two_stray_bytes_in_a_declared_windows_1252_page_are_no_sign_of_utf8():
    html = "<html><head><title>Copyright\xa0© 2024</title></head><body><p>News</p></body></html>"
    assert decode_body(html.encode("cp1252"), "text/html; charset=windows-1252") == (html, "cp1252")
