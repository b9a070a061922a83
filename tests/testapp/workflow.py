"""A small flow over Dossier that exercises the step declarations of the core."""

from django import forms

from township_office import steps
from township_office.roles import Role
from township_office.steps import Refused, StepForm

from .models import Dossier

S = Dossier.Status


class HandleForm(StepForm):
    note = forms.CharField(label="办理情况")


class SendForm(StepForm):
    handler = forms.ModelChoiceField(label="办理人", queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from township_office.models import User

        self.fields["handler"].queryset = User.objects.filter(is_active=True)


dossiers = steps.Flow(Dossier, kind="案卷", url_name="dossier_step")


@dossiers.step("交办", source=[S.OPEN], roles=[Role.OFFICE_DIRECTOR], form=SendForm, everyone=True)
def send(run, dossier, *, handler):
    run.hand_to("handle", users=[handler], notify=f"请办理：{dossier}")


@dossiers.step("办理", source=[S.OPEN], grant="handle", form=HandleForm, work="待办理")
def handle(run, dossier, *, note):
    if note == "void":
        dossier.title = "已作废"
        dossier.save(update_fields=["title"])
        raise Refused("内容已变化，原审批作废。", keeps_changes=True)
    if note == "fail":
        dossier.title = "不应保存"
        dossier.save(update_fields=["title"])
        raise Refused("办理情况不合要求。")


@dossiers.step(
    "办结",
    source=[S.OPEN],
    target=S.DONE,
    roles=[Role.OFFICE_DIRECTOR, Role.CLERK],
    rule=lambda d, user: "标题为“锁定”的案卷不能办结。" if d.title == "锁定" else None,
    confirm="办结后不能再修改，确定吗？",
)
def close(run, dossier):
    run.advance()
