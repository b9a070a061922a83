from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from township_office import auditchain, backup


class Command(BaseCommand):
    help = (
        "校验审计日志的哈希链（含审计密钥和链头校验值），并与数据库之外记录的链头（锚点文件、备份清单）核对，"
        "报告第一处断裂。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchors",
            action="append",
            metavar="FILE",
            help=f"锚点文件（可多次给出，如拷到别处的副本；默认 AUDIT_ANCHOR_LOG：{settings.AUDIT_ANCHOR_LOG}）",
        )
        parser.add_argument(
            "--backups",
            action="append",
            metavar="DIR",
            help=f"读取其中备份清单所记录链头的目录（可多次给出；默认 BACKUP_DIR：{settings.BACKUP_DIR}）",
        )
        parser.add_argument("--no-anchors", action="store_true", help="只校验数据库中的哈希链，不读锚点")

    def handle(self, *args, **options):
        anchors = []
        if not options["no_anchors"]:
            anchors = backup.anchors_outside_database(options["anchors"], options["backups"])
        ok, broken, count = auditchain.verify(anchors=anchors)
        if not ok:
            raise CommandError(f"审计日志校验失败：{broken}")
        used = auditchain.applicable(anchors)
        line = f"审计日志校验通过：共 {count} 条，哈希链完整"
        if used:
            newest = max(used, key=lambda a: a.at)
            line += f"；与 {len(used)} 个链外锚点一致（最新：{timezone.localtime(newest.at):%Y-%m-%d %H:%M}，第 {newest.seq} 条）"
        elif not options["no_anchors"]:
            line += "；没有找到链外锚点（锚点文件和备份清单），末尾被删除的事件无从核对"
        self.stdout.write(self.style.SUCCESS(line + "。"))
