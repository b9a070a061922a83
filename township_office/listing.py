"""The one skeleton of a list page: filter form → queryset → page → 400 with the form's errors.

    def case_list(request):
        listing = Listing(request, CaseFilterForm, visible_cases(request.user), order=("-year", "-serial"))
        return listing.render("visitors/case_list.html", {"today": timezone.localdate()})

- The filters are a form bound to ``request.GET`` (a ``FilterForm``: its ``filter(rows)`` narrows the rows by its
  cleaned data). Nothing is read from ``request.GET`` by hand.
- The rows are the list's visible rows (the detail page's visibility), filtered and ordered: ``listing.rows`` is
  what an export of the list writes too, so a download never shows more than the page.
- ``listing.page`` is the page asked for by ``?page=`` through the core's capped paginator (junk → the first page,
  past the end → the last).
- A form that does not validate lists nothing (its filter could not be read) and the page answers 400, with the
  Chinese message beside the field and what the person typed kept in it.
"""

from django import forms
from django.shortcuts import render
from django.utils.functional import cached_property

from .pagination import paginate

PAGE_SIZE = 30


class FilterForm(forms.Form):
    """A list's filters. Subclasses declare fields (all optional) and narrow the rows in ``filter``."""

    def filter(self, rows):
        return rows


class Listing:
    def __init__(self, request, form_class, rows, *, order=(), per_page=PAGE_SIZE, data=None, **form_kwargs):
        self.request = request
        self.form = form_class(request.GET if data is None else data, **form_kwargs)
        self.valid = self.form.is_valid()
        rows = self.form.filter(rows) if self.valid else rows.none()
        self.rows = rows.order_by(*order) if order else rows
        self.per_page = per_page

    @property
    def data(self):
        """The form's cleaned data ({} when it did not validate)."""
        return self.form.cleaned_data if self.valid else {}

    @property
    def status(self):
        return 200 if self.valid else 400

    @cached_property
    def page(self):
        return paginate(self.request, self.rows, self.per_page)

    @cached_property
    def query(self):
        """The filters as a query string, for the pages' links and the export buttons (no page, no format)."""
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("format", None)
        return query.urlencode()

    def context(self, extra=None):
        return {"form": self.form, "page": self.page, "query": self.query, **(extra or {})}

    def render(self, template, extra=None):
        return render(self.request, template, self.context(extra), status=self.status)
