"""Every setting of the crawler with its default, grouped. Override any of them for one run with
`python -m crawler crawl -s NAME=VALUE` (or `scrapy crawl feeds -s NAME=VALUE`), or through the
environment variables named below.
"""
import os
from pathlib import Path

from crawler.config import user_agent

_ROOT = Path(__file__).resolve().parent.parent

# ---------------------------------------------------------------- project
BOT_NAME = "arabic-news-crawler"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
TOOL_VERSION = "0.1.0"

# Where articles go: a SQLite file path, or postgresql://user@host:port/dbname for several crawl processes
# (on several machines) writing one corpus. `--db` or the CRAWLER_DB environment variable change it.
CRAWLER_DB = os.environ.get("CRAWLER_DB", "data/news.db")
# The outlets to crawl; `--sources FILE` changes it.
CRAWLER_SOURCES = os.environ.get("CRAWLER_SOURCES", str(_ROOT / "settings" / "sources.toml"))
# Who to contact about this crawler: put a URL or e-mail here, it goes into the User-Agent.
CRAWLER_CONTACT = os.environ.get("CRAWLER_CONTACT", "https://example.org/contact")
# Fetch article pages again even when their canonical URL is already stored.
CRAWLER_REFETCH = False
# Print JSON lines to stdout instead of storing (`scrape --print`).
CRAWLER_PRINT = False
# A shared frontier for several crawl processes: redis://host:port/db (`crawl --frontier`, or the
# CRAWLER_FRONTIER environment variable). Empty: this process schedules alone (crawler.frontier).
CRAWLER_FRONTIER = os.environ.get("CRAWLER_FRONTIER", "")

# ---------------------------------------------------------------- extraction
# Worker processes running trafilatura (CPU-bound; never on the reactor thread). 0 = one per core.
EXTRACT_WORKERS = int(os.environ.get("EXTRACT_WORKERS", "0"))
# Bytes of responses Scrapy keeps in flight while their items are processed. Items wait here for a free
# extraction worker; Scrapy's 5 MB (some thirty heavy pages) left the workers idle while downloads paused.
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 50_000_000
# The store's writer commits its writes every this many calls, or this many seconds after the batch
# opened: a WAL commit costs more than an article's rows. A crash loses at most this batch, whose
# articles the next run fetches again.
STORE_BATCH_ITEMS = 50
STORE_BATCH_SECONDS = 1.0
# Pages a worker takes at once while every worker is busy: parsed together, then deduplicated together,
# which halves the dedup's cost (its code stays in the CPU caches). An idle worker takes a page at once.
EXTRACT_BATCH = 8
# Seconds one page may keep a worker busy; past that the worker is killed and the page counted.
EXTRACT_TIMEOUT = 60

# ---------------------------------------------------------------- within-article dedup
# A paragraph whose character 5-grams are at least this share inside another paragraph is a copy.
DEDUP_PARAGRAPH_THRESHOLD = 0.8
# Below this many normalised characters only exact repeats are removed (short subheadings stay).
DEDUP_MIN_FRAGMENT_CHARS = 30

# ---------------------------------------------------------------- cross-article dedup
# Candidates: MinHash LSH bands x rows for whole-text copies, plus shared anchors (sampled word 4-grams)
# for trimmed or padded copies; see docs/ARCHITECTURE.md. The MinHash has bands * rows permutations:
# LSH reads no other value, and crawl, rebuild and corpus dedup must all hash with the same ones.
DEDUP_BANDS = 20
DEDUP_ROWS = 5
# A candidate is a copy when at least this share of the shorter article's character 5-grams is in the
# longer one (verified exactly). 0.75 keeps every pair at 0.8 with a margin for small edits.
DEDUP_CONTAINMENT_THRESHOLD = 0.75
# Articles are compared with those published within this many days of their own date.
DEDUP_WINDOW_DAYS = 30

# ---------------------------------------------------------------- site boilerplate
# A paragraph seen in at least this share of a source's articles is boilerplate ...
BOILERPLATE_MIN_SHARE = 0.3
# ... once at least this many articles of that source have been seen (it needs evidence).
BOILERPLATE_MIN_ARTICLES = 8
# ... and it must recur in at least this many articles.
BOILERPLATE_MIN_COUNT = 3

# ---------------------------------------------------------------- storage
# The backend is chosen by CRAWLER_DB's form: a file path is SQLite, postgresql://user@host:port/dbname is
# PostgreSQL. Each backend implements crawler.store.Store; add one here to plug in another.
STORE_BACKENDS = {
    "sqlite": "storage.sqlite.SqliteStore",
    "postgresql": "storage.postgres.PostgresStore",
}
# The cross-article dedup index and the boilerplate judge, built over the store's postings and counts.
DEDUP_INDEX_CLASS = "crawler.article_index.ArticleIndex"
BOILERPLATE_CLASS = "crawler.boilerplate.SourceBoilerplate"

# ---------------------------------------------------------------- web archive (WARC)
# Every response a crawl receives (feeds, sitemaps, article pages, redirects, with their requests) is kept in
# gzip-compressed WARC/1.1 files, so that a later version's extraction can run over what was fetched back
# then (`python -m crawler reextract`). On by default: it costs about 24 KB of disk per article (README,
# "Web archives"); `crawl --no-warc` or -s WARC_ENABLED=0 turns it off for a run.
WARC_ENABLED = True
# The folder (`crawl --warc DIR`); empty: warc/ beside the SQLite database (data/warc for PostgreSQL).
WARC_DIR = os.environ.get("CRAWLER_WARC_DIR", "")
# A file is closed and the next one started past this many bytes.
WARC_MAX_SIZE = 1_000_000_000
# gzip level of each record: 6 (zlib's default); 9 cost FastWARC's gzip 1.8 times the time for files 2 %
# smaller (docs/benchmarks.md, WARC libraries).
WARC_GZIP_LEVEL = 6
WARC_PREFIX = "arabic-news"
# Relative paths in a list of WARC files given to `python -m crawler warc` (Common Crawl's warc.paths.gz)
# are read from here.
WARC_BASE_URL = "https://data.commoncrawl.org/"

# ---------------------------------------------------------------- politeness
ROBOTSTXT_OBEY = True
USER_AGENT = user_agent(BOT_NAME, TOOL_VERSION, CRAWLER_CONTACT)  # -s CRAWLER_CONTACT=... rebuilds it
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_DELAY = 0.5
CONCURRENT_REQUESTS = 16
# items handled at once per response: articles come one a response, so Scrapy's 100 only creates idle tasks
CONCURRENT_ITEMS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_TIMEOUT = 30
# Article pages above this size are refused (bytes, after decompression).
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 3 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_GIVE_UP_LOG_LEVEL = "WARNING"  # a page that stays unreachable is an item-level failure
REDIRECT_MAX_TIMES = 5
# Retry-After on 429/503 is honoured up to this many seconds; longer waits give up for this run.
RETRY_AFTER_MAX = 120
# Waits between retries grow as RETRY_BACKOFF_BASE * 2**attempt seconds.
RETRY_BACKOFF_BASE = 1.0
# Scrapy's threaded, cached resolver, which also pins each host name to its first address for the run and
# never connects to a link-local address, nor to a private one for a name a feed's link led to: see
# crawler/resolver.py. (DNS_RESOLVER is this setting's deprecated name.)
TWISTED_DNS_RESOLVER = "crawler.resolver.SafeResolver"
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.PoliteRetryMiddleware": 550,
    "crawler.middlewares.SafeLinksMiddleware": 50,
    # conditional GET for feeds and sitemaps: ETag / Last-Modified kept in the store
    "crawler.validators.FeedValidatorsMiddleware": 600,
    # next to the downloader: every response archived as it came (WARC_*)
    "crawler.archive.WarcArchiveMiddleware": 950,
}

# ---------------------------------------------------------------- engine
ITEM_PIPELINES = {
    "crawler.pipelines.ExtractPipeline": 100,
    "crawler.pipelines.BoilerplatePipeline": 150,
    "crawler.pipelines.StorePipeline": 300,  # dedup across articles and store, in one transaction
}
# Known-URL filtering: a page asked for already in this run, or an article page already stored, is not
# requested (feeds and sitemaps are read every run, conditionally).
DUPEFILTER_CLASS = "crawler.dupefilter.KnownUrlsDupeFilter"
# A listing's article links are looked up in the store in one batch per feed, sitemap or section page (on the
# store's thread), so the dupefilter asks the store only about URLs met otherwise (redirect targets).
SPIDER_MIDDLEWARES = {
    "crawler.dupefilter.StoredLinksMiddleware": 100,
}
EXTENSIONS = {
    "crawler.extensions.StoreExtension": 0,
    "crawler.extensions.RunRecorder": 10,
}
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"  # otherwise Arabic is written as \u escapes
LOG_LEVEL = os.environ.get("CRAWLER_LOG_LEVEL", "INFO")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
TELNETCONSOLE_ENABLED = False
HTTPCACHE_ENABLED = False
COOKIES_ENABLED = False
LOG_FORMATTER = "crawler.extensions.QuietLogFormatter"
