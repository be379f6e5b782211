"""Every command turns a bad path, a bad database and a bad -s value into one line and the README's exit
code, never a traceback; read-only commands need no write access."""
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import AGENCY_STORY, OTHER_STORY

from crawler.record import Article
from storage.sqlite import SqliteStore

ROOT = Path(__file__).resolve().parent.parent


def cli(*args: str, wrap: list[str] | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("CRAWLER_DB", None)
    command = [sys.executable, "-m", "crawler", *args]
    return subprocess.run([*(wrap or []), *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def one_line_error(result: subprocess.CompletedProcess, code: int, *words: str) -> None:
    assert result.returncode == code, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    for word in words:
        assert word in errors[0], errors[0]


def corpus(path: Path) -> Path:
    store = SqliteStore(path)
    for n, body in enumerate((AGENCY_STORY, OTHER_STORY)):
        store.save(Article(url=f"https://wadi.example/news/{n}", source="wadi-news", title="عنوان", paragraphs=body,
                           language="ar", published="2024-05-0%dT10:00:00+00:00" % (n + 1)))
    store.close()
    return path


@pytest.mark.parametrize("what", ["directory", "text file", "empty file", "damaged database"])
def test_stats_on_something_that_is_not_a_database_is_one_line_and_exit_3(tmp_path, what):
    target = tmp_path / "news.db"
    if what == "directory":
        target.mkdir()
    elif what == "text file":
        target.write_text("title,url\nخبر,https://x.example/1\n", encoding="utf-8")
    elif what == "empty file":
        target.touch()
    else:
        corpus(target)
        with open(target, "r+b") as f:  # keep SQLite's header, garble the pages
            f.seek(100)
            f.write(os.urandom(4000))
    one_line_error(cli("stats", "--db", str(target)), 3)


def test_a_missing_database_is_exit_2_and_says_to_crawl_first(tmp_path):
    one_line_error(cli("stats", "--db", str(tmp_path / "none.db")), 2, "no database", "crawl first")
    one_line_error(cli("export", "--db", str(tmp_path / "none.db"), "--out", str(tmp_path / "c.jsonl")), 2)
    assert not (tmp_path / "none.db").exists() and not (tmp_path / "c.jsonl").exists()


def test_an_unknown_database_kind_is_exit_2(tmp_path):
    one_line_error(cli("stats", "--db", "mysql://user@127.0.0.1/news"), 2, "unknown database kind 'mysql'")


@pytest.mark.parametrize("setting, words", [
    ("DOWNLOAD_DELAY=abc", ("DOWNLOAD_DELAY", "a number")),
    ("EXTRACT_WORKERS=two", ("EXTRACT_WORKERS", "whole number")),
    ("ROBOTSTXT_OBEY=maybe", ("ROBOTSTXT_OBEY", "true or false")),
    ("DOWNLOAD_DELAY", ("NAME=VALUE",)),
])
def test_a_bad_setting_value_is_exit_2_before_anything_starts(tmp_path, setting, words):
    db = tmp_path / "news.db"
    result = cli("crawl", "--db", str(db), "-s", setting)
    one_line_error(result, 2, *words)
    assert not db.exists()


def test_an_unknown_setting_name_is_warned_about_with_the_closest_known_one(tmp_path):
    db = corpus(tmp_path / "news.db")
    result = cli("dedup", "--rebuild", "--db", str(db), "-s", "DEDUP_WINDOW_DAY=60")
    assert result.returncode == 0, result.stderr
    assert "unknown setting DEDUP_WINDOW_DAY (did you mean DEDUP_WINDOW_DAYS?)" in result.stderr


def test_export_to_an_existing_directory_is_refused_and_an_earlier_export_is_kept(tmp_path):
    db = corpus(tmp_path / "news.db")
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "keep.txt").write_text("x")
    one_line_error(cli("export", "--db", str(db), "--out", str(folder)), 2, "is a directory")
    assert [p.name for p in folder.iterdir()] == ["keep.txt"]
    out = tmp_path / "c.jsonl"
    assert cli("export", "--db", str(db), "--out", str(out)).returncode == 0
    before = out.read_bytes()
    one_line_error(cli("export", "--db", str(db), "--out", str(out), "--fields", "id,nonsense"), 2, "nonsense")
    assert out.read_bytes() == before and len(before.splitlines()) == 2


def read_only_wrapper(folder: Path) -> list[str] | None:
    """A command prefix under which `folder` cannot be written: plain permissions for a normal user; as root
    (who ignores them) a read-only bind mount in a private mount namespace."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        for p in folder.iterdir():
            p.chmod(0o444)
        return []
    if not shutil.which("unshare"):
        return None
    probe = subprocess.run(["unshare", "-m", "sh", "-c", f"mount --bind {folder} {folder} && "
                            f"mount -o remount,ro,bind {folder} && ! touch {folder}/probe"], capture_output=True)
    if probe.returncode != 0:
        return None
    script = f'mount --bind "{folder}" "{folder}" && mount -o remount,ro,bind "{folder}" && exec "$@"'
    return ["unshare", "-m", "sh", "-c", script, "sh"]


def test_stats_and_export_read_a_database_in_a_read_only_directory(tmp_path):
    shared = Path(tempfile.mkdtemp(prefix="ro-corpus-"))
    try:
        db = corpus(shared / "news.db")
        wrap = read_only_wrapper(shared)
        if wrap is None:
            pytest.skip("no way to make a read-only directory here (root without mount namespaces)")
        before = sorted(p.name for p in shared.iterdir())
        stats = cli("stats", "--db", str(db), wrap=wrap)
        assert stats.returncode == 0, stats.stderr
        assert "2 articles" in stats.stdout
        out = tmp_path / "c.jsonl"
        export = cli("export", "--db", str(db), "--out", str(out), wrap=wrap)
        assert export.returncode == 0, export.stderr
        assert len(out.read_text(encoding="utf-8").splitlines()) == 2
        assert sorted(p.name for p in shared.iterdir()) == before  # nothing written beside it
    finally:
        for p in [shared, *shared.iterdir()]:
            p.chmod(0o755)
        shutil.rmtree(shared)
