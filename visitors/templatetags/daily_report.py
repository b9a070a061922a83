"""The daily report's lines, written in Python: a report lists a few hundred lines, and the template language spent
more on them (a dozen lookups and tests per line) than the rest of the page together."""

from html import escape

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


def _day(value):
    return f"{value.month}月{value.day}日"


def _text(value):
    return escape(str(value)) if value is not None else ""


def _line(line):
    deadline = line["deadline"]
    if line["masked"]:
        due = f' <span class="meta">时限 {_day(deadline)}</span>' if deadline else ""
        return (
            f'<li class="masked">{_text(line["number"])} <span class="meta">{_text(line["when"])}</span> '
            f"{_text(line['title'])}{due}</li>"
        )
    if line["overdue"]:
        css = "overdue"
    elif line["urgent"] or line["group"]:
        css = "urgent"
    else:
        css = ""
    text = f"{_text(line['number'])} {_text(line['title'])}"
    if line["url"]:
        text = f'<a href="{_text(line["url"])}">{text}</a>'
    marks = []
    if line["urgent"]:
        marks.append(' <strong class="tag danger">特急</strong>')
    if line["group"]:
        people = f" {_text(line['people'])}人" if line["people"] else ""
        marks.append(f' <strong class="tag warn">集体访{people}</strong>')
    if line["major"]:
        marks.append(' <strong class="tag warn">重大</strong>')
    if line["overdue"]:
        marks.append(' <strong class="tag danger">已逾期</strong>')
    if line["not_routed"]:
        marks.append(' <span class="tag">未分送本人，请向办公室调阅</span>')
    meta = _text(line["source"])
    if line["department"]:
        meta += f" · {_text(line['department'])}"
    if deadline:
        meta += f" · 时限 {_day(deadline)}"
    return f'<li class="{css}">{text}\n{"".join(marks)}\n<span class="meta">{meta}</span></li>'


@register.simple_tag
def report_lines(lines):
    """``{% report_lines lines %}``: the ``<li>`` of each line (services.LINE: every mark present), every value
    escaped."""
    return mark_safe("".join(_line(line) for line in lines))  # noqa: S308 - every value escaped in _line
