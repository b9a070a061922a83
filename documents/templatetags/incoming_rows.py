"""The rows of the 收文 list, written in Python: thirty rows of eight cells cost the template language more than the
rest of the page (a dozen lookups, tests and filters a row), and the page is the office's most opened."""

from html import escape

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

register = template.Library()


def _text(value):
    return escape(str(value)) if value not in (None, "") else ""


def _row(document, today, choose, detail):
    number = _text(document.number)
    overdue = document.is_overdue(today)
    tags = ""
    if document.is_phone:
        tags += ' <span class="tag info">电话记录</span>'
    if document.is_restricted:
        tags += f' <span class="tag danger">{_text(document.get_secrecy_display())}</span>'
    urgency = _text(document.get_urgency_display())
    if document.is_urgent:
        urgency = f'<span class="tag warn">{urgency}</span>'
    deadline = document.deadline
    due = f"{deadline.year}年{deadline.month}月{deadline.day}日" if deadline else "—"
    if overdue:
        due += ' <span class="tag danger">已逾期</span>'
    check = (
        f'<td><input type="checkbox" name="codes" value="{document.code}" aria-label="选择 {number}"></td>'
        if choose
        else ""
    )
    url = detail.replace("00000000-0000-0000-0000-000000000000", str(document.code))
    return (
        f'<tr class="{"overdue" if overdue else ""}">{check}'
        f'<td data-label="编号">{number}</td>'
        f'<td data-label="标题"><a href="{escape(url)}">{_text(document.title)}</a>{tags}</td>'
        f'<td data-label="来文单位">{_text(document.source_org)}</td>'
        f'<td data-label="来文字号">{_text(document.source_doc_number)}</td>'
        f'<td data-label="紧急">{urgency}</td>'
        f'<td data-label="时限">{due}</td>'
        f'<td data-label="状态">{_text(document.get_status_display())}</td></tr>\n'
    )


@register.simple_tag
def incoming_rows(documents, choose=False):
    """``{% incoming_rows page can_batch_print %}``: a ``<tr>`` per file, every value escaped; ``choose`` adds the
    batch-print checkbox. The detail URL is reversed once and each file's code put in it."""
    today = timezone.localdate()
    detail = reverse("documents:incoming_detail", args=["00000000-0000-0000-0000-000000000000"])
    return mark_safe("".join(_row(d, today, choose, detail) for d in documents))  # noqa: S308 - escaped in _row
