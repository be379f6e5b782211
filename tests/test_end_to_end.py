"""The real CLI in subprocesses against the demo site served on 127.0.0.1 (Scrapy's reactor runs once a process)."""
import fcntl
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from crawler.demo import EXPECTED, DemoServer, sources_toml

ROOT = Path(__file__).resolve().parent.parent
FAST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "EXTRACT_WORKERS=2"]
SEED = [line.strip() for line in (ROOT / "crawler/demo/seed_article.txt").read_text(encoding="utf-8").splitlines() if line.strip()]


def cli(*args: str, timeout: int = 180) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("CRAWLER_DB", None)
    return subprocess.run([sys.executable, "-m", "crawler", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture(scope="module")
def site():
    with DemoServer() as server:
        yield server


@pytest.fixture(scope="module")
def crawled(site, tmp_path_factory):
    """One crawl of the whole demo site, shared by the tests that read its results."""
    tmp = tmp_path_factory.mktemp("crawl")
    sources = tmp / "sources.toml"
    sources.write_text(sources_toml(site.base_url), encoding="utf-8")
    db = tmp / "news.db"
    before = dict(site.hits)
    result = cli("crawl", "--sources", str(sources), "--db", str(db), *FAST)
    return {"result": result, "db": db, "sources": sources, "tmp": tmp, "hits": dict(site.hits), "before": before}


def rows(db: Path, sql: str, *params):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_a_crawl_stores_every_article_once_and_marks_the_agency_copies(crawled, site):
    assert crawled["result"].returncode == 0, crawled["result"].stderr[-2000:]
    db = crawled["db"]
    assert rows(db, "SELECT count(*) FROM articles")[0][0] == EXPECTED["articles"]
    by_path = {url[len(site.base_url):]: (aid, dup) for aid, url, dup in
               rows(db, "SELECT id, url, duplicate_of FROM articles")}
    for original, copy in EXPECTED["cross_outlet_copies"]:
        assert by_path[copy][1] == by_path[original][0]
    assert sum(dup is not None for _, dup in by_path.values()) == len(EXPECTED["cross_outlet_copies"])
    assert f"{EXPECTED['articles']} new articles" in crawled["result"].stdout


def test_every_stored_article_has_exactly_its_written_body(crawled, site):
    stored = {url[len(site.base_url):]: text.split("\n") for url, text in rows(crawled["db"], "SELECT url, text FROM articles")}
    assert stored == {path: page["paragraphs"] for path, page in EXPECTED["pages"].items()}


def test_the_seed_comes_out_once_with_its_pull_quotes_and_headline_removed(crawled):
    ((text, aid),) = rows(crawled["db"], "SELECT text, id FROM articles WHERE url LIKE ?", "%" + EXPECTED["seed_path"])
    assert text.split("\n") == [SEED[n - 1] for n in (4, 5, 6, 8, 10, 11, 12, 13, 15, 16, 17)]
    removed = rows(crawled["db"], "SELECT text, reason, duplicate_of FROM removed_paragraphs WHERE article_id = ?", aid)
    assert sorted((SEED.index(t) + 1, r, SEED.index(d) + 1) for t, r, d in removed) == [
        (7, "fragment", 5), (9, "title", 3), (14, "fragment", 11)]


def test_the_run_is_recorded_with_counted_reasons(crawled):
    ((outcome, stats),) = rows(crawled["db"], "SELECT outcome, stats FROM runs")
    stats = json.loads(stats)
    assert outcome == "completed"
    assert stats["source/wadi-news/entries_skipped/no_link"] == EXPECTED["entries_without_link"]
    assert stats["source/sahel-post/entries_skipped/duplicate_entry"] == EXPECTED["duplicate_entries"]
    per_source = dict(rows(crawled["db"], "SELECT source, new_articles FROM run_sources"))
    assert per_source == EXPECTED["per_source"]


def test_a_second_run_of_an_unchanged_site_fetches_no_article_again(crawled, site):
    before = dict(site.hits)
    result = cli("crawl", "--sources", str(crawled["sources"]), "--db", str(crawled["db"]), *FAST, "--quiet")
    assert result.returncode == 0, result.stderr[-2000:]
    fetched = {p: n - before.get(p, 0) for p, n in site.hits.items() if n - before.get(p, 0)}
    assert set(EXPECTED["feeds"]) <= set(fetched)  # every feed asked again (a conditional GET) ...
    assert all(p.endswith((".xml", ".rss", "robots.txt")) for p in fetched), fetched  # ... and nothing else
    assert rows(crawled["db"], "SELECT count(*) FROM articles")[0][0] == EXPECTED["articles"]
    assert result.stdout.count("\n") == 1 and "0 new articles" in result.stdout


def test_a_copy_crawled_by_a_later_process_points_at_the_first_runs_article(site, tmp_path):
    db = tmp_path / "news.db"
    sources = tmp_path / "sources.toml"
    sources.write_text(sources_toml(site.base_url), encoding="utf-8")
    assert cli("crawl", "--sources", str(sources), "--source", "wadi-news", "--db", str(db), *FAST).returncode == 0
    first = dict(rows(db, "SELECT url, id FROM articles"))
    assert cli("crawl", "--sources", str(sources), "--source", "sahel-post", "--db", str(db), *FAST).returncode == 0
    (copy_path, original_path) = next((c, o) for o, c in EXPECTED["cross_outlet_copies"] if o.startswith("/wadi"))
    ((duplicate_of,),) = rows(db, "SELECT duplicate_of FROM articles WHERE url LIKE ?", "%" + copy_path)
    assert duplicate_of == first[site.base_url + original_path]


@pytest.mark.parametrize("fmt, name", [("jsonl", "c.jsonl"), ("parquet", "c.parquet"), ("csv", "c.csv"),
                                       ("text", "c.txt"), ("text", "articles")])
def test_every_export_format_loads_back_with_its_arabic_intact(crawled, fmt, name):
    out = crawled["tmp"] / name
    result = cli("export", "--format", fmt, "--out", str(out), "--db", str(crawled["db"]))
    assert result.returncode == 0, result.stderr
    kept = EXPECTED["articles"] - len(EXPECTED["cross_outlet_copies"])
    seed_text = "\n".join(SEED[n - 1] for n in (4, 5, 6, 8, 10, 11, 12, 13, 15, 16, 17))
    if fmt == "jsonl":
        frame = pd.read_json(out, lines=True)
    elif fmt == "parquet":
        frame = pq.read_table(out).to_pandas()
    elif fmt == "csv":
        frame = pd.read_csv(out, encoding="utf-8", keep_default_na=False)
    if fmt in ("jsonl", "parquet", "csv"):
        assert len(frame) == kept
        if fmt == "csv":  # CSV has no null: an original's duplicate_of is an empty field
            assert (frame["duplicate_of"] == "").all()
        else:
            assert frame["duplicate_of"].isna().all()
        assert seed_text in set(frame["text"])
        assert "\\u0" not in out.read_bytes().decode("utf-8", errors="ignore")
    elif out.suffix:
        lines = out.read_text(encoding="utf-8").splitlines()
        assert len(lines) == kept and any(SEED[3] in line for line in lines)
    else:
        assert len(list(out.glob("*.txt"))) == kept
    manifest = json.loads((out / "manifest.json" if out.is_dir() else Path(f"{out}.manifest.json")).read_text())
    assert manifest["articles"] == kept
    assert manifest["duplicate_articles_left_out"] == len(EXPECTED["cross_outlet_copies"])
    assert manifest["paragraphs_removed_by_reason"]["title"] >= 1


def test_scrape_print_writes_one_json_record_per_article(site):
    result = cli("scrape", site.base_url + EXPECTED["seed_path"], "--print", *FAST)
    assert result.returncode == 0, result.stderr[-2000:]
    (record,) = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert record["title"] == SEED[2] and len(record["removed"]) == 3 and record["published"] == "2023-09-19"
    assert set(record) >= {"id", "url", "source", "title", "author", "published", "language", "text", "paragraphs",
                           "removed", "duplicate_of"}


def test_scrape_a_feed_url_follows_its_entries(site, tmp_path):
    db = tmp_path / "one.db"
    result = cli("scrape", site.base_url + "/khaleej/feed.rss", "--db", str(db), *FAST)
    assert result.returncode == 0, result.stderr[-2000:]
    assert rows(db, "SELECT count(*) FROM articles")[0][0] == EXPECTED["per_source"]["khaleej-daily"]
    titles = [t for (t,) in rows(db, "SELECT title FROM articles")]
    assert "موسم الزيتون يبشر بإنتاج وفير بعد عامين من الجفاف" in titles  # windows-1256, declared only in the page


def test_extract_saved_pages(tmp_path, site):
    from crawler.demo import build_site

    content_type, body = build_site("https://wadi.example")[EXPECTED["seed_path"]]
    page = tmp_path / "seed.html"
    page.write_bytes(body)
    (tmp_path / "empty.html").write_bytes(b"")
    result = cli("extract", str(page), str(tmp_path / "empty.html"))
    assert result.returncode == 0
    (record,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert record["path"] == str(page) and record["paragraphs"][0] == SEED[3]
    assert "empty.html: no article extracted: empty page" in result.stderr


def test_a_second_crawl_while_one_runs_exits_at_once_with_code_4(tmp_path, site):
    db = tmp_path / "news.db"
    sources = tmp_path / "sources.toml"
    sources.write_text(sources_toml(site.base_url), encoding="utf-8")
    with open(f"{db}.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        result = cli("crawl", "--sources", str(sources), "--db", str(db))
    assert result.returncode == 4 and "another crawl" in result.stderr


def test_a_bad_sources_file_is_exit_code_2_naming_the_source(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[source]]\nname = "x"\nfeeds = "http://127.0.0.1/rss"\n', encoding="utf-8")
    result = cli("crawl", "--sources", str(bad), "--db", str(tmp_path / "n.db"))
    assert result.returncode == 2 and "source 'x' (#1): field 'feeds'" in result.stderr


def test_an_unwritable_store_is_exit_code_3(tmp_path, site):
    sources = tmp_path / "sources.toml"
    sources.write_text(sources_toml(site.base_url), encoding="utf-8")
    (tmp_path / "file").write_text("x")
    result = cli("crawl", "--sources", str(sources), "--db", str(tmp_path / "file" / "news.db"))
    assert result.returncode == 3 and "cannot open database" in result.stderr


def test_no_reachable_source_is_exit_code_1(tmp_path):
    sources = tmp_path / "sources.toml"
    sources.write_text('[[source]]\nname = "gone"\nfeeds = ["http://127.0.0.1:9/rss.xml"]\n', encoding="utf-8")
    result = cli("crawl", "--sources", str(sources), "--db", str(tmp_path / "n.db"), *FAST, "-s", "RETRY_TIMES=0")
    assert result.returncode == 1, result.stdout + result.stderr[-1000:]
    assert "Traceback" not in result.stderr


def test_sources_discover_finds_the_feeds_and_the_news_sitemap(site):
    result = cli("sources", "discover", site.base_url + "/")
    assert result.returncode == 0, result.stderr
    block = result.stdout
    assert block.startswith("[[source]]\nname = ")
    for feed in EXPECTED["feeds"]:
        assert site.base_url + feed in block
    assert site.base_url + "/sahel/news-sitemap.xml" in block


def test_a_source_with_only_section_pages_follows_its_article_links(site, tmp_path):
    sources = tmp_path / "sources.toml"
    sources.write_text(f'[[source]]\nname = "sections"\npages = ["{site.base_url}{EXPECTED["seed_path"]}"]\n',
                       encoding="utf-8")
    db = tmp_path / "news.db"
    result = cli("crawl", "--sources", str(sources), "--db", str(db), *FAST)
    assert result.returncode == 0, result.stderr[-2000:]
    urls = [u for (u,) in rows(db, "SELECT url FROM articles")]
    assert len(urls) >= 3 and all(u.startswith(site.base_url + "/wadi/") for u in urls)
    assert all(u[len(site.base_url):] in EXPECTED["pages"] for u in urls)


def test_a_news_sitemap_source_uses_the_sitemap_dates(site, tmp_path):
    sources = tmp_path / "sources.toml"
    sources.write_text(f'[[source]]\nname = "sahel-sitemap"\nsitemaps = ["{site.base_url}{EXPECTED["sitemap"]}"]\n',
                       encoding="utf-8")
    db = tmp_path / "news.db"
    result = cli("crawl", "--sources", str(sources), "--db", str(db), *FAST, "--quiet", "--log-file", str(tmp_path / "log"))
    assert result.returncode == 0 and result.stdout.count("\n") == 1, result.stdout + result.stderr
    stored = {u[len(site.base_url):]: p for u, p in rows(db, "SELECT url, published FROM articles")}
    assert set(stored) == set(EXPECTED["sitemap_paths"])
    assert all(p and p[:10] == EXPECTED["pages"][path]["date"] for path, p in stored.items())
    assert "Scrapy" in (tmp_path / "log").read_text()


def test_export_selection_by_date_source_and_fields(crawled):
    out = crawled["tmp"] / "selected.jsonl"
    result = cli("export", "--out", str(out), "--db", str(crawled["db"]), "--since", "2024-03-01",
                 "--source", "sahel-post", "--fields", "id,url,published,text")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    expected = {p for p, page in EXPECTED["pages"].items()
                if page["source"] == "sahel-post" and page["date"] >= "2024-03-01" and not page["copy_of"]}
    assert expected and {r["url"].split("127.0.0.1", 1)[1].split("/", 1)[1] for r in records} == \
        {p.lstrip("/") for p in expected}
    assert all(set(r) == {"id", "url", "published", "text"} for r in records)
    bad = cli("export", "--out", str(out), "--db", str(crawled["db"]), "--fields", "id,body")
    assert bad.returncode == 2 and "unknown field(s) body" in bad.stderr


def test_dedup_rebuild_re_marks_the_store_after_a_setting_changes(crawled, tmp_path):
    import shutil

    db = tmp_path / "copy.db"
    shutil.copy(crawled["db"], db)
    strict = cli("dedup", "--rebuild", "--db", str(db), "-s", "DEDUP_CONTAINMENT_THRESHOLD=0.99")
    assert strict.returncode == 0, strict.stderr
    assert rows(db, "SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL")[0][0] == 0
    again = cli("dedup", "--rebuild", "--db", str(db))
    assert "4 duplicates" in again.stdout
    assert rows(db, "SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL")[0][0] == len(
        EXPECTED["cross_outlet_copies"])


def test_a_crawl_on_an_index_built_with_other_bands_warns_until_it_is_rebuilt(crawled, tmp_path):
    import shutil

    db = tmp_path / "copy.db"
    shutil.copy(crawled["db"], db)
    other = ("-s", "DEDUP_BANDS=10", "-s", "DEDUP_ROWS=10")
    warned = cli("crawl", "--sources", str(crawled["sources"]), "--db", str(db), *FAST, *other)
    assert warned.returncode == 0 and "dedup --rebuild" in warned.stderr and "minhash 20x5" in warned.stderr
    assert cli("dedup", "--rebuild", "--db", str(db), *other).returncode == 0
    quiet = cli("crawl", "--sources", str(crawled["sources"]), "--db", str(db), *FAST, *other)
    assert quiet.returncode == 0 and "dedup --rebuild" not in quiet.stderr


def test_dedup_of_an_existing_corpus_keeps_every_record_in_order(tmp_path):
    from conftest import AGENCY_STORY, OTHER_STORY

    records = [{"doc": "a1", "body": "\n".join(AGENCY_STORY), "title": "البنك المركزي"},
               {"doc": "c1", "body": "\n".join(OTHER_STORY), "title": "معرض الكتاب"},
               {"doc": "a2", "body": "\n".join(["الرياض - واس:", *AGENCY_STORY[:4]])},
               {"doc": "a3", "body": "\n".join([AGENCY_STORY[0], AGENCY_STORY[0][:80], *AGENCY_STORY[1:]])}]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = cli("dedup", str(source), "--out", str(out), "--id-field", "doc", "--text-field", "body")
    assert result.returncode == 0, result.stderr
    got = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [g["doc"] for g in got] == ["a1", "c1", "a2", "a3"]
    assert [g["duplicate_of"] for g in got] == [None, None, "a1", "a1"]
    assert got[3]["removed"][0]["reason"] == "fragment" and len(got[3]["paragraphs"]) == len(AGENCY_STORY)
    source.write_text('{"doc": "x", "body": "نص"}\nnot json\n', encoding="utf-8")
    bad = cli("dedup", str(source), "--out", str(out), "--id-field", "doc", "--text-field", "body")
    assert bad.returncode == 2 and "in.jsonl:2: not a JSON line" in bad.stderr


def test_stats_reports_sources_reasons_runs_and_health(crawled):
    result = cli("stats", "--db", str(crawled["db"]), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {s["source"]: s["articles"] for s in data["per_source"]} == EXPECTED["per_source"]
    assert data["duplicate_articles"] == len(EXPECTED["cross_outlet_copies"])
    assert set(data["paragraphs_removed"]) == {"boilerplate", "fragment", "repeat", "title"}
    assert data["recent_runs"][-1]["outcome"] == "completed"
    assert {h["source"] for h in data["source_health"]} == set(EXPECTED["per_source"])
    assert all(h["last_success"] and h["error_streak"] == 0 for h in data["source_health"])
    table = cli("stats", "--db", str(crawled["db"]))
    assert "Source health" in table.stdout and "wadi-news" in table.stdout
