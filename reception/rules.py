"""The checks of the 《党政机关国内公务接待管理规定》(2013) enforced before approval.

``breaches(reception)`` returns Chinese messages naming the rule; approval is refused while any remains."""

from decimal import Decimal

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

RULES = "《党政机关国内公务接待管理规定》"
BANNED_WORDS = {
    "横幅": "不得张贴悬挂标语横幅",
    "标语": "不得张贴悬挂标语横幅",
    "迎送": "不得组织迎送活动",
    "礼品": "不得赠送礼金、纪念品和土特产品",
    "纪念品": "不得赠送礼金、纪念品和土特产品",
    "土特产": "不得赠送礼金、纪念品和土特产品",
    "酒": "工作餐不得提供高档酒水",
    "香烟": "工作餐不得提供香烟",
    "鱼翅": "不得提供鱼翅、燕窝等高档菜肴",
    "燕窝": "不得提供鱼翅、燕窝等高档菜肴",
    "高档": "不得提供高档菜肴",
}
MEAL_WORDS = ("宴", "餐")


def diner_limit(guest_count):
    """陪餐 at most 3 when guests are 10 or fewer, otherwise at most a third of the guests."""
    return 3 if guest_count <= 10 else guest_count // 3


def breaches(reception):
    """The breaches of a saved plan (its guests, itinerary and leaders as stored)."""
    return check(
        reception,
        guests=reception.guests.count(),
        items=list(reception.itinerary.select_related("meeting_room")),
        leaders=list(reception.accompanying_leaders.all()),
        has_scan=bool(reception.letter_scan),
    )


def check(reception, *, guests, items, leaders, has_scan):
    """The breaches of a plan as given: ``reception`` may be unsaved (the form being edited), ``items`` unsaved
    itinerary lines, ``guests`` their number; times in messages are Beijing time."""
    messages = []
    if not (reception.letter_number and reception.letter_date and has_scan):
        messages.append(
            f"没有来访单位公函（编号、日期、扫描件）不得接待：{RULES}第六条“无公函的公务活动和来访人员一律不予接待”。"
        )
    if guests == 0:
        messages.append("请登记来访人员（姓名、单位、职务）。")
    if reception.has_meal:
        limit = diner_limit(guests)
        if (reception.meal_diners or 0) > limit:
            messages.append(
                f"陪餐人数 {reception.meal_diners} 人超过规定：{RULES}第十条，接待对象10人以内陪餐不得超过3人，"
                f"超过10人的不得超过接待对象人数的三分之一（本次最多 {limit} 人）。"
            )
        standard = Decimal(settings.RECEPTION_MEAL_STANDARD)
        if (reception.meal_cost_per_person or 0) > standard:
            messages.append(
                f"人均餐费 {reception.meal_cost_per_person} 元超过标准 {standard} 元：{RULES}第十条，工作餐标准按当地规定执行。"
            )
    flags = [
        ("banners", "不得张贴悬挂标语横幅"),
        ("welcome_crowd", "不得安排群众迎送、不得组织迎送活动"),
        ("gifts", "不得赠送礼金、有价证券、纪念品和土特产品"),
        ("alcohol", "工作餐不得提供高档酒水"),
        ("cigarettes", "工作餐不得提供香烟"),
        ("premium_dishes", "工作餐应当供应家常菜，不得提供高档菜肴"),
    ]
    for field, rule in flags:
        if getattr(reception, field):
            messages.append(f"{RULES}：{rule}。")
    texts = [reception.meal_menu, reception.vehicles] + [i.activity for i in items]
    found = sorted({rule for text in texts for word, rule in BANNED_WORDS.items() if word in (text or "")})
    messages += [f"方案内容违反{RULES}：{rule}。" for rule in found if f"{RULES}：{rule}。" not in messages]
    # The working meal is the plan's meal (an itinerary line may repeat it as 工作餐); any other meal is extra.
    extra_meals = [i for i in items if any(w in (i.activity or "") for w in MEAL_WORDS) and "工作餐" not in i.activity]
    if len(extra_meals) + (1 if reception.has_meal else 0) > 1:
        messages.append(f"{RULES}第十条：接待单位只可安排工作餐一次。")
    if reception.lodging == reception.Lodging.SUITE:
        messages.append(f"{RULES}：住宿应当安排标准间，不得安排套间。")
    messages += double_bookings(reception, items=items, leaders=leaders)
    return messages


def _at(moment):
    return f"{timezone.localtime(moment):%m月%d日 %H:%M}"


def double_bookings(reception, *, items, leaders):
    """No meeting room or leader booked twice at the same time, within the plan and across receptions."""
    from .models import ItineraryItem, Reception

    messages = []
    live = ~Q(reception__status=Reception.Status.CANCELLED)
    timed = [i for i in items if i.start and i.end]
    for n, item in enumerate(timed):
        if item.meeting_room_id is None:
            continue
        same = next(
            (
                other
                for other in timed[:n]
                if other.meeting_room_id == item.meeting_room_id and other.start < item.end and other.end > item.start
            ),
            None,
        )
        if same is not None:
            messages.append(
                f"{item.meeting_room}在 {_at(item.start)} 已被本方案的“{same.activity}”占用，不能重复预订。"
            )
            continue
        clash = ItineraryItem.objects.filter(
            live, meeting_room_id=item.meeting_room_id, start__lt=item.end, end__gt=item.start
        ).select_related("reception")
        if reception.pk:
            clash = clash.exclude(reception=reception.pk)
        clash = clash.first()
        if clash:
            messages.append(
                f"{item.meeting_room}在 {_at(item.start)} 已被"
                f"“{clash.reception.visiting_unit}：{clash.activity}”占用，不能重复预订。"
            )
    if not (leaders and reception.start and reception.end):
        return messages
    others = Reception.objects.exclude(status=Reception.Status.CANCELLED).filter(
        start__lt=reception.end, end__gt=reception.start
    )
    if reception.pk:
        others = others.exclude(pk=reception.pk)
    leader_ids = {leader.pk for leader in leaders}
    for other in others.filter(accompanying_leaders__in=leader_ids).distinct().prefetch_related("accompanying_leaders"):
        busy = [u for u in other.accompanying_leaders.all() if u.pk in leader_ids]
        for leader in sorted(busy, key=lambda u: u.pk):
            messages.append(
                f"{leader}在同一时间已安排陪同“{other.visiting_unit}”（{_at(other.start)}），不能重复安排。"
            )
    return messages
