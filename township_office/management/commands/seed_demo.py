from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import module_has_submodule

from township_office.demo import DEMO_LOGINS, DEMO_PASSWORD, seed_organisation


class Command(BaseCommand):
    help = "建立演示乡镇“长官镇”：部门、领导、每个角色一个演示账号，以及各模块的演示数据（可重复执行）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo",
            action="store_true",
            help="确认这是演示安装（DEBUG 关闭时必须加：演示账号的密码是公开的）",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["demo"]:
            raise CommandError(
                "DEBUG 已关闭，这可能是正式安装：演示账号的密码是公开的，不能建在正式系统里。"
                "如果这确实是演示安装，请加 --demo。"
            )
        seed_organisation()
        modules = [
            import_module(f"{config.name}.demo")
            for config in apps.get_app_configs()
            if config.name != "township_office" and module_has_submodule(config.module, "demo")
        ]
        for module in modules:
            module.seed()
        # what needs another app's demo records first (the 发文's 用印 needs the seals)
        for module in modules:
            if hasattr(module, "seed_after_others"):
                module.seed_after_others()
        self.stdout.write(self.style.SUCCESS(f"演示乡镇“长官镇”已就绪。演示账号（密码均为 {DEMO_PASSWORD}）："))
        for username, name, title in DEMO_LOGINS:
            self.stdout.write(f"  {username:<22} {name}（{title}）")
