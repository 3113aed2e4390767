import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from workflow import services


class Command(BaseCommand):
    help = "运行一次工作方案的定时工作：阶段开启/结束、截止日期提醒、逾期上报（可重复运行，不会重复发送）。"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按此日期运行（YYYY-MM-DD，默认今天，Asia/Shanghai）")

    def handle(self, *args, **options):
        today = None
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError("日期格式应为 YYYY-MM-DD。") from exc
        phases = services.advance_phases(today=today)
        reminders = services.send_deadline_reminders(today=today)
        escalations = services.escalate_overdue(today=today)
        self.stdout.write(f"阶段: {phases}; 提醒: {reminders} 条; 逾期上报: {escalations} 条")
