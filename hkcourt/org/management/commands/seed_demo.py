from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string


class Command(BaseCommand):
    help = "创建演示数据（可重复运行，不会重复创建）。生产环境拒绝运行。"

    def handle(self, *args, **options):
        if not getattr(settings, "DEMO_DATA_ALLOWED", False):
            raise CommandError("生产环境不允许加载演示数据 (seed_demo is refused by the production settings).")
        for dotted in settings.DEMO_SEEDERS:
            import_string(dotted)(log=lambda msg: self.stdout.write(msg))
        self.stdout.write(self.style.SUCCESS("演示数据已就绪。演示账号密码: hegang2012"))
