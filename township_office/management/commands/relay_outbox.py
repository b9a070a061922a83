import time

from django.core.management.base import BaseCommand

from township_office import outbox


class Command(BaseCommand):
    help = "把任务发件箱中尚未交给队列的任务交给 Celery（beat 每 30 秒自动做一次）。"

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=int, default=0, metavar="SECONDS", help="每隔 SECONDS 秒重复，不退出")

    def handle(self, *args, **options):
        while True:
            sent = outbox.relay()
            self.stdout.write(f"已交给队列 {sent} 个任务，仍待发送 {outbox.pending_count()} 个。")
            if not options["loop"]:
                return
            time.sleep(options["loop"])
