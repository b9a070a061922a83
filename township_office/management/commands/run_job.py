from django.core.management.base import BaseCommand, CommandError

from township_office import scheduler


class Command(BaseCommand):
    help = "立即运行一个定时任务（名称见 --list），供 cron 或 systemd timer 调用。"

    def add_arguments(self, parser):
        parser.add_argument("job", nargs="?", help="定时任务名称，如 documents-send-reminders")
        parser.add_argument("--list", action="store_true", help="列出全部定时任务")

    def handle(self, *args, **options):
        jobs = scheduler.entries()
        if options["list"] or not options["job"]:
            for name, (task, schedule, _, _) in jobs.items():
                self.stdout.write(f"{name:<32} {task}  {schedule}")
            return
        try:
            result = scheduler.run_job(options["job"])
        except KeyError:
            raise CommandError(f"没有名为 {options['job']} 的定时任务；用 --list 查看。") from None
        self.stdout.write(self.style.SUCCESS(f"{options['job']} 已运行：{result}"))
