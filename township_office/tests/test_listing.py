"""The one list skeleton (filter form → rows → page → 400) and the one export helper."""

import csv
import io

import pytest
from django import forms
from django.test import RequestFactory
from openpyxl import load_workbook

from tests.testapp.models import Dossier
from township_office import exports
from township_office.listing import FilterForm, Listing
from township_office.models import AuditEvent


class DossierFilter(FilterForm):
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部"), *Dossier.Status.choices],
        error_messages={"invalid_choice": "没有这个状态，请从列表中选择。"},
    )

    def filter(self, rows):
        if status := self.cleaned_data["status"]:
            rows = rows.filter(status=status)
        return rows


@pytest.fixture
def dossiers(db):
    Dossier.objects.bulk_create(
        [Dossier(title=f"卷{i}", status=Dossier.Status.DONE if i % 2 else Dossier.Status.OPEN) for i in range(7)]
    )


def _request(user=None, **query):
    request = RequestFactory().get("/list/", query)
    request.user = user
    return request


def test_the_form_filters_orders_and_pages(dossiers):
    listing = Listing(
        _request(status="done", page="2"), DossierFilter, Dossier.objects.all(), order=("-pk",), per_page=2
    )
    assert listing.valid and listing.status == 200 and listing.data["status"] == "done"
    assert [d.title for d in listing.rows] == ["卷5", "卷3", "卷1"]
    assert [d.title for d in listing.page] == ["卷1"] and listing.page.number == 2
    assert listing.query == "status=done"  # the links add their own page, the export buttons their own format


@pytest.mark.parametrize("page", ["abc", "0", "-3", "9" * 40, "\x00"])
def test_junk_page_numbers_give_the_first_or_the_last_page(dossiers, page):
    listing = Listing(_request(page=page), DossierFilter, Dossier.objects.all(), order=("pk",), per_page=3)
    assert listing.page.number == (3 if page.startswith("9") else 1)


def test_an_invalid_form_lists_nothing_and_answers_400_beside_the_field(dossiers, client_for, clerk):
    listing = Listing(_request(status="nosuch"), DossierFilter, Dossier.objects.all())
    assert not listing.valid and listing.status == 400 and listing.data == {}
    assert list(listing.rows) == [] and list(listing.page) == []
    assert listing.form.errors["status"] == ["没有这个状态，请从列表中选择。"]
    request = _request(clerk, status="nosuch", q="<b>")
    response = Listing(request, DossierFilter, Dossier.objects.all()).render("includes/filters.html")
    page = response.content.decode()
    assert response.status_code == 400 and "状态：没有这个状态，请从列表中选择。" in page and 'role="alert"' in page


def test_export_names_the_file_in_chinese_makes_cells_safe_and_is_audited(db, clerk):
    rows = [['=HYPERLINK("http://x")', 3, "-12.5"], ["张三", None, "@SUM(A1)"]]
    response = exports.export(
        _request(clerk), fmt="xlsx", name="信访事项", sheet="信访事项", header=["姓名", "人数", "备注"], rows=rows,
        action="导出信访事项", comment="2026年",
    )  # fmt: skip
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''%E4%BF%A1%E8%AE%BF%E4%BA%8B%E9%A1%B9.xlsx"
    assert response["Content-Type"] == exports.XLSX
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "信访事项"
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["姓名", "人数", "备注"],
        ['\'=HYPERLINK("http://x")', 3, "-12.5"],
        ["张三", None, "'@SUM(A1)"],
    ]
    event = AuditEvent.objects.get()
    assert (event.action, event.actor_id, event.comment) == ("导出信访事项", clerk.pk, "2026年 Excel")

    response = exports.export(
        _request(clerk), fmt="csv", name="信访事项", header=["姓名"], rows=[["+cmd"], ["李四"]], action="导出信访事项"
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].endswith(".csv")
    assert list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")))) == [["姓名"], ["'+cmd"], ["李四"]]
    assert AuditEvent.objects.order_by("-pk").first().comment == "CSV"


def test_export_knows_only_its_formats(db, clerk):
    with pytest.raises(ValueError):
        exports.export(_request(clerk), fmt="html", name="x", header=[], rows=[], action="导出")
    assert not AuditEvent.objects.exists()
