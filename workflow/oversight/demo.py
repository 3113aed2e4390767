"""Demo oversight work: risk information from every channel of the plan (and one 群众提 comment converted
by the office), one run of the early-warning rules — which raises red (a signal on a 高 point), orange
(measures overdue by more than 30 days) and yellow (two signals on 执行局 within 90 days) warnings — and
handling on the ladder: a reminder awaiting staff_demo's report-back, an admonishment talk, an order to
correct with an open rectification, and an older one carried through to a closed rectification.
Idempotent: a court that already has signals is left alone, and a second rule run raises nothing."""

import datetime

from django.db import transaction
from django.utils import timezone

from hkcourt.org.models import Court, Division, Person, Role, RoleAssignment
from risks.models import Grade, PublicFeedback, RiskPoint

from . import services
from .models import Signal, Warning, WarningLevel

# channel, division, title, content, severity, days ago, about the division's head?
SIGNALS = [
    (
        "petition",
        "执行局",
        "来信反映执行员在执行款发放中拖延并暗示“意思意思”",
        "实名来信称……执行款到账两个月未发放。",
        "serious",
        20,
        False,
    ),
    (
        "case_review",
        "执行局",
        "案件评查发现评估机构选定程序不规范",
        "评查12件执行案件，3件未按规定摇号选定评估机构。",
        "minor",
        45,
        True,
    ),
    (
        "inspection",
        "立案庭",
        "司法巡查发现立案窗口存在“选择性立案”现象",
        "巡查组暗访窗口，部分符合条件的起诉未当场登记。",
        "minor",
        60,
        False,
    ),
    (
        "audit_check",
        "刑事审判庭",
        "审务督察发现庭审迟到、着装不规范",
        "督察组抽查庭审8场，2场法官迟到超过10分钟。",
        "minor",
        30,
        False,
    ),
    (
        "trial_supervision",
        "审判监督庭",
        "再审改判案件中存在说理不充分问题",
        "审判监督中发现再审改判3件，改判理由说明不充分。",
        "minor",
        75,
        False,
    ),
    (
        "conduct_review",
        "民事审判庭",
        "纠风评议中当事人反映调解中有“压调”现象",
        "评议意见12条，其中2条反映调解中有压调情形。",
        "minor",
        100,
        False,
    ),
    ("survey", "行政审判庭", "问卷调查满意度偏低", "回收问卷60份，对“廉洁司法”一项满意度为78%。", "minor", 40, False),
    (
        "cadre_assessment",
        "政治部",
        "干部考核民主测评中反映选人用人透明度不够",
        "民主测评中5人反映干部选任程序公开不够。",
        "minor",
        120,
        False,
    ),
    (
        "audit",
        "计划财务装备处",
        "审计监督发现物资采购未按规定比价",
        "审计抽查采购凭证30份，4份未附比价记录。",
        "serious",
        150,
        False,
    ),
    ("media", "办公室", "网络媒体报道公车私用线索", "某论坛发帖称周末在景区见到法院公务车辆。", "minor", 10, False),
]


def _office(city):
    row = RoleAssignment.objects.filter(role=Role.OFFICE, court=city).select_related("user").first()
    return row.user if row else None


def _head(division):
    row = RoleAssignment.objects.filter(role=Role.DIVISION_HEAD, division=division).select_related("user").first()
    return row.user if row else None


@transaction.atomic
def seed(log=print):
    city = Court.objects.filter(code="hgzy").first()
    office = _office(city) if city else None
    if office is None:
        log("预警处置: 未找到演示法院或领导小组办公室，跳过。")
        return
    if Signal.objects.filter(court=city).exists():
        log(f"预警处置: 已有演示数据（{Signal.objects.count()} 条风险信息、{Warning.objects.count()} 条预警）。")
        return
    today = timezone.localdate()
    divisions = {d.name: d for d in Division.objects.filter(court=city)}
    by_title = {}
    for channel, dname, title, content, severity, days, about_head in SIGNALS:
        division = divisions[dname]
        person = _head(division) if about_head else None
        if person is None and not about_head:
            staff = Person.objects.filter(division=division, post__isnull=False).exclude(user=office).order_by("id")
            person = staff.first().user if channel in ("petition", "audit", "audit_check") and staff.exists() else None
        by_title[title] = services.record_signal(
            actor=office,
            court=city,
            channel=channel,
            severity=severity,
            title=title,
            content=content,
            received_on=today - datetime.timedelta(days=days),
            division=division,
            person=person,
        )
    # A signal on a 高 risk point (red).
    high = (
        RiskPoint.objects.filter(court=city, grade=Grade.HIGH, owner__username="staff_demo").first()
        or RiskPoint.objects.filter(court=city, grade=Grade.HIGH).exclude(owner=office).order_by("id").first()
    )
    if high is not None:
        by_title["high"] = services.record_signal(
            actor=office,
            court=city,
            channel="petition",
            severity="grave",
            title="举报反映承办人在财产保全中收受当事人财物",
            content="匿名举报称承办人在保全裁定作出前与申请人私下接触并收受购物卡。",
            received_on=today - datetime.timedelta(days=3),
            risk_point=high,
            person=high.owner,
        )
    # 群众提: the office converts a comment from the public page, or records one if none came in.
    fb = PublicFeedback.objects.filter(court=city, signal__isnull=True).order_by("id").first()
    if fb is None:
        fb = PublicFeedback.objects.create(
            court=city, text="公示的风险点很好，但希望立案窗口公开办理时限。", ip_hash="demo-feedback"
        )
    services.convert_feedback(actor=office, feedback=fb, title="群众建议公开立案办理时限", severity="minor")

    result = services.evaluate_warnings()
    channels = Signal.objects.values("channel").distinct().count()
    log(
        f"预警处置: {Signal.objects.count()} 条风险信息（{channels} 个渠道），预警规则运行新增 {result['raised']} 条"
        f"预警（红 {result['red']}、橙 {result['orange']}、黄 {result['yellow']}）"
    )

    red = Warning.objects.filter(level=WarningLevel.RED).order_by("id").first()
    if red is not None and red.person_id and red.person_id != office.pk:
        services.create_handling(
            actor=office,
            kind="reminder",
            person=red.person,
            warning=red,
            content="经初步核查，你在财产保全环节存在廉政风险，请对照岗位防控措施自查，于5日内书面回告。",
        )
    enforcement = divisions["执行局"]
    yellow = Warning.objects.filter(level=WarningLevel.YELLOW, division=enforcement).first()
    head = _head(enforcement)
    if yellow is not None and head is not None:
        order = services.create_handling(
            actor=office,
            kind="order",
            person=head,
            warning=yellow,
            content="执行局近期风险信息集中，评估机构选定和执行款发放不规范，责令限期纠正。",
            rect_deadline=today + datetime.timedelta(days=20),
            rect_plan="全面清理未发放执行款；评估机构一律摇号；整改情况书面报告。",
        )
        services.report_progress(
            actor=head, rectification=order.rectification, text="已清理执行款台账，发现逾期未发放款项3笔，正在发放。"
        )
    talk_signal = by_title.get("审务督察发现庭审迟到、着装不规范")
    criminal_head = _head(divisions["刑事审判庭"])
    if talk_signal is not None and talk_signal.person_id:
        services.create_handling(
            actor=office,
            kind="talk",
            person=talk_signal.person,
            signal=talk_signal,
            content="针对庭审纪律问题进行诫勉谈话。",
            talk_date=today - datetime.timedelta(days=25),
            talker_level="division_head",
            talkers=str(getattr(getattr(criminal_head, "person", None), "full_name", "庭长")),
            talk_record="本人承认迟到两次，表示今后严格遵守庭审纪律。",
        )
    conduct = by_title.get("纠风评议中当事人反映调解中有“压调”现象")
    staff_demo = Person.objects.filter(user__username="staff_demo").select_related("user").first()
    if conduct is not None and staff_demo is not None:
        services.create_handling(
            actor=office,
            kind="reminder",
            person=staff_demo.user,
            signal=conduct,
            content="纠风评议中有当事人反映调解中存在“压调”情形，请注意调解方式方法，于5日内书面回告。",
        )
    audit_signal = by_title.get("审计监督发现物资采购未按规定比价")
    if audit_signal is not None and audit_signal.person_id:
        order = services.create_handling(
            actor=office,
            kind="order",
            person=audit_signal.person,
            signal=audit_signal,
            content="物资采购未按规定比价，责令整改。",
            rect_deadline=today,
            rect_plan="补齐比价记录，修订采购流程。",
        )
        services.submit_report_back(
            actor=audit_signal.person, handling=order, analysis="对采购制度学习不够。", commitment="今后严格比价。"
        )
        services.report_progress(actor=audit_signal.person, rectification=order.rectification, text="已补齐比价记录。")
        services.close_rectification(actor=office, rectification=order.rectification, check="抽查凭证，整改到位。")
        services.close_handling(actor=office, handling=order, outcome="整改到位，予以办结。")
    log(f"预警处置: 处置 {services.Handling.objects.count()} 件、整改 {services.Rectification.objects.count()} 件")
