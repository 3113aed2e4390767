"""Every business action on questionnaires and interviews: keyword-only, in a transaction, the policy asked
first, audited — except answering, which is anonymous: nothing about an answer is audited or logged, and
the token (or the public link) is the only credential. Bad input raises ``ValidationError`` in Chinese and
writes nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hkcourt.notifications.services import Message, notify_many
from hkcourt.org import audit, policy, texts
from hkcourt.org.models import Court, Person
from hkcourt.org.queueing import queue_after_commit
from hkcourt.org.roles import Role
from hkcourt.org.text import clean_text
from workflow.models import Campaign, Phase, local_today
from workflow.oversight import services as oversight
from workflow.oversight.models import Channel as SignalChannel
from workflow.oversight.models import HandlingKind, Severity

from .models import (
    GRADE_ORDER,
    MIN_GROUP,
    RATING_MAX,
    RATING_MIN,
    TEXT_ANSWER_LIMIT,
    Acceptance,
    AcceptanceKind,
    AcceptanceSample,
    AcceptanceState,
    AcceptanceUnit,
    Answer,
    CampaignReport,
    Channel,
    Choice,
    Grade,
    IndicatorScheme,
    IndicatorWeight,
    Interview,
    Invitation,
    Item,
    ItemKind,
    ManualScore,
    PhaseSummary,
    Questionnaire,
    QuestionnaireKind,
    QuestionnaireState,
    ReportState,
    Response,
    SampleKind,
    SummaryAttachment,
)
from .stats import item_stats

REDO_REASONS = {
    "fail": gettext_lazy("验收不合格"),
    "formalism": gettext_lazy("存在形式主义、做表面文章、敷衍塞责的问题"),
}

# What the invitation says, rendered in the reader's language (hkcourt.org.texts).
texts.register(
    {
        "assessment.invite": gettext_lazy("请填写问卷：%(title)s（%(day)s前）"),
        "assessment.invite.body": gettext_lazy("本问卷匿名填写，答卷不与您的身份关联。此链接仅供您本人使用一次。"),
        # an acceptance's order to redo: the rectification's problem (``reasons``: codes of REDO_REASONS)
        "assessment.redo": texts.Text(
            gettext_lazy("%(title)s：%(unit)s%(reasons)s，责令整改、重新补课。验收结论：%(conclusion)s"),
            choices={"reasons": REDO_REASONS},
        ),
    }
)

audit.register(
    {
        "assessment.create": gettext_lazy("制作问卷"),
        "assessment.update": gettext_lazy("修改问卷"),
        "assessment.item_add": gettext_lazy("添加问卷题目"),
        "assessment.item_remove": gettext_lazy("删除问卷题目"),
        "assessment.send": gettext_lazy("发放问卷"),
        "assessment.publish": gettext_lazy("公开发布问卷"),
        "assessment.close": gettext_lazy("结束问卷"),
        "assessment.rectify": gettext_lazy("问卷满意度偏低，下达整改"),
        "assessment.interview": gettext_lazy("登记个别访谈"),
        "assessment.weights": gettext_lazy("调整考核指标权重"),
    }
)

MAX_ITEMS = 60
MAX_CHOICES = 12
# The public link: at most this many answer sheets per address (hashed, kept only in the cache).
PUBLIC_LIMITS = ((3, dt.timedelta(minutes=10)), (10, dt.timedelta(days=1)))


def _text(value, label, field, *, limit, required=True):
    return clean_text(value, label, limit=limit, field=field, required=required)


def _lock(q: Questionnaire) -> Questionnaire:
    return Questionnaire.objects.select_for_update(of=("self",)).select_related("court").get(pk=q.pk)


def _settings(*, title, intro, kind, opens_on, closes_on, rating_threshold, satisfaction_threshold, campaign, court):
    errors = {}
    title = _text(title, _("标题"), "title", limit=120)
    intro = _text(intro, _("说明"), "intro", limit=2000, required=False)
    if kind not in QuestionnaireKind.values:
        errors["kind"] = _("请选择问卷类别。")
    if opens_on is None:
        errors["opens_on"] = _("请填写开始日期。")
    if closes_on is None:
        errors["closes_on"] = _("请填写截止日期。")
    elif closes_on < local_today():
        errors["closes_on"] = _("截止日期不能早于今天。")
    elif opens_on is not None and closes_on < opens_on:
        errors["closes_on"] = _("截止日期不能早于开始日期。")
    try:
        rating_threshold = Decimal(str(rating_threshold)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        rating_threshold = None
    if rating_threshold is None or not Decimal(RATING_MIN) <= rating_threshold <= Decimal(RATING_MAX):
        errors["rating_threshold"] = _("评分整改线须在1至5分之间。")
    try:
        satisfaction_threshold = int(satisfaction_threshold)
    except (TypeError, ValueError):
        satisfaction_threshold = -1
    if not 0 <= satisfaction_threshold <= 100:
        errors["satisfaction_threshold"] = _("满意率整改线须在0至100之间。")
    if campaign is not None and not court.path.startswith(campaign.court.path):
        errors["campaign"] = _("所选工作方案不覆盖%(court)s。") % {"court": court.name}
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "intro": intro,
        "kind": kind,
        "opens_on": opens_on,
        "closes_on": closes_on,
        "rating_threshold": rating_threshold,
        "satisfaction_threshold": satisfaction_threshold,
        "campaign": campaign,
    }


# ---------------------------------------------------------------- building


@transaction.atomic
def create_questionnaire(
    *,
    actor,
    court: Court,
    title: str,
    opens_on,
    closes_on,
    kind: str = QuestionnaireKind.SURVEY,
    intro: str = "",
    rating_threshold="3.50",
    satisfaction_threshold=80,
    campaign: Campaign | None = None,
) -> Questionnaire:
    """The office of ``court`` drafts a questionnaire (or a democratic evaluation)."""
    policy.check(actor, "assessment.create", court)
    values = _settings(
        title=title,
        intro=intro,
        kind=kind,
        opens_on=opens_on,
        closes_on=closes_on,
        rating_threshold=rating_threshold,
        satisfaction_threshold=satisfaction_threshold,
        campaign=campaign,
        court=court,
    )
    q = Questionnaire(court=court, created_by=actor, **values)
    q.full_clean()
    q.save()
    audit.record(actor=actor, action="assessment.create", obj=q)
    return q


@transaction.atomic
def update_questionnaire(
    *,
    actor,
    questionnaire: Questionnaire,
    title: str,
    opens_on,
    closes_on,
    kind: str,
    intro: str = "",
    rating_threshold="3.50",
    satisfaction_threshold=80,
    campaign: Campaign | None = None,
) -> Questionnaire:
    q = _lock(questionnaire)
    policy.check(actor, "assessment.edit", q)
    values = _settings(
        title=title,
        intro=intro,
        kind=kind,
        opens_on=opens_on,
        closes_on=closes_on,
        rating_threshold=rating_threshold,
        satisfaction_threshold=satisfaction_threshold,
        campaign=campaign,
        court=q.court,
    )
    for name, value in values.items():
        setattr(q, name, value)
    q.full_clean()
    q.save()
    audit.record(actor=actor, action="assessment.update", obj=q)
    return q


@transaction.atomic
def add_item(
    *, actor, questionnaire: Questionnaire, kind: str, text: str, required: bool = True, choices=(), satisfied=()
) -> Item:
    """Add an item at the end. ``choices``: the texts of a choice item's options, in order; ``satisfied``:
    the 1-based numbers of the options that count as 满意 (for the satisfaction rate)."""
    q = _lock(questionnaire)
    policy.check(actor, "assessment.edit", q)
    if kind not in ItemKind.values:
        raise ValidationError({"kind": _("请选择题型。")})
    text = _text(text, _("题目"), "text", limit=300)
    count = q.items.count()
    if count >= MAX_ITEMS:
        raise ValidationError(_("一份问卷最多%(n)s道题。") % {"n": MAX_ITEMS})
    options = [c.strip() for c in choices if c and c.strip()]
    marks = set()
    if kind in (ItemKind.SINGLE, ItemKind.MULTIPLE):
        if len(options) < 2:
            raise ValidationError({"choices": _("选择题至少要有两个选项（每行一个）。")})
        if len(options) > MAX_CHOICES:
            raise ValidationError({"choices": _("选择题最多%(n)s个选项。") % {"n": MAX_CHOICES}})
        if len(set(options)) != len(options):
            raise ValidationError({"choices": _("选项不能重复。")})
        for option in options:
            _text(option, _("选项"), "choices", limit=120)
        try:
            marks = {int(n) for n in satisfied}
        except (TypeError, ValueError):
            raise ValidationError({"satisfied": _("“计为满意的选项”请填写选项序号，如“1,2”。")}) from None
        if any(not 1 <= n <= len(options) for n in marks):
            raise ValidationError({"satisfied": _("“计为满意的选项”须是1至%(n)s之间的序号。") % {"n": len(options)}})
    elif options:
        raise ValidationError({"choices": _("只有选择题需要选项。")})
    item = Item.objects.create(questionnaire=q, number=count + 1, kind=kind, text=text, required=bool(required))
    Choice.objects.bulk_create(
        [Choice(item=item, number=i, text=option, satisfied=i in marks) for i, option in enumerate(options, 1)]
    )
    audit.record(actor=actor, action="assessment.item_add", obj=q, data={"item": item.number, "kind": kind})
    return item


@transaction.atomic
def remove_item(*, actor, item: Item) -> None:
    q = _lock(item.questionnaire)
    policy.check(actor, "assessment.edit", q)
    item = Item.objects.get(pk=item.pk, questionnaire=q)
    number = item.number
    item.delete()
    for later in q.items.filter(number__gt=number).order_by("number"):
        later.number -= 1
        later.save(update_fields=["number"])
    audit.record(actor=actor, action="assessment.item_remove", obj=q, data={"item": number})


# ---------------------------------------------------------------- distributing


def recipients(questionnaire: Questionnaire, *, courts=(), divisions=()):
    """The people of the chosen courts and divisions (active accounts), within the questionnaire's court
    and the courts under it."""
    q = questionnaire
    condition = Q(court__in=[c.pk for c in courts]) | Q(division__in=[d.pk for d in divisions])
    return (
        Person.objects.filter(condition, court__path__startswith=q.court.path, user__is_active=True)
        .select_related("court", "division")
        .order_by("court__path", "division__sort_order", "pk")
    )


@transaction.atomic
def send_to_staff(*, actor, questionnaire: Questionnaire, courts=(), divisions=()) -> int:
    """Send one one-time token to each person of the chosen courts and divisions through the inbox (and
    e-mail). A person already invited keeps their token; returns the number of new invitations."""
    q = _lock(questionnaire)
    policy.check(actor, "assessment.send", q)
    courts, divisions = list(courts), list(divisions)
    if not courts and not divisions:
        raise ValidationError({"courts": _("请选择发放的法院或庭室。")})
    outside = [c.name for c in courts if not c.path.startswith(q.court.path)]
    outside += [str(d) for d in divisions if not d.court.path.startswith(q.court.path)]
    if outside:
        raise ValidationError({"courts": _("不在本问卷范围内：%(names)s。") % {"names": "、".join(outside)}})
    people = list(recipients(q, courts=courts, divisions=divisions))
    invited = set(Invitation.objects.filter(questionnaire=q).values_list("recipient_id", flat=True))
    fresh = [
        Invitation(
            questionnaire=q,
            recipient_id=p.user_id,
            court_id=p.court_id,
            division_id=p.division_id,
            token=secrets.token_urlsafe(24),
        )
        for p in people
        if p.user_id not in invited
    ]
    if not people:
        raise ValidationError({"courts": _("所选法院和庭室没有人员。")})
    Invitation.objects.bulk_create(fresh)
    if q.state == QuestionnaireState.DRAFT:
        q.state = QuestionnaireState.OPEN
        q.save(update_fields=["state"])
    params = {"title": q.title, "day": q.closes_on.isoformat()}
    notify_many(
        kind="assessment.invite",
        obj=q,
        due=q.closes_on,
        messages=[
            Message(
                recipient_id=i.recipient_id,
                url=reverse("workflow:survey_answer", args=[i.token]),
                message="assessment.invite",
                params=params,
            )
            for i in fresh
        ],
        actor=actor,
    )
    audit.record(
        actor=actor,
        action="assessment.send",
        obj=q,
        data={"courts": [c.pk for c in courts], "divisions": [d.pk for d in divisions], "invited": len(fresh)},
    )
    return len(fresh)


def _public_code():
    alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


@transaction.atomic
def publish(*, actor, questionnaire: Questionnaire) -> Questionnaire:
    """Open the questionnaire to the public through a link (and its QR code)."""
    q = _lock(questionnaire)
    policy.check(actor, "assessment.publish", q)
    code = _public_code()
    while Questionnaire.objects.filter(public_code=code).exists():
        code = _public_code()
    q.public_code = code
    if q.state == QuestionnaireState.DRAFT:
        q.state = QuestionnaireState.OPEN
    q.save(update_fields=["public_code", "state"])
    audit.record(actor=actor, action="assessment.publish", obj=q, data={"code": code})
    return q


@transaction.atomic
def close(*, actor, questionnaire: Questionnaire) -> Questionnaire:
    q = _lock(questionnaire)
    policy.check(actor, "assessment.close", q)
    q.state = QuestionnaireState.CLOSED
    q.save(update_fields=["state"])
    audit.record(actor=actor, action="assessment.close", obj=q)
    return q


# ---------------------------------------------------------------- answering (anonymous)


def _clean_answers(q: Questionnaire, items, answers: dict) -> list[Answer]:
    """Check every answer against its item; ``answers`` maps an item's pk to a choice pk (single), a list of
    choice pks (multiple), a score (rating) or a text. Every problem is reported at once, by item."""
    errors = {}
    rows = []
    known = {item.pk for item in items}
    foreign = [k for k in answers if _int(k) not in known]
    if foreign:
        raise ValidationError(_("答卷中有不属于本问卷的题目，请刷新页面后重新作答。"))
    for item in items:
        raw = answers.get(item.pk, answers.get(str(item.pk)))
        field = f"item_{item.pk}"
        values = raw if isinstance(raw, (list, tuple)) else ([] if raw in (None, "") else [raw])
        values = [v for v in values if str(v).strip() != ""]
        label = _("第%(n)s题") % {"n": item.number}
        if not values:
            if item.required:
                errors[field] = _("%(label)s为必答题，请作答。") % {"label": label}
            continue
        if item.kind in (ItemKind.SINGLE, ItemKind.MULTIPLE):
            choices = {c.pk: c for c in item.choices.all()}
            picked = [_int(v) for v in values]
            if item.kind == ItemKind.SINGLE and len(picked) > 1:
                errors[field] = _("%(label)s是单选题，只能选一项。") % {"label": label}
            elif any(p not in choices for p in picked):
                errors[field] = _("%(label)s的选项无效，请在本题的选项中选择。") % {"label": label}
            else:
                rows += [Answer(item=item, choice=choices[p]) for p in sorted(set(picked))]
        elif item.kind == ItemKind.RATING:
            score = _int(values[0])
            if len(values) > 1 or score is None or not RATING_MIN <= score <= RATING_MAX:
                errors[field] = _("%(label)s的评分须为%(lo)s至%(hi)s分的整数（收到“%(got)s”）。") % {
                    "label": label,
                    "lo": RATING_MIN,
                    "hi": RATING_MAX,
                    "got": str(values[0])[:10],
                }
            else:
                rows.append(Answer(item=item, rating=score))
        else:
            text = str(values[0]).strip()
            if len(values) > 1:
                errors[field] = _("%(label)s只能填写一段文字。") % {"label": label}
            elif len(text) > TEXT_ANSWER_LIMIT:
                errors[field] = _("%(label)s的回答不能超过%(limit)s字（现为%(n)s字）。") % {
                    "label": label,
                    "limit": TEXT_ANSWER_LIMIT,
                    "n": len(text),
                }
            elif text:
                rows.append(Answer(item=item, text=text))
            elif item.required:
                errors[field] = _("%(label)s为必答题，请作答。") % {"label": label}
    if errors:
        raise ValidationError(errors)
    return rows


def _int(value):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _save_response(q, rows, *, channel, court_id=None, division_id=None) -> Response:
    response = Response.objects.create(questionnaire=q, channel=channel, court_id=court_id, division_id=division_id)
    for row in rows:
        row.response = response
    Answer.objects.bulk_create(rows)
    return response


def _items(q):
    return list(Item.objects.filter(questionnaire=q).prefetch_related("choices").order_by("number"))


#: The code of a refusal by state (the token used, the questionnaire not accepting answers): the API answers 409.
STATE_CODE = "state"


@transaction.atomic
def answer_with_token(*, token: str, answers: dict) -> None:
    """Submit the answer sheet of a one-time token. The token is marked used and the response written in
    one transaction; the response keeps only the respondent's court and division. Nothing is audited.
    Returns nothing: the caller has no handle on the response either."""
    invitation = Invitation.objects.select_related("questionnaire").filter(token=str(token)[:64]).first()
    if invitation is None:
        raise ValidationError(_("答卷链接无效。请使用通知中的链接。"))
    q = _lock(invitation.questionnaire)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.used:
        raise ValidationError(_("此链接已经提交过答卷，每个链接只能提交一次。"), code=STATE_CODE)
    refusal = q.refusal()
    if refusal:
        raise ValidationError(refusal, code=STATE_CODE)
    rows = _clean_answers(q, _items(q), answers)
    Invitation.objects.filter(pk=invitation.pk, used=False).update(used=True)
    _save_response(q, rows, channel=Channel.INVITED, court_id=invitation.court_id, division_id=invitation.division_id)
    # PostgreSQL stamps each row version with the writing transaction: rewrite every used token of the
    # questionnaire in this one, so that a token's stamp never pairs it with the response written beside it.
    Invitation.objects.filter(questionnaire=q, used=True).update(used=True)


def _address_key(ip: str, window) -> str:
    digest = hashlib.sha256(f"{settings.SECRET_KEY}|survey|{ip}".encode()).hexdigest()[:32]
    return f"assessment:public:{digest}:{int(window.total_seconds())}"


@transaction.atomic
def answer_public(*, code: str, answers: dict, ip: str) -> None:
    """Submit an answer sheet through the public link, limited per address (the address is neither stored
    with the answer nor kept anywhere but as a keyed hash in the cache, for the length of the window)."""
    q = Questionnaire.objects.filter(public_code=str(code)[:16]).first() if code else None
    if q is None:
        raise ValidationError(_("问卷链接无效。"))
    q = _lock(q)
    refusal = q.refusal()
    if refusal:
        raise ValidationError(refusal)
    keys = [(_address_key(ip or "", window), limit, window) for limit, window in PUBLIC_LIMITS]
    for key, limit, _window in keys:
        if (cache.get(key) or 0) >= limit:
            raise ValidationError(_("提交过于频繁，请稍后再试。"))
    rows = _clean_answers(q, _items(q), answers)
    _save_response(q, rows, channel=Channel.PUBLIC)
    for key, _limit, window in keys:
        if not cache.add(key, 1, timeout=int(window.total_seconds())):
            try:
                cache.incr(key)
            except ValueError:  # expired in between
                cache.add(key, 1, timeout=int(window.total_seconds()))


# ---------------------------------------------------------------- acting on the results


@transaction.atomic
def open_rectification(*, actor, item: Item, owner, deadline, plan: str = ""):
    """限期整改 for an item under the questionnaire's threshold, in one step: the low result is recorded as
    risk information of the 问卷调查 channel and an order to correct (责令纠错) is issued to ``owner`` with
    its rectification and deadline, through the early-warning services. Returns the rectification."""
    q = _lock(item.questionnaire)
    item = Item.objects.select_for_update().select_related("questionnaire__court").get(pk=item.pk, questionnaire=q)
    policy.check(actor, "assessment.rectify", item)
    if deadline is None or deadline < local_today():
        raise ValidationError({"deadline": _("请填写整改期限（不能早于今天）。")})
    if owner is None:
        raise ValidationError({"owner": _("请选择整改责任人。")})
    stats = item_stats(item)
    problem = _("“%(title)s”第%(n)s题“%(text)s”：%(figure)s，低于%(threshold)s（%(count)s份答卷）。") % {
        "title": q.title,
        "n": item.number,
        "text": item.text,
        "figure": stats.figure,
        "threshold": stats.threshold,
        "count": stats.answered,
    }
    signal = oversight.record_signal(
        actor=actor,
        court=q.court,
        channel=SignalChannel.SURVEY,
        severity=Severity.MINOR,
        title=(_("问卷满意度偏低：") + item.text)[:120],
        content=problem,
        received_on=local_today(),
    )
    handling = oversight.create_handling(
        actor=actor,
        kind=HandlingKind.ORDER,
        person=owner,
        content=problem + _("请查找原因，限期整改。"),
        signal=signal,
        rect_deadline=deadline,
        rect_plan=plan,
    )
    rectification = handling.rectification
    item.rectification = rectification
    item.save(update_fields=["rectification"])
    audit.record(
        actor=actor,
        action="assessment.rectify",
        obj=q,
        data={"item": item.number, "rectification": rectification.pk, "signal": signal.pk},
    )
    return rectification


# ---------------------------------------------------------------- interviews


@transaction.atomic
def record_interview(
    *,
    actor,
    court: Court,
    held_on,
    interviewee_desc: str,
    interviewers: str,
    summary: str,
    interviewee=None,
    campaign: Campaign | None = None,
) -> Interview:
    """个别访谈: the office records whom it talked to, when, and what was said."""
    policy.check(actor, "assessment.interviews", court)
    errors = {}
    if held_on is None:
        errors["held_on"] = _("请填写访谈日期。")
    elif held_on > local_today():
        errors["held_on"] = _("访谈日期不能晚于今天。")
    if interviewee is not None:
        person = Person.objects.filter(user=interviewee).select_related("court").first()
        if person is None or not person.court.path.startswith(court.path):
            errors["interviewee"] = _("受访人员须是%(court)s的人员。") % {"court": court.name}
        elif not (interviewee_desc or "").strip():
            interviewee_desc = f"{person.full_name}"
    if errors:
        raise ValidationError(errors)
    interview = Interview(
        court=court,
        campaign=campaign,
        held_on=held_on,
        interviewee=interviewee,
        interviewee_desc=_text(interviewee_desc, _("受访人"), "interviewee_desc", limit=80),
        interviewers=_text(interviewers, _("访谈人"), "interviewers", limit=120),
        summary=_text(summary, _("访谈摘要"), "summary", limit=4000),
        recorded_by=actor,
    )
    interview.full_clean()
    interview.save()
    audit.record(actor=actor, action="assessment.interview", obj=interview)
    return interview


# ---------------------------------------------------------------- the indicator system


@transaction.atomic
def save_weights(*, actor, campaign: Campaign, weights: dict, note: str) -> IndicatorScheme:
    """A new version of the campaign's indicator weights (and targets); earlier versions stay as they were.
    ``weights``: indicator key → (weight, target). The weights must add up to 100."""
    from .indicators import DEFINITIONS

    policy.check(actor, "assessment.weights", campaign)
    note = _text(note, _("调整说明"), "note", limit=200)
    errors = {}
    rows = []
    for d in DEFINITIONS:
        weight, target = weights.get(d.key, (None, None))
        try:
            weight = int(weight)
        except (TypeError, ValueError):
            weight = -1
        if not 0 <= weight <= 100:
            errors[f"weight_{d.key}"] = _("“%(label)s”的权重须是0至100的整数。") % {"label": d.label}
        try:
            target = Decimal(str(target)).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            target = None
        if target is None or not Decimal("0.01") <= target <= Decimal("1000"):
            errors[f"target_{d.key}"] = _("“%(label)s”的目标值须在0.01至1000之间。") % {"label": d.label}
        rows.append((d.key, weight, target))
    unknown = set(weights) - {d.key for d in DEFINITIONS}
    if unknown:
        errors["note"] = _("未知的指标：%(keys)s。") % {"keys": "、".join(sorted(unknown))}
    if not errors and sum(w for _k, w, _t in rows) != 100:
        errors["note"] = _("各项权重合计须为100（现为%(n)s）。") % {"n": sum(w for _k, w, _t in rows)}
    if errors:
        raise ValidationError(errors)
    Campaign.objects.select_for_update().get(pk=campaign.pk)  # one new version at a time
    latest = IndicatorScheme.objects.filter(campaign=campaign).order_by("-version").first()
    scheme = IndicatorScheme.objects.create(
        campaign=campaign, version=(latest.version if latest else 0) + 1, note=note, created_by=actor
    )
    IndicatorWeight.objects.bulk_create([IndicatorWeight(scheme=scheme, key=k, weight=w, target=t) for k, w, t in rows])
    audit.record(
        actor=actor,
        action="assessment.weights",
        obj=campaign,
        court=campaign.court,
        reason=note,
        data={"version": scheme.version, "weights": {k: [w, str(t)] for k, w, t in rows}},
    )
    return scheme


# ---------------------------------------------------------------- 考核验收 (acceptance)

audit.register(
    {
        "assessment.acceptance_create": gettext_lazy("组织考核验收"),
        "assessment.self_report": gettext_lazy("提交自查报告"),
        "assessment.spot_draw": gettext_lazy("随机抽取抽查记录"),
        "assessment.spot_finding": gettext_lazy("登记抽查发现"),
        "assessment.spot_check": gettext_lazy("上级抽查结论"),
        "assessment.social": gettext_lazy("社会评议结果"),
        "assessment.decide": gettext_lazy("作出验收结论"),
        "assessment.acceptance_close": gettext_lazy("结束考核验收"),
    }
)

#: The satisfaction rate (%) a unit needs for 优秀 and for 基本合格 in 社会评议; 合格 is the questionnaire's own
#: satisfaction line.
SOCIAL_EXCELLENT, SOCIAL_BASIC = 90, 60
SAMPLE_STATES = ("submitted", "graded", "confirmed", "published", "controlled")


def _grade(value, field, label):
    if value not in Grade.values:
        raise ValidationError({field: _("请选择%(label)s（优秀、合格、基本合格或不合格）。") % {"label": label}})
    return value


@transaction.atomic
def create_acceptance(
    *,
    actor,
    campaign: Campaign,
    kind: str,
    title: str,
    self_due,
    phase: Phase | None = None,
    courts=(),
    divisions=(),
    sample_size=3,
    questionnaire: Questionnaire | None = None,
) -> Acceptance:
    """The office of the campaign's court organises an acceptance: at the end of a phase (阶段性验收) or over
    the whole campaign (全面考核), of the chosen courts below it (as whole units) and divisions."""
    policy.check(actor, "assessment.create_acceptance", campaign)
    court = campaign.court
    errors = {}
    title = _text(title, _("名称"), "title", limit=120)
    if kind not in AcceptanceKind.values:
        errors["kind"] = _("请选择验收类别。")
    elif kind == AcceptanceKind.STAGE:
        if phase is None or phase.campaign_id != campaign.pk:
            errors["phase"] = _("阶段性验收请选择本工作方案的一个阶段。")
        elif not phase.has_started:
            errors["phase"] = _("“%(phase)s”尚未开始，不能验收。") % {"phase": phase.name}
    else:
        phase = None
    if self_due is None or self_due < local_today():
        errors["self_due"] = _("请填写自查报告截止日期（不能早于今天）。")
    try:
        sample_size = int(sample_size)
    except (TypeError, ValueError):
        sample_size = 0
    if not 1 <= sample_size <= 20:
        errors["sample_size"] = _("抽查数量须为1至20。")
    courts, divisions = list(courts), list(divisions)
    covered = {c.pk for c in campaign.courts()}
    if not courts and not divisions:
        errors["courts"] = _("请选择被验收的法院或庭室。")
    outside = [c.name for c in courts if c.pk not in covered or c.pk == court.pk]
    outside += [str(d) for d in divisions if d.court_id not in covered]
    if outside:
        errors["courts"] = _("不能作为本次验收的单位：%(names)s（须是本工作方案覆盖的下级法院或其庭室）。") % {
            "names": "、".join(outside)
        }
    if (
        questionnaire is not None
        and not court.path.startswith(questionnaire.court.path)
        and not (questionnaire.court.path.startswith(court.path))
    ):
        errors["questionnaire"] = _("所选问卷不属于本工作方案的法院。")
    if errors:
        raise ValidationError(errors)
    acceptance = Acceptance.objects.create(
        campaign=campaign,
        phase=phase,
        kind=kind,
        court=court,
        title=title,
        self_due=self_due,
        sample_size=sample_size,
        questionnaire=questionnaire,
        created_by=actor,
    )
    AcceptanceUnit.objects.bulk_create(
        [AcceptanceUnit(acceptance=acceptance, court=c) for c in courts]
        + [AcceptanceUnit(acceptance=acceptance, court_id=d.court_id, division=d) for d in divisions]
    )
    audit.record(
        actor=actor,
        action="assessment.acceptance_create",
        obj=acceptance,
        data={"courts": [c.pk for c in courts], "divisions": [d.pk for d in divisions]},
    )
    return acceptance


def _lock_unit(unit: AcceptanceUnit) -> AcceptanceUnit:
    Acceptance.objects.select_for_update().get(pk=unit.acceptance_id)
    return (
        AcceptanceUnit.objects.select_for_update(of=("self",))
        .select_related(
            "acceptance__court", "acceptance__campaign__court", "acceptance__questionnaire", "court", "division"
        )
        .get(pk=unit.pk)
    )


@transaction.atomic
def submit_self_report(*, actor, unit: AcceptanceUnit, report: str, grade: str) -> AcceptanceUnit:
    """自我检查: the unit's leader reports on the unit's own work and grades it; may be revised until the
    result is decided."""
    unit = _lock_unit(unit)
    policy.check(actor, "assessment.self_report", unit)
    unit.self_report = _text(report, _("自查报告"), "report", limit=8000)
    unit.self_grade = _grade(grade, "grade", _("自评结果"))
    unit.self_by = actor
    unit.self_at = timezone.now()
    unit.save(update_fields=["self_report", "self_grade", "self_by", "self_at"])
    audit.record(actor=actor, action="assessment.self_report", obj=unit.acceptance, data={"unit": unit.pk})
    return unit


def sample_pools(unit: AcceptanceUnit):
    """The records a spot check draws from: the unit's risk points of the campaign's year (submitted or
    later, not retired) and their prevention measures."""
    from risks.measures.models import Measure
    from risks.models import RiskPoint

    year = unit.acceptance.campaign.year
    points = RiskPoint.objects.filter(court=unit.court, campaign_year=year, state__in=SAMPLE_STATES)
    measures = Measure.objects.filter(court=unit.court, risk_point__campaign_year=year)
    if unit.division_id:
        points = points.filter(division=unit.division_id)
        measures = measures.filter(division=unit.division_id)
    return points, measures


@transaction.atomic
def draw_sample(*, actor, unit: AcceptanceUnit) -> list[AcceptanceSample]:
    """上级抽查: the system draws the records to check at random (the checker does not choose them), once per
    unit: ``sample_size`` risk points and as many measures. The drawn ids are audited."""
    unit = _lock_unit(unit)
    policy.check(actor, "assessment.spot_check", unit)
    if unit.drawn_at:
        raise ValidationError(_("已为该单位抽取过抽查记录，不能重新抽取。"))
    points, measures = sample_pools(unit)
    size = unit.acceptance.sample_size
    chooser = secrets.SystemRandom()
    point_ids = list(points.values_list("pk", flat=True))
    measure_ids = list(measures.values_list("pk", flat=True))
    picked_points = chooser.sample(point_ids, min(size, len(point_ids)))
    picked_measures = chooser.sample(measure_ids, min(size, len(measure_ids)))
    rows = [
        AcceptanceSample(unit=unit, kind=SampleKind.RISK_POINT, risk_point=p, label=f"{p.code} {p}"[:300])
        for p in points.model.objects.filter(pk__in=picked_points).order_by("pk")
    ] + [
        AcceptanceSample(unit=unit, kind=SampleKind.MEASURE, measure=m, label=str(m)[:300])
        for m in measures.model.objects.filter(pk__in=picked_measures).order_by("pk")
    ]
    AcceptanceSample.objects.bulk_create(rows)
    unit.drawn_at = timezone.now()
    unit.save(update_fields=["drawn_at"])
    audit.record(
        actor=actor,
        action="assessment.spot_draw",
        obj=unit.acceptance,
        data={
            "unit": unit.pk,
            "risk_points": sorted(picked_points),
            "measures": sorted(picked_measures),
            "pool": [len(point_ids), len(measure_ids)],
        },
    )
    return rows


@transaction.atomic
def record_finding(*, actor, sample: AcceptanceSample, satisfactory, finding: str) -> AcceptanceSample:
    unit = _lock_unit(sample.unit)
    policy.check(actor, "assessment.spot_check", unit)
    sample = AcceptanceSample.objects.select_for_update().get(pk=sample.pk, unit=unit)
    if satisfactory not in (True, False):
        raise ValidationError({"satisfactory": _("请选择该记录是否符合要求。")})
    sample.satisfactory = satisfactory
    sample.finding = _text(finding, _("抽查发现"), "finding", limit=2000, required=not satisfactory)
    sample.checked_at = timezone.now()
    sample.save(update_fields=["satisfactory", "finding", "checked_at"])
    audit.record(
        actor=actor, action="assessment.spot_finding", obj=unit.acceptance, data={"unit": unit.pk, "sample": sample.pk}
    )
    return sample


@transaction.atomic
def record_spot_check(*, actor, unit: AcceptanceUnit, grade: str, note: str) -> AcceptanceUnit:
    """The spot check's result, once every drawn record has its finding."""
    unit = _lock_unit(unit)
    policy.check(actor, "assessment.spot_check", unit)
    if not unit.drawn_at:
        raise ValidationError(_("请先随机抽取抽查记录。"))
    if unit.samples.filter(satisfactory__isnull=True).exists():
        raise ValidationError(_("还有抽取的记录没有登记抽查发现。"))
    unit.spot_grade = _grade(grade, "grade", _("抽查结果"))
    unit.spot_note = _text(note, _("抽查意见"), "note", limit=4000)
    unit.spot_by = actor
    unit.spot_at = timezone.now()
    unit.save(update_fields=["spot_grade", "spot_note", "spot_by", "spot_at"])
    audit.record(actor=actor, action="assessment.spot_check", obj=unit.acceptance, data={"unit": unit.pk})
    return unit


def social_figure(unit: AcceptanceUnit) -> dict:
    """社会评议 from the acceptance's questionnaire: the share of satisfied answers (a rating of 4 or 5, or a
    choice counted as 满意) over the measured items, from the unit's own respondents when at least
    ``MIN_GROUP`` of them answered, else from all respondents (a smaller group is never shown alone)."""
    q = unit.acceptance.questionnaire
    responses = Response.objects.filter(questionnaire=q)
    own = responses.filter(court=unit.court_id)
    if unit.division_id:
        own = own.filter(division=unit.division_id)
    n_own = own.count()
    basis = own if n_own >= MIN_GROUP else responses
    answers = Answer.objects.filter(response__in=basis)
    rated = answers.filter(rating__isnull=False).count()
    rated_ok = answers.filter(rating__gte=4).count()
    satisfied_items = Item.objects.filter(questionnaire=q, choices__satisfied=True).values("pk")
    chosen = answers.filter(item__in=satisfied_items).values("response_id", "item_id").distinct().count()
    chosen_ok = answers.filter(item__in=satisfied_items, choice__satisfied=True).values("response_id", "item_id")
    chosen_ok = chosen_ok.distinct().count()
    total, ok = rated + chosen, rated_ok + chosen_ok
    rate = round(100 * ok / total) if total else None
    return {
        "own": n_own >= MIN_GROUP,
        "responses": n_own if n_own >= MIN_GROUP else basis.count(),
        "rate": rate,
    }


def social_grade(rate, threshold) -> str:
    if rate >= SOCIAL_EXCELLENT:
        return Grade.EXCELLENT
    if rate >= threshold:
        return Grade.PASS
    if rate >= SOCIAL_BASIC:
        return Grade.BASIC
    return Grade.FAIL


@transaction.atomic
def record_social(*, actor, unit: AcceptanceUnit) -> AcceptanceUnit:
    """社会评议: the unit's result computed from the questionnaire (no one types it)."""
    unit = _lock_unit(unit)
    policy.check(actor, "assessment.social", unit)
    q = unit.acceptance.questionnaire
    figure = social_figure(unit)
    if figure["rate"] is None or figure["responses"] < MIN_GROUP:
        raise ValidationError(_("问卷答卷不足%(n)s份，不能据此评议。") % {"n": MIN_GROUP})
    unit.social_grade = social_grade(figure["rate"], q.satisfaction_threshold)
    whose = _("本单位") if figure["own"] else _("全部（本单位答卷不足%(n)s份）") % {"n": MIN_GROUP}
    unit.social_basis = _("“%(title)s”%(whose)s%(count)s份答卷，满意率%(rate)s%%") % {
        "title": q.title,
        "whose": whose,
        "count": figure["responses"],
        "rate": figure["rate"],
    }
    unit.social_at = timezone.now()
    unit.save(update_fields=["social_grade", "social_basis", "social_at"])
    audit.record(
        actor=actor, action="assessment.social", obj=unit.acceptance, data={"unit": unit.pk, "rate": figure["rate"]}
    )
    return unit


def suggested_grade(unit: AcceptanceUnit) -> str:
    """The worst of the methods' results so far ("" when none): the office may decide otherwise, with a
    conclusion that says why."""
    grades = [g for g in (unit.self_grade, unit.spot_grade, unit.social_grade) if g]
    return max(grades, key=GRADE_ORDER.index) if grades else ""


def unit_leader(unit: AcceptanceUnit):
    """Who answers for the unit's rectification: the division head, or the court's president."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(is_active=True)
    if unit.division_id:
        users = users.filter(role_assignments__role=Role.DIVISION_HEAD, role_assignments__division=unit.division_id)
    else:
        users = users.filter(role_assignments__role=Role.PRESIDENT, role_assignments__court=unit.court_id)
    return users.order_by("pk").first()


@transaction.atomic
def decide_unit(
    *,
    actor,
    unit: AcceptanceUnit,
    grade: str,
    conclusion: str,
    formalism: bool = False,
    deadline=None,
    owner=None,
    plan: str = "",
) -> AcceptanceUnit:
    """The office's result for the unit. 不合格, or any finding of 形式主义, orders 责令整改、重新补课: a
    rectification of the unit with a deadline, owned by its leader, in the early-warning work's flow."""
    unit = _lock_unit(unit)
    policy.check(actor, "assessment.decide", unit)
    grade = _grade(grade, "grade", _("验收结果"))
    conclusion = _text(conclusion, _("验收结论"), "conclusion", limit=4000)
    unit.grade, unit.formalism, unit.conclusion = grade, bool(formalism), conclusion
    if unit.ordered_redo:
        owner = owner or unit_leader(unit)
        if owner is None:
            raise ValidationError({"owner": _("该单位没有负责人，请指定整改责任人。")})
        if deadline is None:
            raise ValidationError({"deadline": _("责令整改须填写整改期限。")})
        reasons = (["fail"] if grade == Grade.FAIL else []) + (["formalism"] if formalism else [])
        unit.rectification = oversight.order_unit_rectification(
            actor=actor,
            court=unit.court,
            division=unit.division,
            owner=owner,
            problem_code="assessment.redo",  # shown in the reader's language; the conclusion as typed
            problem_params={
                "title": unit.acceptance.title,
                "unit": unit.label,
                "reasons": reasons,
                "conclusion": conclusion,
            },
            deadline=deadline,
            plan=plan,
        )
    unit.decided_by = actor
    unit.decided_at = timezone.now()
    unit.save(update_fields=["grade", "formalism", "conclusion", "decided_by", "decided_at", "rectification"])
    audit.record(
        actor=actor,
        action="assessment.decide",
        obj=unit.acceptance,
        reason=conclusion,
        data={"unit": unit.pk, "grade": grade, "formalism": unit.formalism, "rectification": unit.rectification_id},
    )
    return unit


@transaction.atomic
def close_acceptance(*, actor, acceptance: Acceptance) -> Acceptance:
    acceptance = Acceptance.objects.select_for_update().select_related("court").get(pk=acceptance.pk)
    policy.check(actor, "assessment.close_acceptance", acceptance)
    acceptance.state = AcceptanceState.CLOSED
    acceptance.save(update_fields=["state"])
    audit.record(actor=actor, action="assessment.acceptance_close", obj=acceptance)
    return acceptance


# ---------------------------------------------------------------- manual indicator scores

audit.register({"assessment.manual_score": gettext_lazy("人工评分")})


@transaction.atomic
def set_manual_score(
    *, actor, campaign: Campaign, key: str, court: Court, score, reason: str, division=None, upload=None
) -> ManualScore:
    """The office scores one indicator of one unit by hand, with a reason and (optionally) an evidence file; the
    score takes the place of the formula's. A new version each time (earlier ones kept); ``score`` None
    withdraws the manual score (the formula counts again)."""
    from hkcourt.org.files import check_upload

    from .indicators import BY_KEY

    policy.check(actor, "assessment.manual_score", campaign)
    errors = {}
    if key not in BY_KEY:
        errors["key"] = _("请选择指标。")
    covered = campaign.courts().filter(pk=court.pk).exists() if court is not None else False
    if not covered:
        errors["unit"] = _("所选单位不在本工作方案范围内。")
    elif division is not None and division.court_id != court.pk:
        errors["unit"] = _("所选庭室不属于%(court)s。") % {"court": court.name}
    if score not in (None, ""):
        try:
            score = Decimal(str(score)).quantize(Decimal("0.1"))
        except (InvalidOperation, ValueError):
            score = None
            errors["score"] = _("评分须是0至100之间的数。")
        else:
            if not Decimal(0) <= score <= Decimal(100):
                errors["score"] = _("评分须是0至100之间的数（收到%(got)s）。") % {"got": score}
    else:
        score = None
    reason = _text(reason, _("评分理由"), "reason", limit=2000)
    name = ""
    if upload is not None:
        try:
            name = check_upload(upload)
        except ValidationError as exc:
            errors["evidence"] = exc.messages
    if errors:
        raise ValidationError(errors)
    Campaign.objects.select_for_update().get(pk=campaign.pk)
    latest = (
        ManualScore.objects.filter(campaign=campaign, key=key, court=court, division=division)
        .order_by("-version")
        .first()
    )
    if latest is None and score is None:
        raise ValidationError({"score": _("该单位此项指标没有人工评分可撤销。")})
    row = ManualScore(
        campaign=campaign,
        key=key,
        court=court,
        division=division,
        version=(latest.version if latest else 0) + 1,
        score=score,
        reason=reason,
        created_by=actor,
    )
    row.full_clean(exclude=["evidence"])
    if upload is not None:
        row.evidence_name = name
        row.evidence.save(name, upload, save=False)
    row.save()
    audit.record(
        actor=actor,
        action="assessment.manual_score",
        obj=campaign,
        court=court,
        reason=reason,
        data={
            "key": key,
            "court": court.pk,
            "division": division.pk if division else None,
            "version": row.version,
            "score": str(score) if score is not None else None,
        },
    )
    return row


# ---------------------------------------------------------------- phase summaries

audit.register(
    {
        "assessment.summary_write": gettext_lazy("撰写阶段总结"),
        "assessment.summary_edit": gettext_lazy("修改阶段总结"),
    }
)

SUMMARY_LIMIT = 20000
MAX_SUMMARY_FILES = 10


def phase_figures(phase: Phase, court: Court, division=None) -> dict:
    """The phase's figures for a court (and the courts under it that the campaign covers) or one division, as
    they stand now: people, risk points by state and grade, measures, risk information, warnings and
    rectifications within the phase's dates, and each task's progress. Stored with the summary, never
    recomputed."""
    figures = unit_figures(
        phase.campaign, court, division, start=phase.start, end=phase.end, tasks=list(phase.tasks.all())
    )
    figures["phase"] = {"number": phase.number, "name": phase.name, "start": str(phase.start), "end": str(phase.end)}
    return figures


def unit_figures(campaign, court: Court, division=None, *, start, end, tasks) -> dict:
    """The figures of :func:`phase_figures` over any window of dates and list of tasks (the campaign report
    takes the whole campaign)."""
    from django.db.models import Count

    from risks.measures.models import Measure
    from risks.models import RiskPoint
    from workflow.models import Unit
    from workflow.oversight.models import Rectification, Signal, Warning
    from workflow.progress import CampaignUnits, progress_of

    courts = campaign.courts().filter(path__startswith=court.path)
    court_ids = set(courts.values_list("pk", flat=True))

    def narrow(qs):
        qs = qs.filter(court__in=court_ids)
        return qs.filter(division=division.pk) if division is not None else qs

    people = narrow(Person.objects.filter(user__is_active=True)).count()
    points = narrow(RiskPoint.objects.filter(campaign_year=campaign.year)).exclude(state__in=["draft", "retired"])
    by_state = dict(points.order_by().values_list("state").annotate(n=Count("id")))
    confirmed = points.filter(state__in=["confirmed", "published", "controlled"])
    by_grade = dict(confirmed.order_by().values_list("grade").annotate(n=Count("id")))
    measures = narrow(Measure.objects.filter(risk_point__campaign_year=campaign.year))
    by_status = dict(measures.order_by().values_list("status").annotate(n=Count("id")))
    today = local_today()
    window = {"gte": start, "lte": min(end, today)}
    signals = narrow(Signal.objects.filter(received_on__gte=window["gte"], received_on__lte=window["lte"])).count()
    warnings = narrow(
        Warning.objects.filter(raised_at__date__gte=window["gte"], raised_at__date__lte=window["lte"])
    ).count()
    rects = narrow(
        Rectification.objects.filter(created_at__date__gte=window["gte"], created_at__date__lte=window["lte"])
    )
    units = CampaignUnits(campaign)
    rows = []
    for p in progress_of(units, tasks):
        if p.unit == Unit.PERSON:
            ids = [i for i in p.total_ids if _unit_in(units.persons[i], court_ids, division)]
        elif p.unit == Unit.DIVISION:
            ids = [i for i in p.total_ids if _division_in(units.divisions[i], court_ids, division)]
        else:
            ids = [] if division is not None else [i for i in p.total_ids if i in court_ids]
        if not ids:
            continue
        done = len([i for i in ids if i in p.done])
        rows.append(
            {
                "title": p.task.title,
                "deadline": p.task.deadline.isoformat(),
                "done": done,
                "total": len(ids),
                "percent": round(100 * done / len(ids)),
            }
        )
    return {
        "scope": str(division) if division is not None else (court.short_name or court.name),
        "people": people,
        "risk_points": {
            "total": sum(by_state.values()),
            "submitted": by_state.get("submitted", 0) + by_state.get("returned", 0),
            "graded": by_state.get("graded", 0),
            "confirmed": sum(by_state.get(s, 0) for s in ("confirmed", "published", "controlled")),
            "published": by_state.get("published", 0) + by_state.get("controlled", 0),
            "high": by_grade.get("high", 0),
            "medium": by_grade.get("medium", 0),
            "low": by_grade.get("low", 0),
        },
        "measures": {
            "total": sum(by_status.values()),
            "in_place": by_status.get("in_place", 0) + by_status.get("checked", 0),
            "overdue": measures.filter(status="planned", deadline__lt=today).count(),
        },
        "signals": signals,
        "warnings": warnings,
        "rectifications": {"opened": rects.count(), "closed": rects.filter(state="closed").count()},
        "tasks": rows,
    }


def _unit_in(person_row, court_ids, division):
    if division is not None:
        return person_row.division_id == division.pk
    return person_row.court_id in court_ids


def _division_in(division_row, court_ids, division):
    if division is not None:
        return division_row.pk == division.pk
    return division_row.court_id in court_ids


def _summary_text(title, body):
    from .markup import clean

    title = _text(title, _("标题"), "title", limit=120)
    body = _text(clean(body), _("正文"), "body", limit=SUMMARY_LIMIT)
    return title, body


def _attach(summary, uploads, actor):
    from hkcourt.org.files import check_upload

    uploads = [u for u in (uploads or []) if u]
    if summary.attachments.count() + len(uploads) > MAX_SUMMARY_FILES:
        raise ValidationError({"files": _("每份总结最多%(n)s个附件。") % {"n": MAX_SUMMARY_FILES}})
    names = []
    for upload in uploads:
        try:
            names.append(check_upload(upload))
        except ValidationError as exc:
            raise ValidationError({"files": exc.messages}) from None
    for upload, name in zip(uploads, names, strict=True):
        att = SummaryAttachment(summary=summary, name=name, size=upload.size, uploaded_by=actor)
        att.file.save(name, upload, save=False)
        att.save()


@transaction.atomic
def write_summary(
    *, actor, phase: Phase, court: Court, title: str, body: str, division=None, uploads=()
) -> PhaseSummary:
    """The office writes the court's summary of a phase, or a division head the division's stage summary (for
    the office to collect). The phase's figures are taken now and attached, frozen."""
    if division is not None and division.court_id != court.pk:
        raise ValidationError({"division": _("所选庭室不属于%(court)s。") % {"court": court.name}})
    policy.check(actor, "assessment.write_summary", (phase, court, division))
    if not phase.campaign.courts().filter(pk=court.pk).exists():
        raise ValidationError(_("%(court)s不在本工作方案范围内。") % {"court": court.name})
    title, body = _summary_text(title, body)
    Phase.objects.select_for_update().get(pk=phase.pk)
    if PhaseSummary.objects.filter(phase=phase, court=court, division=division).exists():
        raise ValidationError(_("本阶段的总结已经提交过，请打开它修改。"))
    summary = PhaseSummary.objects.create(
        phase=phase,
        court=court,
        division=division,
        title=title,
        body=body,
        figures=phase_figures(phase, court, division),
        figures_at=timezone.now(),
        written_by=actor,
    )
    _attach(summary, uploads, actor)
    audit.record(
        actor=actor,
        action="assessment.summary_write",
        obj=summary,
        court=court,
        data={"phase": phase.number, "division": division.pk if division else None},
    )
    return summary


@transaction.atomic
def edit_summary(*, actor, summary: PhaseSummary, title: str, body: str, uploads=()) -> PhaseSummary:
    """Revise the text and add attachments; the figures stay as they were when it was written."""
    summary = (
        PhaseSummary.objects.select_for_update(of=("self",))
        .select_related("phase__campaign", "court", "division")
        .get(pk=summary.pk)
    )
    policy.check(actor, "assessment.edit_summary", summary)
    summary.title, summary.body = _summary_text(title, body)
    summary.save(update_fields=["title", "body", "updated_at"])
    _attach(summary, uploads, actor)
    audit.record(actor=actor, action="assessment.summary_edit", obj=summary, court=summary.court)
    return summary


# ---------------------------------------------------------------- the campaign report

audit.register({"assessment.report": gettext_lazy("生成工作总结报告")})


@transaction.atomic
def request_report(*, actor, campaign: Campaign) -> CampaignReport:
    """Queue the campaign report (built by a Celery task after this transaction commits)."""
    policy.check(actor, "assessment.report", campaign)
    Campaign.objects.select_for_update().get(pk=campaign.pk)
    if CampaignReport.objects.filter(campaign=campaign, state__in=[ReportState.QUEUED, ReportState.RUNNING]).exists():
        raise ValidationError(_("本工作方案的总结报告正在生成，请稍候。"))
    report = CampaignReport.objects.create(campaign=campaign, court=campaign.court, requested_by=actor)
    audit.record(actor=actor, action="assessment.report", obj=report, court=campaign.court)
    from .tasks import build_campaign_report

    queue_after_commit(build_campaign_report, report.pk)
    return report


def _report_progress(report_id, progress, step):
    CampaignReport.objects.filter(pk=report_id).update(progress=progress, step=str(step)[:120])


def build_report(*, report_id: int) -> CampaignReport:
    """Gather, render the PDF (the letters' guarded renderer) and the workbook, store both. Progress is
    committed as it goes; after completion a second run does nothing, after a crash it starts over."""
    from django.core.files.base import ContentFile

    from commitments.rendering import render_document

    from . import report as content

    with transaction.atomic():
        report = (
            CampaignReport.objects.select_for_update(of=("self",))
            .select_related("campaign__court", "requested_by")
            .get(pk=report_id)
        )
        if report.state == ReportState.DONE:
            return report
        report.state, report.progress, report.step, report.error = ReportState.RUNNING, 5, _("开始"), ""
        report.save(update_fields=["state", "progress", "step", "error"])
    try:
        data = content.gather(report, progress=lambda pct, step: _report_progress(report.pk, pct, step))
        _report_progress(report.pk, 70, _("生成PDF"))
        pdf = render_document("assessment/pdf/report.html", {**data, "today": local_today()}).pdf
        _report_progress(report.pk, 90, _("生成Excel"))
        xlsx = content.workbook(data)
    except Exception as exc:  # noqa: BLE001 - the failure is shown to the requester
        CampaignReport.objects.filter(pk=report.pk).update(state=ReportState.FAILED, error=str(exc)[:300])
        report.refresh_from_db()
        return report
    with transaction.atomic():
        report = CampaignReport.objects.select_for_update().get(pk=report_id)
        stem = f"report-{report.campaign_id}-{report.pk}"
        report.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
        report.xlsx.save(f"{stem}.xlsx", ContentFile(xlsx), save=False)
        report.state, report.progress, report.step = ReportState.DONE, 100, _("已完成")
        report.finished_at = timezone.now()
        report.save()
    return report
