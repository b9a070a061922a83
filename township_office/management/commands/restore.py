from django.core.management.base import BaseCommand, CommandError

from township_office import backup


class Command(BaseCommand):
    help = "从备份归档恢复数据库、上传文件和密钥，并核对行数、用印登记簿、审计日志和数据库结构。"

    def add_arguments(self, parser):
        parser.add_argument("archive", help="manage.py backup 生成的 .tar.gz 文件")
        parser.add_argument("--force", action="store_true", help="目标数据库或上传目录不是空的时，仍然覆盖")

    def handle(self, *args, **options):
        try:
            backup.restore(options["archive"], force=options["force"], out=self.stdout.write)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS("恢复完成，全部核对通过。"))
