"""The shared frontier: several crawl processes (on one machine or several) share one Redis, so the feeds
and article requests of a run are spread over them and no URL is fetched twice.

scrapy-redis provides the two parts used here: its scheduler (the request queue in Redis) and its
dupefilter (a Redis set of fingerprints). Its spider classes are not used: they define only
`start_requests`, which Scrapy 2.16 removed. What is ours:

- Runs. Workers started while others of the same spider are alive join their run; a worker that finds
  none alive starts a new one. The queue and the dupefilter are keyed by the run
  (`feeds:<run>:requests`, `feeds:<run>:dupefilter`), so each run reads every feed again, a request lost
  with a killed worker (Redis pops are destructive) is made again by the next run, and pickles of an old
  code version are never popped by a new one. The keys are deleted by the last worker to leave, and
  expire after a day anyway. Nothing in Redis outlives a run: "this article is stored" is PostgreSQL's
  (the dupefilter asks the store), and survives a flushed Redis.
- SCHEDULER_PERSIST is True: the first worker to finish must not delete the queue the others still use.
- FrontierWorkers (an extension) keeps an idle worker open while another is busy (it may still push
  requests), notices workers that died (their heartbeat stops) and then tells the feed validators not to
  be saved (crawler.validators), since the dead worker took requests with it.

Liveness uses Redis's clock (TIME, in scripts), so machines whose clocks disagree still agree on it.
Redis must be private to the crawlers: the queue holds pickled requests.
"""
from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

import redis
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.misc import load_object
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler
from twisted.internet.task import LoopingCall

from crawler.dupefilter import (StoredUrls, count_filtered, key_fingerprint, looked_up, redirected_within,
                                request_key)

LOGGER = logging.getLogger(__name__)

JOIN_TTL = 60.0  # seconds a joined worker counts as alive before its first heartbeat (its reactor starting)
ALIVE_TTL = 6.0  # ... and after its last one (a rerun soon after a worker was killed waits no longer)
BUSY_TTL = 5.0  # seconds a worker counts as busy after it last said so
BEAT_SECONDS = 1.0
# a new run's workers start within seconds of each other: until the run is this old, an idle worker waits
# for the others (which may not have pushed or said they are busy yet) rather than closing at once
STARTUP_GRACE = 10.0
RUN_KEYS_TTL = 2 * 24 * 3600  # a run's keys expire even if no worker is left to delete them


class FrontierError(RuntimeError):
    """Redis cannot be reached (exit code 3, like a store that cannot be opened)."""


def server_of(url: str) -> str:
    parts = urlsplit(url)
    return f"Redis at {parts.hostname or 'localhost'}:{parts.port or 6379}"


def frontier_keys(spider: str, run: str) -> dict[str, str]:
    base = f"{spider}:{run}"
    return {"queue": f"{base}:requests", "dupefilter": f"{base}:dupefilter", "busy": f"{base}:busy",
            "lost": f"{base}:lost", "started": f"{base}:started", "workers": f"{spider}:frontier:workers", "run": f"{spider}:frontier:run"}


# KEYS: workers, run; ARGV: me, ttl, a new run's name, keys ttl, spider. Returns the run joined.
_JOIN = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1e6
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', t)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', t)
local run = redis.call('GET', KEYS[2])
if (not run) or redis.call('ZCARD', KEYS[1]) == 0 then
  run = ARGV[3]
  redis.call('SET', KEYS[2], run, 'EX', ARGV[4])
  redis.call('SET', ARGV[5] .. ':' .. run .. ':started', tostring(t), 'EX', ARGV[4])
elseif #dead > 0 then
  redis.call('SET', ARGV[5] .. ':' .. run .. ':lost', '1', 'EX', ARGV[4])  -- a worker of this run died
end
redis.call('ZADD', KEYS[1], t + tonumber(ARGV[2]), ARGV[1])
return run
"""
# KEYS: workers, busy, queue, dupefilter; ARGV: me, alive ttl, busy ttl, busy (1/0), keys ttl
_BEAT = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1e6
redis.call('ZADD', KEYS[1], t + tonumber(ARGV[2]), ARGV[1])
if ARGV[4] == '1' then redis.call('ZADD', KEYS[2], t + tonumber(ARGV[3]), ARGV[1])
else redis.call('ZREM', KEYS[2], ARGV[1]) end
redis.call('EXPIRE', KEYS[3], ARGV[5])
redis.call('EXPIRE', KEYS[4], ARGV[5])
return 1
"""
# KEYS: workers, busy, lost, started; ARGV: me, keys ttl.
# Returns {other busy workers, whether a worker died, other live workers, the run's age in ms}.
_IDLE = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1e6
redis.call('ZREM', KEYS[2], ARGV[1])
local dead = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', t)
for _, worker in ipairs(dead) do redis.call('ZREM', KEYS[1], worker) end  -- busy, then silent: gone
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', t)
local gone = #dead + redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', t)
if gone > 0 then redis.call('SET', KEYS[3], '1', 'EX', ARGV[2]) end
local started = tonumber(redis.call('GET', KEYS[4]) or '0')
return {redis.call('ZCARD', KEYS[2]), redis.call('EXISTS', KEYS[3]), redis.call('ZCARD', KEYS[1]) - 1,
        math.floor((t - started) * 1000)}
"""
# KEYS: workers, busy, run, queue, dupefilter, lost, started; ARGV: me, run name. The last worker out deletes
# the run.
_LEAVE = """
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
local now = redis.call('TIME')
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(now[1]))
if redis.call('ZCARD', KEYS[1]) == 0 then
  if redis.call('GET', KEYS[3]) == ARGV[2] then redis.call('DEL', KEYS[3]) end
  redis.call('DEL', KEYS[2], KEYS[4], KEYS[5], KEYS[6], KEYS[7])
  return 1
end
return 0
"""


def client_for(settings: Any) -> redis.Redis:
    """The frontier's Redis client (scrapy-redis's own helper passes an argument redis-py 8 deprecates)."""
    return redis.Redis.from_url(settings.get("CRAWLER_FRONTIER"), socket_connect_timeout=10, socket_timeout=30)


def connect(url: str) -> redis.Redis:
    """A client that has answered PING, or FrontierError naming the server."""
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=10, socket_timeout=30)
        client.ping()
    except (redis.RedisError, ValueError) as exc:
        raise FrontierError(f"cannot connect to {server_of(url)}: {exc}") from None
    return client


def join(settings: Any, spider: str) -> str:
    """Join the run of the workers alive on this frontier (or start one) and set what scrapy-redis reads.
    Called before the crawler is made: its settings are frozen then. Returns the run's name."""
    url = settings.get("CRAWLER_FRONTIER")
    client = connect(url)
    me = f"{socket.gethostname()}:{os.getpid()}"
    new_run = time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + "-" + uuid.uuid4().hex[:6]
    keys = frontier_keys(spider, "")
    try:
        run = client.eval(_JOIN, 2, keys["workers"], keys["run"], me, JOIN_TTL, new_run, RUN_KEYS_TTL,
                          spider).decode()
    except redis.RedisError as exc:
        raise FrontierError(f"{server_of(url)}: {exc}") from None
    finally:
        client.close()
    run_keys = frontier_keys(spider, run)
    for name, value in {
        "SCHEDULER": "crawler.frontier.FrontierScheduler",
        "DUPEFILTER_CLASS": "crawler.frontier.FrontierDupeFilter",
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_QUEUE_KEY": run_keys["queue"],
        "SCHEDULER_DUPEFILTER_KEY": run_keys["dupefilter"],
        "CRAWLER_FRONTIER_RUN": run,
        "CRAWLER_FRONTIER_WORKER": me,
    }.items():
        settings.set(name, value, priority="cmdline")
    extensions = settings.getdict("EXTENSIONS")
    extensions["crawler.frontier.FrontierWorkers"] = 20
    settings.set("EXTENSIONS", extensions, priority="cmdline")
    return run


class FrontierScheduler(Scheduler):
    """scrapy-redis's scheduler, without the calls Scrapy 2.19 deprecates (stats with spider=, Spider.log)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "FrontierScheduler":
        s = crawler.settings
        scheduler = cls(client_for(s), persist=s.getbool("SCHEDULER_PERSIST"), queue_key=s["SCHEDULER_QUEUE_KEY"],
                        dupefilter_key=s["SCHEDULER_DUPEFILTER_KEY"], dupefilter_cls=s["DUPEFILTER_CLASS"],
                        **({"queue_cls": s["SCHEDULER_QUEUE_CLASS"]} if s.get("SCHEDULER_QUEUE_CLASS") else {}))
        scheduler.stats = crawler.stats
        return scheduler

    def open(self, spider: Spider) -> None:
        self.spider = spider
        self.queue = load_object(self.queue_cls)(server=self.server, spider=spider,
                                                 key=self.queue_key % {"spider": spider.name},
                                                 serializer=self.serializer)
        if not self.df:
            self.df = load_object(self.dupefilter_cls).from_spider(spider)
        if self.flush_on_start:
            self.flush()
        if len(self.queue):
            LOGGER.info("joining a run with %d requests queued", len(self.queue))

    def enqueue_request(self, request: Request) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def next_request(self) -> Request | None:
        request = self.queue.pop(0)  # never blocking: a blocking pop would stop the reactor
        if request and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request


class FrontierDupeFilter(RFPDupeFilter):
    """scrapy-redis's dupefilter keyed by our URL identity (crawler.urls.url_key, not Scrapy's fingerprint),
    per run (FrontierScheduler's SCHEDULER_DUPEFILTER_KEY), which also skips article pages already stored,
    as KnownUrlsDupeFilter does on one machine: a page is requested once per run across all workers, and
    never again once stored."""

    def __init__(self, server: Any, key: str, crawler: Crawler) -> None:
        super().__init__(server, key)
        self.crawler = crawler
        self.stats = crawler.stats
        self.stored = StoredUrls(crawler)
        self._reason: dict[int, str] = {}

    @classmethod
    def from_spider(cls, spider: Spider) -> "FrontierDupeFilter":
        settings = spider.settings
        return cls(client_for(settings), settings.get("SCHEDULER_DUPEFILTER_KEY") % {"spider": spider.name},
                   spider.crawler)

    def request_fingerprint(self, request: Request) -> str:
        return key_fingerprint(request)

    def request_seen(self, request: Request) -> bool:
        key = request_key(request)
        if redirected_within(request, key):
            return False
        listing = bool(request.meta.get("listing"))  # a feed, sitemap or section page: never "stored"
        if not listing and not looked_up(request) and key in self.stored:
            self._reason[id(request)] = "already_stored"
            return True
        if super().request_seen(request):
            self._reason[id(request)] = "listing_taken" if listing else "duplicate"
            return True
        return False

    def log(self, request: Request, spider: Spider) -> None:
        reason = self._reason.pop(id(request), "duplicate")
        if reason == "listing_taken":  # another worker of this run reads it: not a feed this one failed to reach
            self.stats.inc_value("frontier/listings_taken_by_other_workers")
            self.stats.inc_value("feeds/requested", -1)
            return
        count_filtered(self.stats, request, reason)

    def close(self, reason: str = "") -> None:
        """The set is the run's, shared: FrontierWorkers deletes it when the last worker leaves."""
        self.stored.close()


class FrontierWorkers:
    """Heartbeats of the workers of one run: keeps an idle worker open while another is busy, notices dead
    workers, and lets the last one out delete the run's keys."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.server = client_for(settings)
        self.me = settings.get("CRAWLER_FRONTIER_WORKER")
        self.run = settings.get("CRAWLER_FRONTIER_RUN")
        self.keys: dict[str, str] = {}
        self.loop = LoopingCall(self.beat)
        self._busy_said = 0.0
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.idle, signal=signals.spider_idle)
        crawler.signals.connect(self.busy, signal=signals.request_reached_downloader)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "FrontierWorkers":
        return cls(crawler)

    def opened(self, spider: Spider) -> None:
        self.keys = frontier_keys(spider.name, self.run)
        self.crawler.stats.set_value("frontier/run", self.run)
        # an idle worker waiting for busy ones looks at the shared queue at each engine heartbeat: Scrapy's
        # 5 s would leave it idle through most of a short burst of requests pushed by another worker
        self.crawler.engine._SLOT_HEARTBEAT_INTERVAL = BEAT_SECONDS
        LOGGER.info("shared frontier %s, run %s, worker %s", server_of(self.crawler.settings.get("CRAWLER_FRONTIER")),
                    self.run, self.me)
        self.loop.start(BEAT_SECONDS, now=True)

    def _say(self, busy: bool) -> None:
        try:
            k = self.keys
            self.server.eval(_BEAT, 4, k["workers"], k["busy"], k["queue"], k["dupefilter"], self.me, ALIVE_TTL,
                             BUSY_TTL, "1" if busy else "0", RUN_KEYS_TTL)
        except redis.RedisError as exc:
            LOGGER.warning("%s: heartbeat not recorded: %s", server_of(self.crawler.settings.get("CRAWLER_FRONTIER")), exc)

    def beat(self) -> None:
        engine = self.crawler.engine
        self._say(busy=engine is not None and not engine.spider_is_idle())

    def busy(self, *args: Any, **kwargs: Any) -> None:
        if time.monotonic() - self._busy_said > BEAT_SECONDS:  # one round trip a second at most
            self._busy_said = time.monotonic()
            self._say(busy=True)

    def idle(self, spider: Spider) -> None:
        k = self.keys
        try:
            others_busy, lost, others, age_ms = self.server.eval(
                _IDLE, 4, k["workers"], k["busy"], k["lost"], k["started"], self.me, RUN_KEYS_TTL)
        except redis.RedisError as exc:  # cannot tell whether others still add requests: wait and ask again
            LOGGER.warning("the shared frontier did not answer (%s); asking again before this worker stops", exc)
            self.crawler.stats.inc_value("frontier/unanswered")
            raise DontCloseSpider("the shared frontier did not answer") from None
        if lost:
            self.crawler.stats.set_value("frontier/workers_lost", 1)
        if others_busy or (others and age_ms < STARTUP_GRACE * 1000):
            raise DontCloseSpider("another worker on the shared frontier is busy and may still add requests")

    def closed(self, spider: Spider, reason: str) -> None:
        if self.loop.running:
            self.loop.stop()
        k = self.keys
        try:
            if self.server.exists(k["lost"]):
                self.crawler.stats.set_value("frontier/workers_lost", 1)
            last = self.server.eval(_LEAVE, 7, k["workers"], k["busy"], k["run"], k["queue"], k["dupefilter"],
                                    k["lost"], k["started"], self.me, self.run)
        except redis.RedisError as exc:
            LOGGER.warning("%s: could not leave the run cleanly (its keys expire): %s",
                           server_of(self.crawler.settings.get("CRAWLER_FRONTIER")), exc)
            return
        if last:
            LOGGER.info("last worker of run %s: its frontier keys are deleted", self.run)
