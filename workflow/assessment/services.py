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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hkcourt.notifications.services import Message, notify_many
from hkcourt.org import audit, policy
from hkcourt.org.models import Court, Person
from workflow.models import Campaign, local_today
from workflow.oversight import services as oversight
from workflow.oversight.models import Channel as SignalChannel
from workflow.oversight.models import HandlingKind, Severity

from .models import (
    RATING_MAX,
    RATING_MIN,
    TEXT_ANSWER_LIMIT,
    Answer,
    Channel,
    Choice,
    IndicatorScheme,
    IndicatorWeight,
    Interview,
    Invitation,
    Item,
    ItemKind,
    Questionnaire,
    QuestionnaireKind,
    QuestionnaireState,
    Response,
)
from .stats import item_stats

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
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("“%(label)s”不能为空。") % {"label": label}})
    if len(value) > limit:
        raise ValidationError(
            {
                field: _("“%(label)s”不能超过%(limit)d个字（现为%(n)d个字）。")
                % {"label": label, "limit": limit, "n": len(value)}
            }
        )
    return value


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
    title = _("请填写问卷：%(title)s（%(day)s前）") % {"title": q.title, "day": q.closes_on.isoformat()}
    body = _("本问卷匿名填写，答卷不与您的身份关联。此链接仅供您本人使用一次。")
    notify_many(
        kind="assessment.invite",
        obj=q,
        due=q.closes_on,
        messages=[
            Message(
                recipient_id=i.recipient_id,
                title=title,
                body=body,
                url=reverse("workflow:survey_answer", args=[i.token]),
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
        raise ValidationError(_("此链接已经提交过答卷，每个链接只能提交一次。"))
    refusal = q.refusal()
    if refusal:
        raise ValidationError(refusal)
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
