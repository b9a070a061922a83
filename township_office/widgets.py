"""Compact choosers for the forms that route work: leaders in a grid by rank, departments grouped by kind with
one tap for 全部站所 / 全部村（居） and a search box (static/township_office/js/site.js does the tapping and the
filtering; without JavaScript they are plain checkbox groups)."""

from django import forms


class LeaderGrid(forms.CheckboxSelectMultiple):
    """Leaders as tappable tiles in rank order (the queryset gives the order), title under the name."""

    template_name = "township_office/widgets/leader_grid.html"

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        user = getattr(value, "instance", None)
        position = getattr(user, "position", None) if user is not None else None
        option["title"] = getattr(position, "title", "")
        return option


class DepartmentPicker(forms.CheckboxSelectMultiple):
    """Departments grouped by kind (站所室, 村（居）委会), each group with a 全选 button, and a search box."""

    template_name = "township_office/widgets/department_picker.html"
    GROUP_LABELS = {"office": "党政办公室", "station": "站所室", "village": "村（居）委会"}
    ALL_LABELS = {"station": "全部站所", "village": "全部村（居）"}

    def optgroups(self, name, value, attrs=None):
        groups = {}
        flat = super().optgroups(name, value, attrs)
        for _, options, _index in flat:
            for option in options:
                department = getattr(option["value"], "instance", None)
                kind = getattr(department, "kind", "") if department is not None else ""
                groups.setdefault(kind, []).append(option)
        order = list(self.GROUP_LABELS)
        result = []
        for index, kind in enumerate(sorted(groups, key=lambda k: order.index(k) if k in order else len(order))):
            label = self.GROUP_LABELS.get(kind, "其他")
            result.append(((label, self.ALL_LABELS.get(kind, f"全部{label}")), groups[kind], index))
        return result


class SignaturePad(forms.Widget):
    """手写签名: a pad to draw on with a finger or the mouse (static/township_office/js/signature.js), whose drawing
    goes into a hidden input as a PNG data URL (checked by township_office.signatures). Without JavaScript the
    pad stays hidden and nothing is sent."""

    template_name = "township_office/widgets/signature_pad.html"

    def format_value(self, value):
        return value if isinstance(value, str) else ""  # the drawing sent back with an error, never kept bytes


class PhraseTextarea(forms.Textarea):
    """A text box with 常用批示语 above it (township_office.phrases gives them), each put in with one tap
    (static/township_office/js/phrases.js), and a link to 我的常用批示语."""

    template_name = "township_office/widgets/phrases.html"

    def __init__(self, phrases=(), attrs=None):
        super().__init__(attrs={"rows": 3, **(attrs or {})})
        self.phrases = phrases

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["phrases"] = self.phrases
        return context
