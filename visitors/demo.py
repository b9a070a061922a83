from datetime import timedelta

from django.utils import timezone

from township_office.models import Department, User

from . import workflow
from .models import Contact


def seed():
    if Contact.objects.exists():
        return
    desk = User.objects.get(username="front_desk")
    director = User.objects.get(username="office_director")
    deputy = User.objects.get(username="deputy_leader")
    now = timezone.now()
    workflow.register_contact(
        by=desk,
        data={
            "channel": "call",
            "received_at": now - timedelta(hours=3),
            "name": "李大爷",
            "phone": "13905710001",
            "address": "长官村三组",
            "matter": "询问今年耕地地力保护补贴何时发放",
            "category": "agriculture",
        },
    )
    answered = workflow.register_contact(
        by=desk,
        data={
            "channel": "visit",
            "received_at": now - timedelta(hours=2),
            "name": "王秀英",
            "gender": "F",
            "id_number": "330106198001010021",
            "phone": "13905710002",
            "address": "柳林村",
            "matter": "反映低保申请进度",
            "category": "civil",
        },
    )
    workflow.answer_on_the_spot(answered, by=desk, answer="已电话联系社会事务办公室，告知材料已报县民政局审核。")
    visit = workflow.register_contact(
        by=desk,
        data={
            "channel": "visit",
            "received_at": now - timedelta(days=1),
            "name": "张建军",
            "gender": "M",
            "id_number": "330106197503120015",
            "phone": "13905710003",
            "address": "石桥村五组",
            "matter": "承包地被邻村占用修路，补偿款未落实",
            "category": "land",
        },
    )
    case = workflow.open_case(visit, by=desk, petition_type="claim")
    workflow.accept(
        case,
        by=director,
        notice_text="您反映的问题已受理，我镇将依法办理并书面答复。",
        severity="minor",
        leader=deputy,
        lead_department=Department.objects.get(name="自然资源所"),
        handled_with_opinion=True,
    )
    workflow.register_contact(  # a visitor still at the desk: saved as a draft, completed later
        by=desk,
        draft=True,
        data={
            "channel": "visit",
            "received_at": now - timedelta(minutes=20),
            "name": "刘桂兰",
            "phone": "13905710008",
            "address": "柳林村二组",
            "matter": "",
            "category": "civil",
        },
    )
