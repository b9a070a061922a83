from django import forms


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


class ReassignForm(forms.Form):
    """转交: to another person holding the step's role, or (for a department's item) another department."""

    to_user = forms.ModelChoiceField(label="转交给", queryset=None, required=False)
    to_department = forms.ModelChoiceField(label="转交给部门", queryset=None, required=False)
    reason = forms.CharField(label="转交说明", required=False, max_length=200)

    def __init__(self, *args, item, obj, flow, candidates=None, **kwargs):
        """``candidates``: a dict shared by the forms of one page, so that each kind of item reads its
        candidates once, whatever the number of open items."""
        super().__init__(*args, **kwargs)
        from .models import User
        from .roles import role_users

        self.item = item
        step = flow.steps.get(item.step) if flow else None
        roles = tuple(step.roles_for(obj)) if step else ()
        candidates = {} if candidates is None else candidates
        if item.assignee_id:
            key = ("users", roles)
            if key not in candidates:
                users = role_users(*roles) if roles else User.objects.filter(is_active=True).order_by("pk")
                candidates[key] = list(users)
            field = self.fields["to_user"]
            field.queryset = User.objects.filter(pk__in=[u.pk for u in candidates[key]])
            field.choices = [("", "---------")] + [(u.pk, str(u)) for u in candidates[key] if u.pk != item.assignee_id]
            field.required = True
            del self.fields["to_department"]
        else:
            key = ("departments",)
            if key not in candidates:
                candidates[key] = list(departments_with_accounts().filter(has_accounts=True))
            field = self.fields["to_department"]
            field.queryset = departments_with_accounts().filter(has_accounts=True)
            field.choices = [("", "---------")] + [
                (d.pk, str(d)) for d in candidates[key] if d.pk != item.department_id
            ]
            field.required = True
            del self.fields["to_user"]
