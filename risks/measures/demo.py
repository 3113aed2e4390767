"""Demo measures and the court rules register: every graded point of the demo courts gets measures, in
every status (some overdue by more than 30 days, so the early-warning rule has something real to find),
the responsible leaders have acknowledged some, and the intermediate court keeps a rules register.
Idempotent: a court that already has measures is left alone."""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from hkcourt.org.models import Court, Person, Role, RoleAssignment

from ..models import Grade, Power, RiskPoint, State
from . import services
from .models import CourtRule, Measure, MeasureCategory, MeasureKind, MeasureStatus

RULES = [
    (
        "审判流程管理办法",
        "鹤中法发〔2013〕3号",
        ["立案审查", "发回重审", "再审"],
        "第一条 为规范审判流程，防止权力滥用……",
    ),
    ("财产保全工作规定", "鹤中法发〔2013〕5号", ["保全"], "第一条 财产保全裁定一律经合议庭评议，执行前由庭长审批……"),
    (
        "委托评估拍卖工作规程",
        "鹤中法发〔2013〕7号",
        ["评估", "拍卖", "变卖"],
        "第一条 评估、拍卖机构一律随机摇号选定……",
    ),
    ("执行款物管理办法", "鹤中法发〔2013〕8号", ["执行款", "分割"], "第一条 执行款一律进入法院专户，严禁截留……"),
    (
        "党组“三重一大”议事规则",
        "鹤中法党组〔2013〕1号",
        ["三重一大", "决策"],
        "第一条 重大决策、重要人事任免……必须集体讨论决定。",
    ),
    (
        "物资采购与财务报销管理制度",
        "鹤中法发〔2013〕11号",
        ["采购", "报销", "财务"],
        "第一条 单笔五千元以上物资一律集中采购……",
    ),
    ("干警八小时外行为规范", "鹤中法发〔2013〕12号", [], "第一条 严禁接受当事人及其代理人宴请、礼品……"),
]

MEASURES = {
    MeasureKind.POST: [
        (MeasureCategory.EDUCATION, "岗位廉政谈话", "庭室负责人每季度与本岗位干警进行一次廉政谈话，并记录在案。"),
        (MeasureCategory.SUPERVISION, "关键环节双人经办", "该环节实行双人经办、交叉复核，经办人与复核人分别签字。"),
        (MeasureCategory.TECHNOLOGY, "网上办案全程留痕", "该环节的审批、变更一律在审判管理系统中办理，系统自动留痕。"),
        (
            MeasureCategory.INSTITUTION,
            "落实回避与报告制度",
            "与当事人有利害关系的，主动申请回避；接触当事人的，当日报告。",
        ),
    ],
    MeasureKind.DIVISION: [
        (MeasureCategory.INSTITUTION, "优化审批流程", "明确审批层级与时限，超过时限自动提示庭长。"),
        (MeasureCategory.SUPERVISION, "庭务会集体研究", "涉及自由裁量的重大事项提交庭务会集体研究，会议纪要存档。"),
    ],
}


def _leaders(court):
    return {
        (r.role, r.division_id): r.user
        for r in RoleAssignment.objects.filter(court=court, role__in=[Role.PRESIDENT, Role.DIVISION_HEAD])
    }


@transaction.atomic
def seed(log=print):
    city = Court.objects.filter(code="hgzy").first()
    office = (
        RoleAssignment.objects.filter(role=Role.OFFICE, court=city).select_related("user").first() if city else None
    )
    if city is None or office is None:
        log("防控措施: 未找到演示法院或领导小组办公室，跳过。")
        return
    office = office.user
    today = timezone.localdate()
    rng = random.Random(2013)
    courts = list(Court.objects.filter(path__startswith=city.path))
    created = rules_created = 0
    if not CourtRule.objects.filter(court=city).exists():
        points = list(RiskPoint.objects.filter(court=city).exclude(state=State.RETIRED).select_related("power"))
        for i, (title, number, words, text) in enumerate(RULES):
            hits = [
                rp
                for rp in points
                if any(w in rp.description or w in (rp.power.name if rp.power else "") for w in words)
            ]
            # 单位定制度 through the service (its audit entry), as the office registers one on the page
            services.create_rule(
                actor=office,
                court=city,
                title=title,
                number=number,
                issued_on=today - datetime.timedelta(days=200 - i * 15),
                text=text + "\n第二条 ……\n第三条 本制度自印发之日起施行。",
                risk_points=hits[:12] or rng.sample(points, min(4, len(points))),
                powers=list(Power.objects.filter(court=city, risk_points__in=hits[:12]).distinct()[:6]),
            )
            rules_created += 1
    rules = list(CourtRule.objects.filter(court=city))
    for court in courts:
        if Measure.objects.filter(court=court).exists():
            continue
        people = {p.division_id: p.user for p in Person.objects.filter(court=court).order_by("id")}
        points = RiskPoint.objects.filter(
            court=court, state__in=[State.GRADED, State.CONFIRMED, State.PUBLISHED, State.CONTROLLED]
        ).select_related("division")
        for n, rp in enumerate(points.order_by("id")):
            owner = rp.owner if rp.level == "post" else people.get(rp.division_id, rp.owner)
            kinds = [MeasureKind.POST] if rp.level == "post" else [MeasureKind.DIVISION]
            if rp.grade == Grade.HIGH and rules:
                kinds.append(MeasureKind.COURT)
            for j, kind in enumerate(kinds):
                if kind == MeasureKind.COURT:
                    rule = rules[(rp.pk + j) % len(rules)]
                    category, title, text = MeasureCategory.INSTITUTION, f"执行《{rule.title}》", rule.text[:60]
                else:
                    rule = None
                    category, title, text = MEASURES[kind][(rp.pk + j) % len(MEASURES[kind])]
                # Status follows the point: controlled points have their measures in place (some checked);
                # others are planned — some due soon, some long overdue.
                if rp.state == State.CONTROLLED:
                    status = MeasureStatus.CHECKED if (n + j) % 3 == 0 else MeasureStatus.IN_PLACE
                    deadline = today - datetime.timedelta(days=rng.randint(5, 60))
                elif rp.state == State.PUBLISHED and (n + j) % 5 == 0:
                    status, deadline = MeasureStatus.PLANNED, today - datetime.timedelta(days=rng.randint(35, 70))
                elif (n + j) % 4 == 0:
                    status, deadline = MeasureStatus.PLANNED, today - datetime.timedelta(days=rng.randint(3, 20))
                else:
                    status, deadline = MeasureStatus.PLANNED, today + datetime.timedelta(days=rng.randint(5, 80))
                now = timezone.now()
                m = Measure.objects.create(
                    risk_point=rp,
                    court=court,
                    division=rp.division,
                    kind=kind,
                    category=category,
                    title=title,
                    description=text,
                    rule=rule,
                    owner=owner,
                    deadline=deadline,
                    status=status,
                    in_place_at=now if status != MeasureStatus.PLANNED else None,
                    in_place_note="已按要求落实，相关记录已存档。" if status != MeasureStatus.PLANNED else "",
                    checked_at=now if status == MeasureStatus.CHECKED else None,
                    checked_by=office if status == MeasureStatus.CHECKED else None,
                    check_note="抽查相关卷宗，措施执行到位。" if status == MeasureStatus.CHECKED else "",
                    acknowledged_by=rp.responsible_leader if rp.responsible_leader_id and n % 2 == 0 else None,
                    acknowledged_at=now if rp.responsible_leader_id and n % 2 == 0 else None,
                    created_by=office,
                )
                if rule is not None:
                    rule.risk_points.add(rp)
                created += 1 if m else 0
            # 岗位定措施 proposed by the post's own staff: some wait for the head's approval, some were not adopted.
            if rp.level == "post" and n % 6 in (1, 4):
                proposed = n % 6 == 1
                Measure.objects.create(
                    risk_point=rp,
                    court=court,
                    division=rp.division,
                    kind=MeasureKind.POST,
                    category=MeasureCategory.MANAGEMENT,
                    title="本岗位办案事项当日登记、次日复核" if proposed else "每周自查一次本岗位办案记录",
                    description="由本人提出，报庭室负责人审批后落实。",
                    owner=rp.owner,
                    deadline=today + datetime.timedelta(days=rng.randint(10, 60)),
                    status=MeasureStatus.PROPOSED if proposed else MeasureStatus.REJECTED,
                    created_by=rp.owner,
                )
                created += 1
    counts = {s.label: Measure.objects.filter(status=s).count() for s in MeasureStatus}
    overdue = Measure.objects.filter(
        status=MeasureStatus.PLANNED, deadline__lt=today - datetime.timedelta(days=30)
    ).count()
    log(
        f"防控措施: 新增 {created} 项措施、{rules_created} 项制度（{counts}；逾期超过30天 {overdue} 项；"
        f"制度汇编共 {CourtRule.objects.count()} 项）"
    )
