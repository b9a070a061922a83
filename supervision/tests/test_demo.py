import pytest

from supervision import demo
from supervision.models import SupervisionItem

pytestmark = pytest.mark.django_db


def test_demo_items_are_seeded_once(township, clock):
    demo.seed()
    demo.seed()
    items = SupervisionItem.objects.order_by("serial")
    assert [i.get_status_display() for i in items] == ["办理中", "办理中", "待销号"]
    assert items[1].light == "yellow"
