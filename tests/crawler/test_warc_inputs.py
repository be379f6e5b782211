"""crawler.warc_inputs: files, folders, URLs and lists of them (Common Crawl's warc.paths.gz)."""
import gzip

import pytest

from archives import exchange
from crawler.warc_inputs import InputError, expand_inputs, looks_like_list


def test_a_common_crawl_path_list_resolves_against_the_base_url_and_local_entries_stay_local(tmp_path):
    local = tmp_path / "local.warc.gz"
    local.write_bytes(exchange("https://a.example/", "text/html", b"<html></html>"))
    listing = tmp_path / "warc.paths.gz"
    listing.write_bytes(gzip.compress(
        b"crawl-data/CC-NEWS/2024/05/CC-NEWS-20240501000000-00000.warc.gz\n"
        b"local.warc.gz\n"
        b"http://127.0.0.1:8000/x.warc.gz\n"))
    found = [str(i) for i in expand_inputs([str(listing)], "https://data.example/")]
    assert found == ["https://data.example/crawl-data/CC-NEWS/2024/05/CC-NEWS-20240501000000-00000.warc.gz",
                     str(local), "http://127.0.0.1:8000/x.warc.gz"]


def test_a_warc_file_is_not_taken_for_a_list_and_a_folder_gives_its_warc_files_by_name(tmp_path):
    for name in ("b.warc.gz", "a.warc.gz.open", "notes.txt"):
        (tmp_path / name).write_bytes(exchange("https://a.example/", "text/html", b"<html></html>"))
    assert not looks_like_list(tmp_path / "b.warc.gz")
    assert [i.location.rsplit("/", 1)[1] for i in expand_inputs([str(tmp_path)])] == ["a.warc.gz.open", "b.warc.gz"]


def test_what_names_nothing_stops_the_command_before_it_starts(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        expand_inputs([str(tmp_path / "missing.warc.gz")])
    with pytest.raises(InputError, match="only http"):
        expand_inputs(["ftp://files.example/a.warc.gz"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no WARC files"):
        expand_inputs([str(tmp_path / "empty")])
