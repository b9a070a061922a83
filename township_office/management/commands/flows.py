from django.core.management.base import BaseCommand

from township_office.flows import document


class Command(BaseCommand):
    help = "以 Mermaid 状态图输出全部流程的状态和步骤（docs/flows.md 即其输出）"

    def handle(self, *args, **options):
        self.stdout.write(document(), ending="")
