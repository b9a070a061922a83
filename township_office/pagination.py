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


class CappedPaginator(Paginator):
    def __init__(self, object_list, per_page, *, number=1, ahead=AHEAD, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        try:
            number = max(int(number), 1)
        except (TypeError, ValueError):
            number = 1
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


def paginate(request, queryset, per_page=30):
    """The page of ``queryset`` asked for by ``?page=`` (the last one if beyond the end)."""
    number = request.GET.get("page")
    return CappedPaginator(queryset, per_page, number=number).get_page(number)
