"""Log output a person reads: one line per failed item, no tracebacks for network failures, no start-up dumps."""
from __future__ import annotations

import logging

from scrapy.exceptions import IgnoreRequest
from twisted.internet import error as twisted_errors

# Scrapy's start-up and shutdown dumps (versions, settings, middleware lists, the stats dict): the run
# summary and `python -m crawler stats` say what matters
_CHATTY = ("scrapy.utils.log", "scrapy.middleware", "scrapy.crawler", "scrapy.statscollectors", "scrapy.addons",
           "scrapy.extensions.telnet", "scrapy.extensions.remote_control", "scrapy.core.engine")
_NETWORK = (twisted_errors.ConnectError, twisted_errors.DNSLookupError, twisted_errors.TimeoutError,
            twisted_errors.ConnectionLost, IgnoreRequest, ConnectionError, TimeoutError)


def _is_network(exc: BaseException | None) -> bool:
    while exc is not None:
        if isinstance(exc, _NETWORK) or type(exc).__module__ == "scrapy.exceptions" and type(exc).__name__.startswith(
            ("Download", "CannotResolve", "ResponseDataLoss")
        ):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


class NetworkErrorFilter(logging.Filter):
    """A download that failed is an item-level event: one WARNING line, not an ERROR with a traceback."""

    def __init__(self, handler: logging.Handler) -> None:
        super().__init__()
        self.handler = handler

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        network = _is_network(exc) or record.name == "scrapy.downloadermiddlewares.retry"
        if network and record.levelno > logging.WARNING:
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info, record.exc_text, record.stack_info = None, None, None
        return record.levelno >= self.handler.level


def quiet_startup(verbose: bool = False) -> None:
    """Before Scrapy starts: logger levels outlive the handlers it installs."""
    for name in _CHATTY:
        logging.getLogger(name).setLevel(logging.NOTSET if verbose else logging.WARNING)


def filter_network_errors() -> None:
    """After Scrapy has installed its root handler."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, NetworkErrorFilter) for f in handler.filters):
            handler.addFilter(NetworkErrorFilter(handler))
