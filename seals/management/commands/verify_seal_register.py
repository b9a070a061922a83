from django.core.management.base import BaseCommand, CommandError

from seals.workflow import verify_register


class Command(BaseCommand):
    help = "校验用印登记簿的哈希链，报告第一处断裂。"

    def handle(self, *args, **options):
        ok, broken, count = verify_register()
        if ok:
            self.stdout.write(self.style.SUCCESS(f"用印登记簿校验通过：共 {count} 条，哈希链完整。"))
            return
        raise CommandError(
            f"用印登记簿校验失败：第 {broken.seq} 条（{broken.stamped_at:%Y-%m-%d %H:%M} {broken.seal}）"
            f"与前一条的链接或自身哈希不符，该条或其前一条记录已被改动。"
        )
