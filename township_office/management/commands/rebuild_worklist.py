"""Give records that predate the work items their Matter and the work items of who must act now.

An office upgrading from a version without work items has files in flight: without this, 我的待办 would be
empty for them. Each record of every declared flow gets its Matter (kind, title, state, initiator), and each
open record the items its flow's declarations derive (``Flow.work_now``: who, label, due, urgency). Records that already have a Matter are
left alone, so the command can run again safely (it is also what ``migrate`` leaves to do, see the docs).
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from township_office import steps, worklist


class Command(BaseCommand):
    help = "为升级前已有的事项建立待办（可重复执行，已有待办的事项不变）"

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args, batch, **options):
        total_matters = total_items = 0
        for flow in steps.flows():
            model = flow.model
            tracked = set(worklist.tracked_ids(model))
            pks = [pk for pk in model._default_manager.order_by("pk").values_list("pk", flat=True) if pk not in tracked]
            for start in range(0, len(pks), batch):
                with transaction.atomic():
                    for obj in model._default_manager.filter(pk__in=pks[start : start + batch]):
                        worklist.track(obj, kind=flow.kind, initiator=flow.initiator_of(obj))
                        total_matters += 1
                        for step, duty in flow.work_now(obj):
                            total_items += len(
                                worklist.assign(
                                    obj,
                                    duty.key or step.name,
                                    label=step.item_label(obj, duty.detail),
                                    kind=worklist.Kind.READ if step.reading else worklist.Kind.ACT,
                                    users=duty.users,
                                    departments=duty.departments,
                                    due=step.due_for(obj) if duty.due is None else duty.due,
                                    urgent=step.urgent_for(obj),
                                )
                            )
        self.stdout.write(f"已建立 {total_matters} 个事项、{total_items} 条待办。")
