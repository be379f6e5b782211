"""A store filled with a crawl's worth of made-up articles and runs, for the report's tests and benchmark.

Articles go in as rows, in bulk (SQLite); runs through the Store API (start_run/finish_run), then their times
are moved into the past with one UPDATE (the API stamps them with the clock). The shape
follows what a months-long cron crawl leaves: outlets of very different volume, one that stopped delivering
and keeps failing, agency stories copied across outlets in clusters of all sizes, undated articles, and
paragraphs removed for every reason, boilerplate lines drawn from a few recurring lines per outlet.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from crawler.date_policy import instant

END = datetime(2026, 11, 30, tzinfo=timezone.utc)  # the last day of the made-up crawl

_WORDS = ("الحكومة وزير الاقتصاد البرلمان العاصمة المدينة الشركة المشروع الانتخابات المجلس الرئيس السوق الأسعار "
          "التعليم الصحة الطاقة النفط المياه الزراعة الطلاب المستشفى الطريق الميناء المطار الفريق المباراة البطولة "
          "المهرجان المعرض الكتاب المحكمة القرار الاتفاق المفاوضات الحدود اللاجئين المساعدات الأمطار الحرارة "
          "قال أعلن أكد أوضح أضاف أشار كشف نفى رحب طالب دعا افتتح وقع أطلق بحث ناقش استقبل زار شارك "
          "اليوم أمس الأسبوع الماضي المقبل خلال بعد قبل حول بين على في من إلى مع عن أن").split()
_BOILERPLATE = ("اقرأ أيضا:", "تابعونا على تويتر", "شاهد الفيديو", "إعلان", "للمزيد من الأخبار اضغط هنا",
                "اشترك في النشرة البريدية", "حمل تطبيقنا على هاتفك", "جميع الحقوق محفوظة", "شارك هذا المقال",
                "الأكثر قراءة")
_TITLES = ("أخبار الوادي", "بريد الساحل", "الخليج اليوم", "صدى الشمال", "نبض المدينة", "الرأي الحر", "صوت الجنوب",
           "أنباء الشرق", "الوطن الجديد", "مرآة العرب", "الحدث", "الفجر", "الأيام", "المشهد", "النهار الجديد",
           "الصباح", "الغد", "الشروق", "الميدان", "الرصد", "البلاد", "اليوم السابع عشر", "الأفق", "المنارة")


@dataclass(frozen=True)
class SyntheticSource:
    name: str
    title: str
    weight: float  # share of the articles
    stopped_days_ago: int | None = None  # no articles since, and every run since had errors for it


def sources(count: int = 24) -> list[SyntheticSource]:
    out = []
    for i in range(count):
        stopped = 12 if i == 3 else None  # one outlet broke 12 days before the end
        out.append(SyntheticSource(f"outlet-{i + 1:02d}", _TITLES[i % len(_TITLES)], 1.0 / (i + 2), stopped))
    return out


def sources_toml(chosen: list[SyntheticSource]) -> str:
    return "\n".join(f'[[source]]\nname = "{s.name}"\ntitle = "{s.title}"\nfeeds = ["https://{s.name}.example/rss"]\n'
                     for s in chosen)


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words)) + "."


def _iso(when: datetime) -> str:
    return when.replace(microsecond=0).isoformat()


def fill(store, *, articles: int = 100_000, days: int = 180, runs_per_day: int = 24, seed: int = 7,
         outlets: list[SyntheticSource] | None = None) -> dict:
    """Fill `store` (an empty SqliteStore) and return what was written, for the tests to compare with."""
    rng = random.Random(seed)
    outlets = outlets or sources()
    start = END - timedelta(days=days)
    weights = [s.weight for s in outlets]
    boilerplate = {s.name: rng.sample(_BOILERPLATE, 4) for s in outlets}
    sentences = [_sentence(rng, rng.randint(8, 30)) for _ in range(500)]
    originals: list[str] = []  # ids of the stories others may copy, oldest first
    written = {"articles": 0, "undated": 0, "copies": 0, "removed": {}}
    rows, removed_rows = [], []
    for n, outlet in enumerate(rng.choices(outlets, weights, k=articles)):
        fetched = start + (END - start) * (n / articles) + timedelta(seconds=rng.randrange(3600))
        if outlet.stopped_days_ago and fetched > END - timedelta(days=outlet.stopped_days_ago):
            outlet = outlets[0]  # it stopped delivering: the article is another outlet's
        article_id = f"{n:016x}"
        duplicate_of, cluster = None, article_id
        if originals and rng.random() < 0.12:  # an agency story again, most often a recent, popular one
            duplicate_of = cluster = originals[-min(int(rng.paretovariate(1.2)), len(originals))]
        else:
            originals.append(article_id)
        published = None if rng.random() < 0.08 else _iso(fetched - timedelta(minutes=rng.randrange(600)))
        text = "\n".join(rng.choices(sentences, k=rng.randint(2, 5)))
        url = f"https://{outlet.name}.example/news/{n}"
        rows.append((article_id, url, url, outlet.name, rng.choice(sentences)[:-1], "", published, instant(published),
                     "feed" if published else None, "ar", "", text, len(text.split()), duplicate_of, cluster,
                     article_id, _iso(fetched)))
        for position in range(rng.choice((0, 1, 1, 2, 3))):
            reason = rng.choices(("boilerplate", "repeat", "fragment", "title", "metadata"), (6, 2, 2, 1, 1))[0]
            line = rng.choice(boilerplate[outlet.name] if reason == "boilerplate" else sentences)
            removed_rows.append((article_id, position, line, reason))
            written["removed"][reason] = written["removed"].get(reason, 0) + 1
        written["undated"] += published is None
        written["copies"] += duplicate_of is not None
    written["articles"] = len(rows)
    conn = store.connection
    with conn:  # one transaction: the API's per-article path (URL keys, savepoints) would take minutes
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO articles (id, url, fetched_url, source, title, author, published, published_at, date_source,"
            " language, description, text, word_count, duplicate_of, cluster_id, text_hash, fetched_at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        conn.executemany("INSERT INTO removed_paragraphs (article_id, position, text, reason) VALUES (?,?,?,?)",
                         removed_rows)
    writes = store.writes(max_items=5000, max_seconds=60)
    written["runs"] = _runs(store, writes, rng, outlets, start, days * runs_per_day, days)
    writes.flush()
    return written


def _runs(store, writes, rng: random.Random, outlets: list[SyntheticSource], start: datetime, count: int,
          days: int) -> int:
    times = []
    for i in range(count):
        began = start + timedelta(days=days) * (i / count)
        took = timedelta(seconds=rng.randint(40, 900))
        run_id = writes.call(store.start_run, "crawl")
        per_source, stats = {}, {"store/articles": rng.randint(0, 60)}
        for s in outlets:
            broken = s.stopped_days_ago is not None and began >= END - timedelta(days=s.stopped_days_ago)
            errors = {"dns_error": 1} if broken else ({"http_404": 1} if rng.random() < 0.02 else {})
            per_source[s.name] = {"feeds_fetched": 0 if broken else 1, "entries_seen": 20, "errors": errors}
            for kind, value in errors.items():
                stats[f"errors/{kind}"] = stats.get(f"errors/{kind}", 0) + value
        outcome = "failed" if rng.random() < 0.01 else "completed"
        writes.call(store.finish_run, run_id, outcome, stats, per_source)
        times.append((_iso(began), _iso(began + took), run_id))
    writes.flush()
    store.connection.executemany("UPDATE runs SET started_at = ?, finished_at = ? WHERE id = ?", times)
    return count

