import time

from django.core.management.base import BaseCommand

from township_office import outbox


class Command(BaseCommand):
    help = "把任务发件箱中尚未交给队列的任务交给 Celery（beat 每 10 秒自动做一次）。"

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=int, default=0, metavar="SECONDS", help="每隔 SECONDS 秒重复，不退出")

    def handle(self, *args, **options):
        while True:
            sent = outbox.relay()
            pending, held = outbox.pending_count(), outbox.held_count()
            line = f"已交给队列 {sent} 个任务，仍待发送 {pending} 个"
            if held:  # another relay is sending them, or died doing so: theirs again once the lease runs out
                line += f"（其中 {held} 个正由另一发送进程发送，{outbox.LEASE_SECONDS} 秒内未发出则重新发送）"
            self.stdout.write(line + "。")
            if not options["loop"]:
                return
            time.sleep(options["loop"])
