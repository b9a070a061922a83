"""Substring search through the trigram index gives exactly what LIKE gives, and follows every change."""

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from tests.testapp.models import Dossier
from township_office import search

TITLES = [
    "关于做好森林防火工作的通知",
    "县政办发〔2025〕12号 关于防汛抗旱的紧急通知",
    "县政办发〔2025〕120号 森林防火检查情况通报",
    "ABC Company 合同",
    'He said "yes" 100% _ok_',
    "秋冬季秸秆禁烧",
]


@pytest.fixture
def dossiers(db):
    return [Dossier.objects.create(title=t) for t in TITLES]


def _found(q):
    return set(search.matching(Dossier.objects.all(), q, ["title"]).values_list("title", flat=True))


def _like(q):
    return set(Dossier.objects.filter(title__contains=q).values_list("title", flat=True))


@pytest.mark.parametrize(
    "q",
    [
        "森林防火",
        "防火",
        "〔2025〕12",
        "〔2025〕120号",
        "abc company",
        "ABC",
        '"yes"',
        "100%",
        "_ok_",
        "禁",
        "不存在的词",
        "  秸秆禁烧 ",
    ],
)
def test_same_rows_as_like(dossiers, q):
    assert _found(q) == _like(q.strip())


def test_empty_query_keeps_everything(dossiers):
    assert _found("  ") == set(TITLES)


def test_follows_updates_and_deletes(dossiers):
    first = dossiers[0]
    first.title = "关于乡村振兴的报告"
    first.save()
    assert first.title in _found("乡村振兴")
    assert first.title not in _found("森林防火")
    Dossier.objects.filter(pk=dossiers[2].pk).update(title="已改名的通报")
    assert _found("森林防火") == set()
    dossiers[5].delete()
    assert _found("秸秆禁烧") == set()
    Dossier.objects.bulk_create([Dossier(title="批量导入的森林防火文件")])
    assert _found("森林防火") == {"批量导入的森林防火文件"}


def test_extra_condition_also_matches(dossiers):
    rows = search.matching(Dossier.objects.all(), "秸秆禁烧", ["title"], extra=Q(pk=dossiers[0].pk))
    assert set(rows.values_list("title", flat=True)) == {TITLES[0], TITLES[5]}


def test_three_characters_or_more_use_the_index(dossiers):
    queryset = search.matching(Dossier.objects.all(), "森林防火", ["title"])
    with CaptureQueriesContext(connection) as captured:
        list(queryset)
    sql = captured.captured_queries[0]["sql"]
    if connection.vendor == "sqlite":
        assert "testapp_dossier_fts MATCH" in sql
        plan = " ".join(str(row) for row in connection.cursor().execute(f"EXPLAIN QUERY PLAN {sql}").fetchall())
        assert "VIRTUAL TABLE INDEX" in plan
    else:
        assert "LIKE" in sql
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")  # a few rows: let the planner show the index
        assert "testapp_dossier_title_trgm" in queryset.explain()


def test_short_words_fall_back_to_like(dossiers):
    with CaptureQueriesContext(connection) as captured:
        list(search.matching(Dossier.objects.all(), "防火", ["title"]))
    assert "_fts" not in captured.captured_queries[0]["sql"]


@pytest.mark.django_db
def test_every_search_table_keeps_its_triggers_after_all_migrations():
    """A migration that rebuilds an indexed table on SQLite (AddField with a default, AlterField) loses the triggers
    that keep its FTS5 table current, and search then silently finds nothing new: every FTS table has its three
    triggers once all migrations ran (RestoreSearchTriggers after such a migration)."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the FTS5 tables and their triggers exist on SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type='table' AND sql LIKE 'CREATE VIRTUAL TABLE%fts5%'")
        tables = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT name FROM sqlite_master WHERE type='trigger'")
        triggers = {row[0] for row in cursor.fetchall()}
    assert tables
    missing = [
        f"{table}_{suffix}" for table in tables for suffix in ("ai", "ad", "au") if f"{table}_{suffix}" not in triggers
    ]
    assert missing == []
