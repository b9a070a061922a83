"""Demo 督办事项: one on track with two milestones (one fed back), one close to its deadline, one waiting for 销号."""

from datetime import timedelta

from django.utils import timezone

from township_office.models import Department, User

from . import workflow
from .models import SupervisionItem


def seed():
    if SupervisionItem.objects.exists():
        return
    clerk = User.objects.get(username="clerk")
    deputy = User.objects.get(username="deputy_leader")
    deputy_mayor = User.objects.get(username="deputy_mayor")
    staff = User.objects.get(username="department_staff")
    village_staff = User.objects.get(username="village_staff")
    agriculture = Department.objects.get(name="农业农村办公室")
    village = Department.objects.get(name="长官村村民委员会")
    today = timezone.localdate()
    farmland = workflow.open_item(
        {
            "title": "高标准农田建设项目年底前完工验收",
            "requirement": "按节点推进，完工后组织验收。",
            "leader": deputy,
            "lead_department": agriculture,
            "deadline": today + timedelta(days=30),
            "source_kind": SupervisionItem.Source.COUNTY,
            "source_note": "县农业农村局交办单（县农交〔2026〕12号）",
        },
        by=clerk,
        milestones=[("完成土地平整", today + timedelta(days=2)), ("完成灌溉渠道", today + timedelta(days=20))],
        support=[Department.objects.get(name="自然资源所")],
    )
    workflow.feedback(
        farmland, by=staff, milestone=farmland.milestones.first(), text="土地平整已完成约九成，本周内完成。"
    )
    workflow.open_item(
        {
            "title": "村级道路安全隐患排查整改",
            "leader": deputy_mayor,
            "lead_department": village,
            "deadline": today + timedelta(days=2),
            "source_kind": SupervisionItem.Source.MANUAL,
            "source_note": "镇党委会议纪要（第18次）",
        },
        by=clerk,
    )
    done = workflow.open_item(
        {
            "title": "秋冬季秸秆禁烧宣传",
            "leader": deputy_mayor,
            "lead_department": village,
            "deadline": today + timedelta(days=10),
            "source_kind": SupervisionItem.Source.MANUAL,
            "source_note": "镇政府常务会议",
            "delegated": True,
        },
        by=clerk,
    )
    workflow.request_done(done, by=village_staff, result="已张贴标语20条，入户宣传300户。")
