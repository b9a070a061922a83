from django import forms

from . import validators

MAX_PHRASES = 20
MAX_PHRASE_LENGTH = 60


class PhrasesForm(forms.Form):
    """我的常用批示语: one per line, in the order they are offered."""

    phrases = forms.CharField(
        label="我的常用批示语",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=f"每行一条，最多 {MAX_PHRASES} 条，每条不超过 {MAX_PHRASE_LENGTH} 个字。"
        "写「×××」的地方，点用后会被选中，直接输入人名即可替换。",
    )

    def __init__(self, *args, office=(), **kwargs):
        self.office = tuple(office)
        super().__init__(*args, **kwargs)

    def clean_phrases(self):
        kept = []
        for number, line in enumerate(self.cleaned_data["phrases"].splitlines(), start=1):
            phrase = " ".join(line.split())
            if not phrase:
                continue
            if len(phrase) > MAX_PHRASE_LENGTH:
                raise forms.ValidationError(f"第 {number} 行超过 {MAX_PHRASE_LENGTH} 个字，请缩短。")
            if phrase not in kept and phrase not in self.office:  # the office's own are offered anyway
                kept.append(phrase)
        if len(kept) > MAX_PHRASES:
            raise forms.ValidationError(f"最多 {MAX_PHRASES} 条，现有 {len(kept)} 条，请删去一些。")
        return kept


class AuditFilterForm(forms.Form):
    q = forms.CharField(label="关键字", required=False, help_text="操作人、对象或说明")
    action = forms.CharField(label="操作", required=False)
    date_from = forms.DateField(label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def filter(self, queryset, user):
        """The events matching the filters. The keyword matches an event's object text or comment only where
        ``user`` may open its record (what the page would redact is not searched either)."""
        data = self.cleaned_data
        if data.get("q"):
            from django.db.models import Q

            from . import visibility

            q = data["q"]
            content = (Q(object_repr__contains=q) | Q(comment__contains=q)) & visibility.readable_refs(user)
            queryset = queryset.filter(Q(actor_name__contains=q) | Q(object_code=q) | content)
        if data.get("action"):
            queryset = queryset.filter(action__contains=data["action"])
        if data.get("date_from"):
            queryset = queryset.filter(created_at__date__gte=data["date_from"])
        if data.get("date_to"):
            queryset = queryset.filter(created_at__date__lte=data["date_to"])
        return queryset


class StaffedDepartmentsField(forms.ModelMultipleChoiceField):
    """Departments to choose from; one without any active account is marked 「无账号」 and refused with the
    reason, since nobody could ever act on what is sent to it."""

    def label_from_instance(self, obj):
        return f"{obj}（无账号）" if not getattr(obj, "has_accounts", True) else str(obj)

    def clean(self, value):
        chosen = super().clean(value)
        unstaffed = [d.name for d in chosen if not d.members.filter(is_active=True).exists()]
        if unstaffed:
            raise forms.ValidationError(
                f"{'、'.join(unstaffed)} 没有可用的用户账号，无法办理，请联系系统管理员开通账号后再选择。"
            )
        return chosen


class StaffedDepartmentField(forms.ModelChoiceField):
    """One department, refused with the reason when it has no active account."""

    def label_from_instance(self, obj):
        return f"{obj}（无账号）" if not getattr(obj, "has_accounts", True) else str(obj)

    def clean(self, value):
        department = super().clean(value)
        if department is not None and not department.members.filter(is_active=True).exists():
            raise forms.ValidationError(f"{department} 没有可用的用户账号，无法办理，请联系系统管理员开通账号。")
        return department


def departments_with_accounts(queryset=None):
    """Departments annotated with ``has_accounts`` (whether any member account is active), for the fields above."""
    from django.db.models import Exists, OuterRef

    from .models import Department, User

    queryset = Department.objects.filter(is_active=True) if queryset is None else queryset
    return queryset.annotate(has_accounts=Exists(User.objects.filter(department=OuterRef("pk"), is_active=True)))


REASSIGN_REASON_REQUIRED = "请填写转交说明。"  # the same words as steps.reassign's refusal


class ReassignForm(forms.Form):
    """转交: to another person holding the step's role, or (for a department's item) another department."""

    to_user = validators.ModelChoiceField(label="转交给", queryset=None, required=False)
    to_department = validators.ModelChoiceField(label="转交给部门", queryset=None, required=False)
    reason = forms.CharField(
        label="转交说明",
        max_length=200,
        error_messages={"required": REASSIGN_REASON_REQUIRED},
        help_text="如：原经办人出差、职责调整",
    )

    def __init__(self, *args, item, obj, flow, candidates=None, **kwargs):
        """``candidates``: a dict shared by the forms of one page, so that the accounts one may hand a step to
        are read once (:func:`reassign_candidates`), whatever the number and the kinds of the open items."""
        super().__init__(*args, **kwargs)
        from .models import Department, User

        self.item = item
        step = flow.steps.get(item.step) if flow else None
        roles = frozenset(step.roles_for(obj)) if step else frozenset()
        candidates = {} if candidates is None else candidates
        if "people" not in candidates:
            candidates.update(reassign_candidates())
        if item.assignee_id:
            if roles:  # leaders first by rank, as role_users() orders them
                users = [user for user, held in candidates["people"] if held & roles]
                users.sort(key=_by_rank)
            else:
                users = sorted((user for user, _ in candidates["people"]), key=lambda u: u.pk)
            field = self.fields["to_user"]
            field.queryset = User.objects.filter(pk__in=[u.pk for u in users])
            field.choices = [("", "---------")] + [(u.pk, str(u)) for u in users if u.pk != item.assignee_id]
            field.required = True
            del self.fields["to_department"]
        else:
            departments = candidates["departments"]
            field = self.fields["to_department"]
            field.queryset = Department.objects.filter(pk__in=[d.pk for d in departments])
            field.choices = [("", "---------")] + [(d.pk, str(d)) for d in departments if d.pk != item.department_id]
            field.required = True
            del self.fields["to_user"]


def _by_rank(user):
    """Leaders by rank, then people without a position, each by pk (the order of roles.role_users)."""
    position = getattr(user, "position", None)  # a reverse one-to-one: missing raises an AttributeError
    return (position is None, position.rank if position else 0, user.pk)


def reassign_candidates():
    """Whom a step may be handed to, in one query: ``people``, every active account with the names of its groups
    (a step's roles pick among them), and ``departments``, the active departments with an active account, in
    the departments' order. The query returns a row per account and group."""
    from django.db.models import F

    from .models import Department, User

    rows = (
        User.objects.filter(is_active=True)
        .select_related("department", "position")
        .annotate(group_name=F("groups__name"))
        .order_by(*(f"department__{key}" for key in Department._meta.ordering), "pk")
    )
    people, departments = {}, {}
    for user in rows:
        _, held = people.setdefault(user.pk, (user, set()))
        if user.group_name:
            held.add(user.group_name)
        if user.department_id and user.department.is_active:
            departments.setdefault(user.department_id, user.department)
    return {"people": list(people.values()), "departments": list(departments.values())}
