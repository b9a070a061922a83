"""Generate N × ten years of one township's records for the benchmark (bulk inserts)."""

import time

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "生成 N × 十年的乡镇数据量，用于性能基准（批量写入）。"

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1, help="N × 十年（可为小数，测试用）")
        parser.add_argument("--seed", type=int, default=2026, help="随机种子，保证结果可复现")

    def handle(self, *args, scale, seed, **options):
        from bench.volume import seed as seed_volume

        if scale <= 0:
            raise CommandError("--scale 必须大于 0")
        started = time.perf_counter()
        summary = seed_volume(scale, seed=seed, out=self.stdout.write)
        self.stdout.write(f"完成：{summary}，用时 {time.perf_counter() - started:.1f} 秒")
