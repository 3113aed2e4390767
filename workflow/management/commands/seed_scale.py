from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from hkcourt.org.models import Court
from workflow.scale import ROOT_CODE, ScaleSeeder


class Command(BaseCommand):
    help = (
        "生成省级规模的基准测试数据（法院、人员、多年度风险点及其流转、评级、防控措施、风险信息），"
        "用于 make bench。只在空库或未生成过的库上运行；生产环境拒绝运行。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--courts", type=int, default=200, help="法院数（1 个高院、约 1/14 中院，其余基层法院）")
        parser.add_argument("--people", type=int, default=20000, help="人员数")
        parser.add_argument("--risk-points", type=int, default=400000, help="风险点数")
        parser.add_argument("--signals", type=int, default=None, help="风险信息条数（默认：人员数的一半）")
        parser.add_argument("--seed", type=int, default=2012, help="随机数种子（同一种子生成同样的数据）")
        parser.add_argument("--chunk", type=int, default=20000, help="每批生成并写入的风险点数")
        parser.add_argument("--if-empty", action="store_true", help="库中已有基准数据时什么也不做（make bench 用）")

    def handle(self, *args, **options):
        if not getattr(settings, "DEMO_DATA_ALLOWED", False):
            raise CommandError("生产环境不允许生成基准数据 (seed_scale is refused by the production settings).")
        if Court.objects.filter(code=ROOT_CODE).exists():
            if options["if_empty"]:
                self.stdout.write(f"本库已有基准数据（法院代码 {ROOT_CODE}），跳过生成。")
                return
            raise CommandError(f"本库已有基准数据（法院代码 {ROOT_CODE}）：请在新建的空库上运行。")
        courts, people, points = options["courts"], options["people"], options["risk_points"]
        if courts < 1 or points < 0 or people < courts * 12:
            raise CommandError("至少 1 个法院，且每个法院至少 12 人（--people ≥ 12 × --courts）。")
        seeder = ScaleSeeder(
            courts=courts,
            people=people,
            risk_points=points,
            signals=options["signals"],
            seed=options["seed"],
            chunk=options["chunk"],
            log=self.stdout.write,
        )
        seconds = seeder.run()
        rows = seeder.loader.rows
        total = sum(rows.values())
        self.stdout.write(f"{'表':<44} {'行数':>10} {'写入秒数':>8} {'行/秒':>10}")
        for table, count in sorted(rows.items(), key=lambda item: -item[1]):
            spent = seeder.loader.seconds[table]
            self.stdout.write(f"{table:<44} {count:>10,} {spent:>8.1f} {count / max(spent, 1e-9):>10,.0f}")
        self.stdout.write(
            self.style.SUCCESS(
                f"共 {total:,} 行，用时 {seconds:.1f} 秒（{total / max(seconds, 1e-9):,.0f} 行/秒，含生成）。"
                "账号密码与演示账号相同。"
            )
        )
