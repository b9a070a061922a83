"""The demo township 长官镇: departments, leaders and one user per role (idempotent)."""

from django.contrib.auth.models import Group
from django.db import transaction

from .models import Department, IssuerCode, Position, Township, User
from .roles import Role

DEMO_PASSWORD = "changguan2026"

STATIONS = [
    ("党政办公室", Department.Kind.OFFICE, "BGS"),
    ("党建工作办公室", Department.Kind.STATION, "DJB"),
    ("经济发展办公室", Department.Kind.STATION, "JFB"),
    ("社会事务办公室", Department.Kind.STATION, "SWB"),
    ("农业农村办公室", Department.Kind.STATION, "NYB"),
    ("平安建设办公室", Department.Kind.STATION, "PAB"),
    ("应急管理办公室", Department.Kind.STATION, "YJB"),
    ("纪检监察办公室", Department.Kind.STATION, "JJB"),
    ("自然资源所", Department.Kind.STATION, "ZRS"),
    ("财政所", Department.Kind.STATION, "CZS"),
    ("司法所", Department.Kind.STATION, "SFS"),
    ("退役军人服务站", Department.Kind.STATION, "TYZ"),
    ("综合文化站", Department.Kind.STATION, "WHZ"),
    ("长官村村民委员会", Department.Kind.VILLAGE, "CGC"),
    ("柳林村村民委员会", Department.Kind.VILLAGE, "LLC"),
    ("石桥村村民委员会", Department.Kind.VILLAGE, "SQC"),
    ("河东村村民委员会", Department.Kind.VILLAGE, "HDC"),
    ("新民社区居民委员会", Department.Kind.VILLAGE, "XMS"),
]

# username, name, title, rank, roles, department, departments in charge of
PEOPLE = [
    ("principal_leader", "王建国", "党委书记", 1, [Role.PRINCIPAL_LEADER], None, []),
    ("mayor", "李志强", "镇党委副书记、镇长", 2, [Role.PRINCIPAL_LEADER], None, []),
    (
        "deputy_leader",
        "陈刚",
        "党委委员、副镇长",
        4,
        [Role.DEPUTY_LEADER],
        None,
        ["经济发展办公室", "农业农村办公室", "自然资源所", "财政所"],
    ),
    (
        "deputy_secretary",
        "张敏",
        "党委副书记",
        3,
        [Role.DEPUTY_LEADER],
        None,
        ["党建工作办公室", "社会事务办公室", "综合文化站", "退役军人服务站", "党政办公室"],
    ),
    ("discipline_secretary", "赵琳", "党委委员、纪委书记", 5, [Role.DEPUTY_LEADER], None, ["纪检监察办公室"]),
    (
        "deputy_mayor",
        "刘洋",
        "副镇长",
        6,
        [Role.DEPUTY_LEADER],
        None,
        [
            "平安建设办公室",
            "应急管理办公室",
            "司法所",
            "长官村村民委员会",
            "柳林村村民委员会",
            "石桥村村民委员会",
            "河东村村民委员会",
            "新民社区居民委员会",
        ],
    ),
    ("office_director", "周丽", "党政办公室主任", 10, [Role.OFFICE_DIRECTOR], "党政办公室", []),
    ("clerk", "孙悦", "文书", 20, [Role.CLERK], "党政办公室", []),
    ("seal_keeper", "吴婷", "印章管理员", 21, [Role.SEAL_KEEPER], "党政办公室", []),
    ("front_desk", "郑芳", "信访接待员", 22, [Role.FRONT_DESK], "党政办公室", []),
    ("department_staff", "黄磊", "农业农村办公室经办人", 30, [Role.DEPARTMENT_STAFF], "农业农村办公室", []),
    ("resources_staff", "马涛", "自然资源所经办人", 31, [Role.DEPARTMENT_STAFF], "自然资源所", []),
    ("village_staff", "林红", "长官村文书", 32, [Role.DEPARTMENT_STAFF], "长官村村民委员会", []),
    ("system_admin", "何伟", "信息化管理员", 40, [Role.SYSTEM_ADMIN], "党政办公室", []),
    ("auditor", "冯洁", "安全审计员", 41, [Role.AUDITOR], None, []),
]

DEMO_LOGINS = [(username, name, title) for username, name, title, *_ in PEOPLE]


@transaction.atomic
def seed_organisation():
    township = Township.objects.order_by("pk").first() or Township(pk=1)
    township.name = "长官镇"
    township.office_name = "长官镇党政办公室"
    township.party_committee_name = "中共长官镇委员会"
    township.government_name = "长官镇人民政府"
    township.fonds_code = "J012"
    township.office_code = "BGS"
    township.case_number_prefix = "长信"
    township.save()

    for code, body, description in [
        ("长委发", IssuerCode.Body.PARTY, "中共长官镇委员会文件"),
        ("长政发", IssuerCode.Body.GOVERNMENT, "长官镇人民政府文件"),
        ("长委办发", IssuerCode.Body.OFFICE, "中共长官镇委员会办公室文件"),
        ("长政办发", IssuerCode.Body.OFFICE, "长官镇人民政府办公室文件"),
    ]:
        IssuerCode.objects.update_or_create(code=code, defaults={"body": body, "description": description})

    departments = {}
    for order, (name, kind, archive_code) in enumerate(STATIONS, start=1):
        dept = Department.objects.filter(name=name).first() or Department(name=name)
        dept.kind, dept.archive_code, dept.sort_order = kind, archive_code, order
        dept.phone = f"0571-6{order:03d}{order:03d}"[:13]
        dept.save()
        departments[name] = dept

    for username, name, title, rank, roles, dept_name, in_charge in PEOPLE:
        user = User.objects.filter(username=username).first() or User(username=username)
        user.full_name = name
        user.department = departments.get(dept_name)
        user.is_staff = Role.SYSTEM_ADMIN in roles
        user.phone = f"1386800{rank:04d}"
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.add(*Group.objects.filter(name__in=roles))
        position, _ = Position.objects.update_or_create(user=user, defaults={"title": title, "rank": rank})
        position.in_charge_of.set([departments[d] for d in in_charge])
    return township
