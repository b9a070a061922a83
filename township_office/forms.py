from django import forms


class AuditFilterForm(forms.Form):
    q = forms.CharField(label="关键字", required=False, help_text="操作人、对象或说明")
    action = forms.CharField(label="操作", required=False)
    date_from = forms.DateField(label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def filter(self, queryset):
        data = self.cleaned_data
        if data.get("q"):
            from django.db.models import Q

            q = data["q"]
            queryset = queryset.filter(
                Q(actor_name__contains=q) | Q(object_repr__contains=q) | Q(comment__contains=q) | Q(object_code=q)
            )
        if data.get("action"):
            queryset = queryset.filter(action__contains=data["action"])
        if data.get("date_from"):
            queryset = queryset.filter(created_at__date__gte=data["date_from"])
        if data.get("date_to"):
            queryset = queryset.filter(created_at__date__lte=data["date_to"])
        return queryset
