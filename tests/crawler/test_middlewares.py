"""Which links may be followed, and how long a retry waits."""
import pytest
from scrapy import Request
from scrapy.http import Response
from scrapy.settings import Settings

import settings as project_settings
from crawler.middlewares import PoliteRetryMiddleware, refusal_reason


@pytest.mark.parametrize("url, allow_private, reason", [
    ("https://www.bbc.com/arabic/articles/c1", False, None),
    ("file:///etc/passwd", False, "bad_scheme"),
    ("ftp://example.com/a", False, "bad_scheme"),
    ("http://169.254.169.254/latest/meta-data/", True, "link_local_address"),
    ("http://[::ffff:169.254.169.254]/", True, "link_local_address"),
    ("http://2852039166/", True, "link_local_address"),  # 169.254.169.254 as one number
    ("http://metadata.google.internal/computeMetadata/v1/", True, "link_local_address"),
    ("http://127.0.0.1:8080/a", False, "private_address"),
    ("http://10.0.0.5/a", False, "private_address"),
    ("http://localhost/a", False, "private_address"),
    ("http://127.0.0.1:8080/a", True, None),  # the source's own feed is local
])
def test_refusals(url, allow_private, reason):
    assert refusal_reason(url, allow_private) == reason


@pytest.fixture
def retry():
    s = Settings()
    s.setmodule(project_settings)
    s.set("RETRY_BACKOFF_BASE", 1.0)
    return PoliteRetryMiddleware(s)


@pytest.mark.parametrize("header, attempt, wait", [
    (None, 0, 1.0), (None, 2, 4.0),  # exponential backoff
    (b"3", 0, 3.0), (b"0", 1, 2.0),  # Retry-After, never below the backoff
    (b"not a date", 0, 1.0),  # garbage: the backoff
    (b"99999", 0, None), (b"Wed, 21 Oct 2099 07:28:00 GMT", 0, None),  # beyond RETRY_AFTER_MAX: not this run
])
def test_retry_waits(retry, header, attempt, wait):
    response = Response("https://x.example/a", status=503, headers={"Retry-After": header} if header else {})
    assert retry._wait(Request("https://x.example/a", meta={"retry_times": attempt}), response) == wait
