"""Long lists count a few pages ahead, never every row; 我的待办 counts stop at 99."""

import pytest
from django.urls import reverse

from tests.testapp.models import Dossier
from township_office import todo
from township_office.models import Notification
from township_office.pagination import CappedPaginator


@pytest.fixture
def dossiers(db):
    Dossier.objects.bulk_create([Dossier(title=f"卷{i}") for i in range(35)])
    return Dossier.objects.order_by("pk")


def test_counts_only_a_few_pages_ahead(dossiers, django_assert_num_queries):
    paginator = CappedPaginator(dossiers, 2, number=1, ahead=3)
    with django_assert_num_queries(1):
        assert paginator.count == 8
    assert paginator.exact is False
    assert paginator.num_pages == 4
    page = paginator.get_page(1)
    assert [d.title for d in page] == ["卷0", "卷1"] and page.has_next()


def test_further_pages_count_further_and_the_end_is_exact(dossiers):
    paginator = CappedPaginator(dossiers, 2, number=10, ahead=3)
    assert (paginator.count, paginator.exact) == (26, False)
    assert [d.title for d in paginator.get_page(10)] == ["卷18", "卷19"]
    last = CappedPaginator(dossiers, 2, number=16, ahead=3)
    assert (last.count, last.exact, last.num_pages) == (35, True, 18)
    assert [d.title for d in last.get_page(18)] == ["卷34"]
    assert [d.title for d in CappedPaginator(dossiers, 2, number=99).get_page(99)] == ["卷34"]


def test_bad_page_numbers_show_the_first_page(dossiers):
    for number in ("abc", "-3", None, "0"):
        page = CappedPaginator(dossiers, 10, number=number).get_page(number)
        assert page.number in (1, 4)  # Django's get_page: junk → 1; 0 or negative → the last page


def test_page_says_more_than_when_not_counted_to_the_end(client_for, clerk):
    Notification.objects.bulk_create([Notification(recipient=clerk, title=f"通知{i}") for i in range(340)])
    page = client_for(clerk).get(reverse("township_office:notifications")).content.decode()
    assert "第 1 / 11+ 页，330 条以上" in page
    last = client_for(clerk).get(reverse("township_office:notifications"), {"page": 12}).content.decode()
    assert "第 12 / 12 页，共 340 条" in last and "通知0" in last


def test_todo_counts_stop_at_the_cap(client_for, clerk, office_director):
    from documents import services

    for i in range(todo.COUNT_CAP + 2):
        services.register_incoming(by=clerk, data={"source_org": "县政府", "title": f"待拟办文件{i}"})
    assert todo.total(office_director) == todo.COUNT_CAP + 1
    page = client_for(office_director).get(reverse("township_office:todo")).content.decode()
    assert f'data-testid="todo-count">{todo.COUNT_CAP}+<' in page
    # The list itself pages through every item (30 a page), counted exactly this close to the start.
    assert "第 1 / 4 页，共 101 条" in page and page.count('class="kind"') == 30
    assert todo.label(7) == "7" and todo.label(todo.COUNT_CAP) == str(todo.COUNT_CAP) and todo.label(0) == ""
