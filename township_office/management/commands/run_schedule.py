from django.core.management.base import BaseCommand, CommandError

from township_office import scheduler


class Command(BaseCommand):
    help = "在本进程内按 CELERY_BEAT_SCHEDULE 运行定时任务（单机默认安装用，make run 会自动启动；有 Redis 时用 celery beat）。"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="只检查一次，运行到期的任务后退出")

    def handle(self, *args, **options):
        if options["once"]:
            ran, _ = scheduler.Scheduler().tick()
            self.stdout.write("已运行：" + ("、".join(ran) if ran else "无到期任务"))
            return
        self.stdout.write("定时任务已启动：" + "、".join(scheduler.entries()))
        try:
            scheduler.run_forever()
        except scheduler.AlreadyRunning as exc:
            raise CommandError(f"已有一个定时任务进程在运行（锁文件 {exc}）。") from exc
