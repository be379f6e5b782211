import sys
from pathlib import Path
from typing import Iterator

import pytest

from servers import PostgresServer, RedisServer, next_database_name

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# An agency story written for the tests, and two papers' versions of it.
AGENCY_STORY = [
    "أعلن البنك المركزي اليوم الأحد رفع سعر الفائدة الرئيسي بمقدار نصف نقطة مئوية، في خطوة تهدف إلى كبح التضخم الذي بلغ أعلى مستوى له منذ عشر سنوات.",
    "وقال محافظ البنك في مؤتمر صحفي عقده في العاصمة إن القرار جاء بعد دراسة مستفيضة لمؤشرات الاقتصاد الكلي، مؤكدا أن البنك سيواصل مراقبة الأسعار عن كثب.",
    "وأضاف أن معدل التضخم السنوي سجل اثني عشر في المئة في الشهر الماضي، مدفوعا بارتفاع أسعار الغذاء والطاقة وتراجع قيمة العملة المحلية أمام الدولار.",
    "وتوقع محللون أن يؤدي القرار إلى تباطؤ نمو الإقراض للقطاع الخاص خلال الأشهر المقبلة، في حين رحبت غرف التجارة بالخطوة واعتبرتها ضرورية لاستقرار السوق.",
    "ويأتي القرار بعد ثلاثة أشهر من رفع سابق بمقدار ربع نقطة، وسط مطالبات من صندوق النقد الدولي بتشديد السياسة النقدية وإصلاح منظومة الدعم.",
]
OTHER_STORY = [
    "افتتح وزير الثقافة مساء أمس معرض الكتاب الدولي في دورته الخامسة والعشرين بمشاركة أكثر من ستمئة دار نشر من ثلاثين دولة عربية وأجنبية.",
    "ويضم المعرض هذا العام جناحا خاصا لأدب الأطفال وآخر للمخطوطات النادرة، إلى جانب برنامج ثقافي يتضمن ندوات وأمسيات شعرية وتوقيعات للكتب الجديدة.",
    "وقالت مديرة المعرض إن عدد الزوار المتوقع يتجاوز مليون زائر خلال أيامه العشرة، مشيرة إلى تخصيص حافلات مجانية لنقل الطلاب من المدارس.",
]


# Real servers on 127.0.0.1 (tests/servers.py): each starts once per session, when a test first asks for it.
@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    with PostgresServer() as server:
        yield server


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    with RedisServer() as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A new, empty database for this test (postgresql://crawler@127.0.0.1:PORT/NAME), dropped after it."""
    name = next_database_name()
    url = postgres_server.create_database(name)
    yield url
    postgres_server.drop_database(name)


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """redis://127.0.0.1:PORT/0 on the session's Redis, emptied for this test."""
    redis_server.flush()
    return redis_server.url
