"""The real PostgreSQL and Redis the backend tests run against (tests/servers.py): each answers real queries."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
import redis

from servers import HOST, PostgresServer, RedisServer

TESTS = Path(__file__).resolve().parent


def test_postgres_stores_and_returns_arabic_text_in_a_table(postgres_url):
    assert postgres_url.startswith(f"postgresql://crawler@{HOST}:")
    with psycopg.connect(postgres_url) as conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE articles (id bigserial PRIMARY KEY, url text UNIQUE NOT NULL, title text)")
        cur.executemany("INSERT INTO articles (url, title) VALUES (%s, %s) ON CONFLICT (url) DO NOTHING",
                         [("https://a.example/1", "رفع سعر الفائدة"), ("https://a.example/2", "معرض الكتاب"),
                          ("https://a.example/1", "نسخة مكررة")])
        rows = cur.execute("SELECT url, title FROM articles ORDER BY id").fetchall()
        (server_version,) = cur.execute("SHOW server_version_num").fetchone()
    assert rows == [("https://a.example/1", "رفع سعر الفائدة"), ("https://a.example/2", "معرض الكتاب")]
    assert int(server_version) >= 130000  # DROP DATABASE ... WITH (FORCE) in the fixture needs 13


def test_each_test_gets_an_empty_database_of_its_own(postgres_url, postgres_server):
    with psycopg.connect(postgres_url) as conn:
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]
        database = conn.execute("SELECT current_database()").fetchone()[0]
    assert tables == 0
    assert database != postgres_server.database


def test_redis_keeps_strings_runs_lua_and_orders_a_sorted_set(redis_url):
    assert redis_url.startswith(f"redis://{HOST}:") and redis_url.endswith("/0")
    client = redis.Redis.from_url(redis_url)
    try:
        client.set("feed:etag", "W/\"abc\"")
        assert client.get("feed:etag") == b'W/"abc"'
        # the pop-lowest-score pattern scrapy-redis's priority queue uses, as one atomic script
        client.zadd("frontier", {"b": 2, "a": 1, "c": 3})
        pop = client.register_script("local r = redis.call('ZRANGE', KEYS[1], 0, ARGV[1] - 1)\n"
                                     "redis.call('ZREMRANGEBYRANK', KEYS[1], 0, ARGV[1] - 1)\nreturn r")
        assert pop(keys=["frontier"], args=[2]) == [b"a", b"b"]
        assert client.zrange("frontier", 0, -1) == [b"c"]
    finally:
        client.close()


def test_the_servers_listen_on_the_loopback_address_only(postgres_server, redis_server):
    with psycopg.connect(postgres_server.url) as conn:
        assert conn.execute("SHOW listen_addresses").fetchone()[0] == HOST
    client = redis.Redis.from_url(redis_server.url)
    try:
        assert client.config_get("bind")["bind"] == HOST
    finally:
        client.close()


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").exists() and Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_a_test_process_killed_outright_leaves_no_server_behind(tmp_path):
    """SIGKILL gives pytest no teardown: the kernel's parent-death signal must stop the servers."""
    script = (f"import sys, time; sys.path.insert(0, {str(TESTS)!r})\n"
              "from servers import PostgresServer, RedisServer\n"
              "pg = PostgresServer().start(); rs = RedisServer().start()\n"
              "print(pg._process.pid, rs._process.pid, pg.directory, rs.directory, flush=True)\n"
              "time.sleep(60)\n")
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        pg_pid, redis_pid, *directories = child.stdout.readline().split()
        assert _running(int(pg_pid)) and _running(int(redis_pid))
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    deadline = time.monotonic() + 15
    while (_running(int(pg_pid)) or _running(int(redis_pid))) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(int(pg_pid)) and not _running(int(redis_pid))
    assert all(Path(directory).exists() for directory in directories)  # no teardown ran to delete them
    with RedisServer():  # the next server to start sweeps them away
        assert not any(Path(directory).exists() for directory in directories)


def test_stop_removes_the_server_and_its_directory():
    server = PostgresServer(database="postgres").start()
    pid, directory = server._process.pid, server.directory
    server.stop()
    assert not _running(pid)
    assert not directory.exists()
    server.stop()  # a second stop (teardown after a failed start) is harmless
