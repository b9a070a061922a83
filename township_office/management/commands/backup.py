from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from township_office import backup


class Command(BaseCommand):
    help = "备份数据库、上传文件和密钥为一个归档文件（含各表行数和 SHA-256 清单）。"

    def add_arguments(self, parser):
        parser.add_argument("--dir", help=f"归档目录（默认 BACKUP_DIR：{settings.BACKUP_DIR}）")
        parser.add_argument(
            "--keep",
            type=int,
            default=None,
            help=f"只保留最新的 N 个归档（定时备份用 BACKUP_KEEP={settings.BACKUP_KEEP}）",
        )

    def handle(self, *args, **options):
        try:
            archive = backup.create(options["dir"], keep=options["keep"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"备份完成：{archive}"))
