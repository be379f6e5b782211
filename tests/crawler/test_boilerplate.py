"""Site boilerplate: judged per source, only on enough evidence, never emptying an article."""
from conftest import AGENCY_STORY, OTHER_STORY

from crawler.boilerplate import BoilerplateRule, SourceBoilerplate
from storage.sqlite import SqliteStore

RIGHTS = "© حقوق النشر محفوظة لصحيفة بريد الساحل، ولا يجوز إعادة نشر هذا المحتوى دون إذن مكتوب."
STORIES = [[p, RIGHTS] for p in AGENCY_STORY + OTHER_STORY]  # eight articles, each with the same closing line


def tracker(store=None, **rule) -> SourceBoilerplate:
    return SourceBoilerplate((store or SqliteStore(":memory:")).boilerplate_counts(),
                             BoilerplateRule(**{"min_articles": 5, "min_count": 3, "min_share": 0.3, **rule}))


def test_a_line_is_judged_only_once_the_source_has_enough_articles():
    bp = tracker()
    verdicts = [bp.observe("sahel-post", story) for story in STORIES]
    assert all(removed == [] for _, removed, _ in verdicts[:4])
    kept, removed, newly = verdicts[4]
    assert kept == [STORIES[4][0]] and [r.reason for r in removed] == ["boilerplate"] and newly
    kept, removed, newly = verdicts[5]
    assert kept == [STORIES[5][0]] and removed and not newly  # already judged


def test_lines_are_counted_per_source():
    bp = tracker()
    for story in STORIES[:5]:
        bp.observe("sahel-post", story)
    kept, removed, _ = bp.observe("wadi-news", [OTHER_STORY[0], RIGHTS])
    assert removed == [] and kept == [OTHER_STORY[0], RIGHTS]


def test_an_article_never_loses_its_only_paragraph():
    bp = tracker()
    for story in STORIES[:6]:
        bp.observe("sahel-post", story)
    kept, removed, _ = bp.observe("sahel-post", [RIGHTS])
    assert kept == [RIGHTS] and removed == []


def test_a_rare_line_is_not_boilerplate():
    bp = tracker()
    for i, story in enumerate(STORIES):
        bp.observe("sahel-post", [story[0]] + (["وكان الوزير قد أعلن الخطة في مؤتمر سابق."] if i < 2 else []))
    assert not bp.is_boilerplate("sahel-post", "وكان الوزير قد أعلن الخطة في مؤتمر سابق.")


def test_evidence_outlives_the_process(tmp_path):
    path = tmp_path / "news.db"
    for story in STORIES[:3]:
        tracker(SqliteStore(path)).observe("sahel-post", story)
    later = tracker(SqliteStore(path))
    later.observe("sahel-post", STORIES[3])
    assert later.observe("sahel-post", STORIES[4])[1]
