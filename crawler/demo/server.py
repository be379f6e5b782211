"""One local HTTP server for the demo, the tests and the benchmarks: routes registered per use, on 127.0.0.1.

It lives in the demo package because the demo ships with the product and serves its site with it at run
time; the tests' hostile site (tests/hostile_site.py) and the benchmark mirror (bench/mirror.py) register
their own routes on the same server. Each request is counted by path (`hits`) and written to an access log
(`log`: the Host header, the method, the target and the status), so a test can assert what was, and what
was never, asked for.
"""
from __future__ import annotations

import hashlib
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email.message import Message
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Mapping, NamedTuple

LAST_MODIFIED = "Mon, 01 Jan 2024 00:00:00 GMT"


@dataclass(frozen=True)
class Request:
    """What a route is given: the path (no query string, no fragment) and the request's headers."""

    method: str
    path: str
    query: str
    headers: Message
    server: "MockServer"


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


Route = Callable[[Request], Response]
NOT_FOUND = Response(404, b"not found", "text/plain; charset=utf-8")


class AccessRecord(NamedTuple):
    host: str  # the Host header as sent: the name the client asked for, with its port
    method: str
    target: str  # the path with its query string
    status: int


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real sites answer
    mock: "MockServer"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._answer(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(send_body=False)

    def _answer(self, send_body: bool) -> None:
        path, _, query = self.path.split("#", 1)[0].partition("?")
        request = Request(self.command, path, query, self.headers, self.mock)
        self.mock._count(path)
        response = self.mock.answer(request)
        if self.mock.conditional and response.status == 200:
            etag = '"' + hashlib.sha1(response.body).hexdigest()[:16] + '"'
            validators = {"ETag": etag, "Last-Modified": LAST_MODIFIED}
            if _not_modified(self.headers, etag):
                response = Response(304, b"", "", validators)
            else:
                response.headers = {**validators, **response.headers}
        self.send_response(response.status)
        if response.content_type:
            self.send_header("Content-Type", response.content_type)
        if response.status != 304:
            self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if send_body and response.body:
            self.wfile.write(response.body)

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        self.mock._record(AccessRecord(self.headers.get("Host", ""), self.command, self.path, int(code)))

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the access log is `log`
        pass


def _not_modified(headers: Message, etag: str) -> bool:
    if headers.get("If-None-Match") is not None:
        return headers["If-None-Match"] == etag
    since = headers.get("If-Modified-Since")
    try:
        return bool(since) and parsedate_to_datetime(since) >= parsedate_to_datetime(LAST_MODIFIED)
    except (TypeError, ValueError):
        return False


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return  # the crawler hung up (a download cancelled past its size limit): nothing to report
        super().handle_error(request, client_address)


def _delayed(page: Response, seconds: float) -> Route:
    def answer(_request: Request) -> Response:
        time.sleep(seconds)
        return page
    return answer


class MockServer:
    """`with MockServer() as server:` serves the registered routes on 127.0.0.1 in a daemon thread.

    port 0 picks a free port; `base_url` is "http://127.0.0.1:PORT" once entered. Routes match the exact path;
    `prefix` routes match a path that starts with their prefix (the longest wins); anything else is a 404.
    conditional: answer 200s with an ETag and Last-Modified, and 304 to a request that presents them.
    A route that must wait (a page that never answers) waits on `stopping`, which is set on exit.
    """

    def __init__(self, port: int = 0, *, name: str = "MockNews/1.0", conditional: bool = False) -> None:
        self.port = port
        self.name = name
        self.conditional = conditional
        self.base_url = ""
        self.hits: Counter = Counter()  # path (no query string) -> requests
        self.log: list[AccessRecord] = []
        self.stopping = threading.Event()
        self._routes: dict[str, Route] = {}
        self._prefixes: dict[str, Route] = {}
        self._lock = threading.Lock()
        self._server: _Server | None = None

    # ------------------------------------------------------------------ routes

    def route(self, path: str, answer: Route | Response) -> None:
        self._routes[path] = answer if callable(answer) else (lambda _request: answer)

    def prefix(self, prefix: str, answer: Route) -> None:
        self._prefixes[prefix] = answer

    def pages(self, site: Mapping[str, tuple[str, bytes]], html_delay: float = 0.0) -> None:
        """Static pages, path -> (Content-Type, body). html_delay: seconds each text/html page waits before
        it is answered (a crawl that a test interrupts midway); other documents never wait."""
        for path, (content_type, body) in site.items():
            page = Response(200, body, content_type)
            self.route(path, _delayed(page, html_delay) if html_delay and content_type.startswith("text/html") else page)

    def answer(self, request: Request) -> Response:
        route = self._routes.get(request.path)
        if route is None:
            matches = [p for p in self._prefixes if request.path.startswith(p)]
            route = self._prefixes[max(matches, key=len)] if matches else None
        if route is None:
            return NOT_FOUND
        response = route(request)
        return Response(response.status, response.body, response.content_type, dict(response.headers))

    # ------------------------------------------------------------------ what was asked

    def _count(self, path: str) -> None:
        with self._lock:
            self.hits[path] += 1

    def _record(self, record: AccessRecord) -> None:
        with self._lock:
            self.log.append(record)

    def hosts(self) -> set[str]:
        """The host names requests were made for (the Host header without its port)."""
        with self._lock:
            return {record.host.rsplit(":", 1)[0] for record in self.log}

    # ------------------------------------------------------------------ running

    def __enter__(self) -> "MockServer":
        handler = type("Handler", (_Handler,), {"mock": self, "server_version": self.name, "sys_version": ""})
        self._server = _Server(("127.0.0.1", self.port), handler)
        self.port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.stopping.clear()
        threading.Thread(target=self._server.serve_forever, name=f"mock-server-{self.port}", daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
