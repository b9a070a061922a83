from django.core.management.base import BaseCommand, CommandError

from township_office import auditchain


class Command(BaseCommand):
    help = "校验审计日志的哈希链，报告第一处断裂。"

    def handle(self, *args, **options):
        ok, broken, count = auditchain.verify()
        if ok:
            self.stdout.write(self.style.SUCCESS(f"审计日志校验通过：共 {count} 条，哈希链完整。"))
            return
        raise CommandError(f"审计日志校验失败：{broken}")
