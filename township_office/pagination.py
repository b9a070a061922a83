"""Pages of long lists that cost the same whatever the number of rows.

Django's ``Paginator`` counts every matching row to show "第 1 / 6667 页". Over ten years of records that
count is most of a list's time (a leader may read 100,000 files; every one must pass the permission check
to be counted). Nobody pages through thousands of pages: the list counts a few pages beyond the one
asked for and says "300 条以上" when there are more, as search engines do. The rows shown, their order
and the "下一页" link are the same as with an exact count.
"""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

AHEAD = 10  # pages counted beyond the one shown
MAX_PAGE = 100_000  # a ``?page=`` beyond this is read as this (then as the last page): no huge LIMIT in SQL


def page_number(value):
    """The page asked for as an int from 1 to MAX_PAGE, whatever was typed.

    Junk (``abc``, a NUL byte, ``1.5``, an empty value) → 1; zero or negative → 1; a huge number →
    MAX_PAGE, which :meth:`CappedPaginator.get_page` then shows as the last page. Unicode digits
    (``١٢``) count as the number they are, as Python's ``int`` reads them.
    """
    if isinstance(value, bool):
        return 1
    if isinstance(value, str):
        value = value.strip()
        if not value or not value.isdecimal():  # isdecimal: no sign, no "_", no "²"
            return 1
        if len(value) > 18:  # past any end, and int() of thousands of digits is slow or refused
            return MAX_PAGE
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return 1
    return min(max(number, 1), MAX_PAGE)


class CappedPaginator(Paginator):
    def __init__(self, object_list, per_page, *, number=1, ahead=AHEAD, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        number = page_number(number)
        self.limit = (number + ahead) * per_page  # rows counted at most; one more tells whether there are more

    @cached_property
    def _counted(self):
        # Unordered: which rows are counted does not matter, and no sort of every row is needed first.
        # Only the keys: annotations the page shows are not computed for the rows merely counted.
        rows = self.object_list.order_by()
        if not rows.query.combinator:
            rows = rows.values("pk")
        return rows[: self.limit + 1].count()

    @cached_property
    def count(self):
        return min(self._counted, self.limit)

    @property
    def exact(self):
        """False when there are more rows than were counted."""
        return self._counted <= self.limit

    def get_page(self, number):
        """The page asked for: junk, zero and negative numbers give the first page, beyond the end the last."""
        return super().get_page(page_number(number))


def paginate(request, queryset, per_page=30):
    """The page of ``queryset`` asked for by ``?page=`` (the last one if beyond the end, the first if junk)."""
    number = page_number(request.GET.get("page"))
    return CappedPaginator(queryset, per_page, number=number).get_page(number)
