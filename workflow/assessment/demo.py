"""Demo questionnaires: a finished 民主测评-style satisfaction survey of the intermediate court (sent to all
its people, answered by 20 of them — all of 民事审判庭 among them — and closed; its execution-work item is
under the threshold, ready for a rectification), and an open questionnaire sent to 民事审判庭 —
staff_demo has an unused token — and published to the public. Plus one interview record, and the current
campaign's indicator weights as edited once by the office (version 1). Everything through the services;
idempotent: a questionnaire found by its title, weights already set, are left alone."""

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction

from hkcourt.org.models import Court, Division
from workflow.models import Campaign, local_today

from . import services
from .indicators import DEFINITIONS
from .models import IndicatorScheme, Interview, Invitation, Item, ItemKind, Questionnaire

CLOSED_TITLE = "2013年上半年廉政风险防控工作满意度测评"
OPEN_TITLE = "廉政风险防控工作问卷调查（巩固提高阶段）"

CLOSED_ITEMS = [
    (ItemKind.RATING, "您对本院廉政风险防控工作的总体评价", True, [], []),
    (
        ItemKind.SINGLE,
        "您认为本院查找的廉政风险点是否准确、全面、深入？",
        True,
        ["准确全面", "基本准确", "不够全面", "流于形式"],
        [1, 2],
    ),
    (ItemKind.RATING, "您对执行工作（执行款发放、委托评估拍卖）廉洁情况的满意度", True, [], []),
    (
        ItemKind.MULTIPLE,
        "您认为最需要加强防控的环节（可多选）",
        True,
        ["立案审查", "财产保全", "调解和解", "委托评估拍卖", "执行款发放", "干部任用", "物资采购"],
        [],
    ),
    (ItemKind.SINGLE, "您对院领导班子廉洁自律情况的评价", True, ["好", "较好", "一般", "差"], [1, 2]),
    (ItemKind.TEXT, "对廉政风险防控工作的意见和建议", False, [], []),
]
SUGGESTIONS = [
    "执行款发放应公开进度，当事人可以查询。",
    "评估机构选定建议全程录像并公示结果。",
    "希望多组织警示教育，以案说法。",
    "风险点查找不要流于形式，要结合具体案件。",
    "建议把防控措施落实情况纳入年度考核。",
    "立案窗口要杜绝选择性立案。",
    "",
]
OPEN_ITEMS = [
    (ItemKind.RATING, "您对本庭室廉政风险防控工作的评价", True, [], []),
    (ItemKind.SINGLE, "您是否已签订《个人廉政风险防范承诺书》？", True, ["已签订", "尚未签订", "不清楚"], [1]),
    (ItemKind.TEXT, "您认为本庭室还存在哪些廉政风险？", False, [], []),
]


def _build(office, court, title, intro, items, *, kind, opens_on, closes_on):
    q = services.create_questionnaire(
        actor=office, court=court, title=title, intro=intro, kind=kind, opens_on=opens_on, closes_on=closes_on
    )
    for item_kind, text, required, choices, satisfied in items:
        services.add_item(
            actor=office,
            questionnaire=q,
            kind=item_kind,
            text=text,
            required=required,
            choices=choices,
            satisfied=satisfied,
        )
    return q


def _answers(q, rng, *, low_item=3):
    answers = {}
    for item in Item.objects.filter(questionnaire=q).prefetch_related("choices").order_by("number"):
        choices = [c.pk for c in item.choices.all()]
        if item.kind == ItemKind.RATING:
            weights = [1, 4, 9, 5, 1] if item.number == low_item else [0, 1, 3, 9, 7]
            answers[item.pk] = rng.choices([1, 2, 3, 4, 5], weights=weights)[0]
        elif item.kind == ItemKind.SINGLE:
            answers[item.pk] = rng.choices(choices, weights=[10, 8, 2, 1][: len(choices)])[0]
        elif item.kind == ItemKind.MULTIPLE:
            answers[item.pk] = rng.sample(choices, rng.randint(1, 3))
        else:
            answers[item.pk] = rng.choice(SUGGESTIONS)
    return answers


@transaction.atomic
def seed(log=print):
    city = Court.objects.filter(code="hgzy").first()
    office = get_user_model().objects.filter(username="office_demo").first()
    if city is None or office is None:
        log("问卷测评: 未找到演示组织，跳过")
        return
    today = local_today()
    rng = random.Random(2013)

    if not Questionnaire.objects.filter(court=city, title=CLOSED_TITLE).exists():
        q = _build(
            office,
            city,
            CLOSED_TITLE,
            "为检验廉政风险防控工作成效，请您如实作答。问卷匿名，不记录姓名。",
            CLOSED_ITEMS,
            kind="evaluation",
            opens_on=today,
            closes_on=today + dt.timedelta(days=14),
        )
        services.send_to_staff(actor=office, questionnaire=q, courts=[city])
        # Every one of 民事审判庭 answered (so its own row shows), and 15 others of the court.
        tokens = list(Invitation.objects.filter(questionnaire=q).select_related("division").order_by("pk"))
        civil = [i for i in tokens if i.division and i.division.name == "民事审判庭"]
        rest = [i for i in tokens if i not in civil]
        for invitation in civil + rng.sample(rest, min(20 - len(civil), len(rest))):
            services.answer_with_token(token=invitation.token, answers=_answers(q, rng))
        services.close(actor=office, questionnaire=q)
        # The round is history: it ran last month.
        Questionnaire.objects.filter(pk=q.pk).update(
            opens_on=today - dt.timedelta(days=45), closes_on=today - dt.timedelta(days=31)
        )

    if not Questionnaire.objects.filter(court=city, title=OPEN_TITLE).exists():
        q = _build(
            office,
            city,
            OPEN_TITLE,
            "请结合本庭室实际作答，帮助查缺补漏。",
            OPEN_ITEMS,
            kind="survey",
            opens_on=today - dt.timedelta(days=2),
            closes_on=today + dt.timedelta(days=12),
        )
        civil = Division.objects.get(court=city, name="民事审判庭")
        services.send_to_staff(actor=office, questionnaire=q, divisions=[civil])
        services.publish(actor=office, questionnaire=q)
        others = Invitation.objects.filter(questionnaire=q).exclude(recipient__username__in=["staff_demo", "head_demo"])
        for invitation in others.order_by("pk")[:2]:
            services.answer_with_token(token=invitation.token, answers=_answers(q, rng, low_item=0))

    if not Interview.objects.filter(court=city).exists():
        services.record_interview(
            actor=office,
            court=city,
            held_on=today - dt.timedelta(days=20),
            interviewee_desc="律师 张某（代理执行案件）",
            interviewers="孙立新、纪检监察员",
            summary="反映执行款到账后发放周期较长，评估机构选定过程当事人不了解；建议公开执行款发放进度。",
        )
    current = Campaign.objects.filter(builtin_key="demo-current").first()
    if current is not None and not IndicatorScheme.objects.filter(campaign=current).exists():
        weights = {d.key: (d.weight, d.target) for d in DEFINITIONS}
        weights["measures"] = (25, weights["measures"][1])
        weights["technology"] = (10, weights["technology"][1])
        services.save_weights(
            actor=office, campaign=current, weights=weights, note="领导小组会议决定：提高防控措施制定的权重"
        )
    if current is not None:
        _summaries(current, office)
        _acceptance(current, office)
    log(f"问卷测评: {Questionnaire.objects.filter(court=city).count()} 份问卷；权重、阶段总结、考核验收已登记")


SUMMARY_BODY = """# 一、主要做法
院党组召开全院廉政风险防控工作动员大会，印发《实施方案》，成立领导小组及其办公室。
- 组织全院干警集中学习2次，各庭室分组讨论
- 开展廉政风险防控知识测试，参考率100%

# 二、存在问题
个别庭室学习流于形式，讨论记录简单；部分干警对岗位风险认识不深。

# 三、下一阶段打算
结合审判执行重点环节，逐岗查找廉政风险，做到找得准、找得全、找得深。"""

ACCEPTANCE_TITLE = "第一阶段（学习动员）阶段性验收"


def _summaries(campaign, office):
    from .models import PhaseSummary

    phase = campaign.phases.get(number=1)
    if not PhaseSummary.objects.filter(phase=phase, court=campaign.court, division__isnull=True).exists():
        services.write_summary(
            actor=office, phase=phase, court=campaign.court, title="第一阶段（学习动员）工作总结", body=SUMMARY_BODY
        )
    civil = Division.objects.get(court=campaign.court, name="民事审判庭")
    head = get_user_model().objects.filter(username="head_demo").first()
    if head is not None and not PhaseSummary.objects.filter(phase=phase, division=civil).exists():
        services.write_summary(
            actor=head,
            phase=phase,
            court=campaign.court,
            division=civil,
            title="民事审判庭第一阶段工作总结",
            body="本庭组织学习3次，全庭干警均参加；结合保全、调解等环节开展讨论。",
        )


def _acceptance(campaign, office):
    """A finished round for two divisions: 民事审判庭 合格; 执行局 不合格 and 形式主义, ordered to redo with a
    deadline; 刑事审判庭 and 向阳区法院 still to report (their todos)."""
    from .models import Acceptance

    if Acceptance.objects.filter(campaign=campaign, title=ACCEPTANCE_TITLE).exists():
        return
    city = campaign.court
    names = ["民事审判庭", "执行局", "刑事审判庭"]
    divisions = list(Division.objects.filter(court=city, name__in=names))
    divisions.sort(key=lambda d: names.index(d.name))
    survey = Questionnaire.objects.filter(court=city, title=CLOSED_TITLE).first()
    acceptance = services.create_acceptance(
        actor=office,
        campaign=campaign,
        kind="stage",
        phase=campaign.phases.get(number=1),
        title=ACCEPTANCE_TITLE,
        self_due=local_today() + dt.timedelta(days=7),
        courts=list(Court.objects.filter(code="xiangyang")),
        divisions=divisions,
        sample_size=2,
        questionnaire=survey,
    )
    civil, enforcement = (acceptance.units.get(division=d) for d in divisions[:2])
    plan = [
        (civil, "pass", "本庭按方案组织学习，记录完整；风险点与岗位职责对应。", True, "pass", "抽查记录符合要求。"),
        (
            enforcement,
            "excellent",
            "已完成。",
            False,
            "fail",
            "抽查的风险点照抄上级文件，措施未结合执行款发放、评估拍卖环节。",
        ),
    ]
    for unit, self_grade, report, ok, spot_grade, note in plan:
        leader = services.unit_leader(unit)
        if leader is None:
            continue
        services.submit_self_report(actor=leader, unit=unit, report=report, grade=self_grade)
        for sample in services.draw_sample(actor=office, unit=unit):
            services.record_finding(
                actor=office,
                sample=sample,
                satisfactory=ok,
                finding="" if ok else "与岗位实际不符，内容照搬模板。",
            )
        services.record_spot_check(actor=office, unit=unit, grade=spot_grade, note=note)
        if survey is not None:
            services.record_social(actor=office, unit=unit)
    civil.refresh_from_db()
    enforcement.refresh_from_db()
    if civil.spot_at:
        services.decide_unit(actor=office, unit=civil, grade="pass", conclusion="学习动员扎实，验收合格。")
    if enforcement.spot_at:
        services.decide_unit(
            actor=office,
            unit=enforcement,
            grade="fail",
            formalism=True,
            conclusion="自查报告敷衍，风险点照抄文件，存在形式主义问题，验收不合格，责令整改、重新补课。",
            deadline=local_today() + dt.timedelta(days=30),
            plan="重新组织学习，结合执行款发放、委托评估拍卖环节逐岗查找风险。",
        )
