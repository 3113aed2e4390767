"""Business actions on commitment letters. One function per action: keyword-only, in a transaction, first
asking the permission policy (:mod:`commitments.policy`, which also refuses a transition from the wrong state
with a Chinese message), then validated and recorded in the audit log; a refused action changes nothing.

Layering (层层签订): each letter has a supervisor (监督人) who signs after the signer (监督人签字 / 审核确认; the code
calls it ``countersign``). Who supervises each layer is the court's :class:`~commitments.models.SigningLayers`,
set by the office, by default: staff → their division head; division heads (their personal letter and their
division's) → the deputy leader in charge of the division; deputy leaders and other leaders → the president;
the president's letters (personal and the court letter) → the court above's president for a basic court, and
for the intermediate court a named external signatory (the discipline inspection group, 纪检组) whose paper
signature the office records. A layer whose supervisor is missing (no head, no deputy) goes one layer up.
"""

from __future__ import annotations

import hashlib
import io
import secrets
import time
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hkcourt.org import audit, policy, texts, transitions
from hkcourt.org.models import Court, Division, Person, RoleAssignment
from hkcourt.org.queueing import queue_after_commit
from hkcourt.org.roles import Role
from risks.models import State as RiskState
from risks.models import campaign_label, campaign_year_of

from . import placeholders, rendering
from .models import (
    LAYER_CHOICES,
    BundleState,
    CommitmentLetter,
    Edition,
    Kind,
    LetterBundle,
    LetterDocument,
    LetterState,
    LetterTemplate,
    PdfStatus,
    SigningLayers,
    Supervisor,
)

audit.register(
    {
        "commitments.template_save": gettext_lazy("保存承诺书模板"),
        "commitments.generate": gettext_lazy("生成承诺书"),
        "commitments.supplement": gettext_lazy("修改个人补充承诺"),
        "commitments.sign": gettext_lazy("签订承诺书"),
        "commitments.countersign": gettext_lazy("监督人签字（审核确认）"),
        "commitments.layers": gettext_lazy("设置签订层级"),
        "commitments.pdf": gettext_lazy("生成承诺书PDF存档"),
        "commitments.archive": gettext_lazy("承诺书归档"),
        "commitments.supersede": gettext_lazy("更正承诺书（新版本）"),
        "commitments.bundle": gettext_lazy("打包下载承诺书"),
        "commitments.remind": gettext_lazy("提醒签订承诺书"),
        "commitments.download": gettext_lazy("下载已签订的承诺书"),
    }
)

TITLES = {
    Kind.PERSONAL: gettext_lazy("个人廉政风险防范承诺书"),
    Kind.DIVISION: gettext_lazy("庭室廉政风险防范承诺书"),
    Kind.COURT: gettext_lazy("单位廉政风险防范承诺书"),
}

# What the notifications say, rendered in the reader's language (hkcourt.org.texts).
texts.register(
    {
        "commitments.countersign": texts.Text(
            gettext_lazy("%(name)s的%(letter)s待您作为监督人签字"), choices={"letter": TITLES}
        ),
        "commitments.remind_both": gettext_lazy("请在%(date)s前签订%(title)s，并在待您审核确认的承诺书上签字"),
        "commitments.remind_sign": gettext_lazy("请在%(date)s前签订%(title)s"),
        "commitments.remind_countersign": gettext_lazy("有承诺书待您作为监督人签字（截止%(date)s）"),
    }
)
SUPERVISOR_LABELS = {
    Supervisor.DIVISION_HEAD: gettext_lazy("庭室负责人"),
    Supervisor.DEPUTY_LEADER: gettext_lazy("分管院领导"),
    Supervisor.PRESIDENT: gettext_lazy("院长"),
    Supervisor.PARENT_COURT: gettext_lazy("上级法院院长"),
    Supervisor.EXTERNAL: gettext_lazy("外部监督人"),
}
# What a letter commits to: risk points confirmed in a collective decision (集体定) and published (phase two
# ends with them; phase three signs on them), not retired. Graded points still awaiting confirmation go into
# the letter's draft note to the signer (``draft_note``), never into the letter.
LETTER_RISK_STATES = (RiskState.CONFIRMED, RiskState.PUBLISHED, RiskState.CONTROLLED)
PENDING_RISK_STATES = (RiskState.GRADED,)
GRADE_ORDER = {"high": 0, "medium": 1, "low": 2, "": 3}
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
CONFUSABLES = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
MAX_SUPPLEMENT = 2000
DOCUMENT_LANGUAGE = "zh-hans"

DEFAULT_TEXTS = {
    Kind.PERSONAL: (
        "为深入推进廉政风险防控工作，落实自我防范责任，本人{姓名}（{单位}{庭室}{岗位}）对照岗位职责，"
        "查找了本岗位在履行职责、行使权力过程中存在的廉政风险，现郑重承诺如下：\n\n"
        "一、本岗位的廉政风险点及防控措施\n\n{风险点清单}\n\n"
        "二、严格遵守法律法规和廉洁司法的各项规定，依法公正行使审判权、执行权，不利用职务便利谋取私利。\n\n"
        "三、认真落实上述防控措施，主动接受组织监督和群众监督，发现风险及时报告、及时纠正。\n\n"
        "四、如有违反，自愿接受组织处理。"
    ),
    Kind.DIVISION: (
        "为落实{年度}年度廉政风险防控工作要求，{单位}{庭室}组织全体人员，从工作程序、业务流程、制度机制、"
        "自律标准和履行职责等方面查找了本庭室的廉政风险，本庭室负责人{姓名}代表本庭室郑重承诺如下：\n\n"
        "一、本庭室的廉政风险点及防控措施\n\n{风险点清单}\n\n"
        "二、落实“部门定流程”的要求，规范本庭室权力运行流程，加强对重点岗位和重点环节的监督管理。\n\n"
        "三、对本庭室干警的廉政风险防控负直接责任，发现问题及时提醒、及时纠正、及时报告。"
    ),
    Kind.COURT: (
        "为推进全院廉政风险防控机制建设，{单位}围绕领导班子“三重一大”议事决策以及审判权、执行权的行使，"
        "查找了单位层面的廉政风险，院长{姓名}代表本院郑重承诺如下：\n\n"
        "一、单位层面的廉政风险点及防控措施\n\n{风险点清单}\n\n"
        "二、落实“单位定制度”的要求，健全议事规则和决策程序，对高等级廉政风险负总责。\n\n"
        "三、主要领导负总责，分管领导具体抓，纪检监察部门协调推进，层层落实廉政风险防控责任。"
    ),
}


def _lock(letter) -> CommitmentLetter:
    return CommitmentLetter.objects.select_for_update().get(pk=letter.pk)


def _save_letter(letter: CommitmentLetter, fields) -> None:
    """Save a letter's state, its step's stamps and the fields the service changed, validated."""
    letter.full_clean(validate_constraints=False)
    letter.save(update_fields=fields)


MAX_PASSWORD_FAILURES = 5
PASSWORD_LOCK_SECONDS = 15 * 60


class SigningLocked(ValidationError):
    """Too many wrong passwords: signing is locked for this account for ``retry_after`` more seconds. A
    ValidationError for the pages (the message under the password field); the API answers it 429."""

    api_status = 429

    def __init__(self, message, *, retry_after: int | None):
        super().__init__(message)
        self.retry_after = retry_after


def _check_password(actor, password):
    """Signing is a deliberate act: the signer's own password again. Five wrong passwords lock signing for
    this account for 15 minutes (counted in the cache: a failed attempt writes nothing to the database)."""
    key = f"commitments:sign-failures:{actor.pk}"
    since_key = f"{key}:since"  # when the count began (the lockout ends PASSWORD_LOCK_SECONDS after it)
    if cache.get(key, 0) >= MAX_PASSWORD_FAILURES:
        since = cache.get(since_key)
        left = None if since is None else max(1, int(since + PASSWORD_LOCK_SECONDS - time.time()))
        raise SigningLocked({"password": _("密码连续输错次数过多，请15分钟后再签订。")}, retry_after=left)
    if not password or not actor.check_password(password):
        if cache.add(key, 0, PASSWORD_LOCK_SECONDS):
            cache.set(since_key, time.time(), PASSWORD_LOCK_SECONDS)
        cache.incr(key)
        raise ValidationError({"password": _("密码不正确。签订和监督人签字须重新输入本人登录密码。")})
    cache.delete_many([key, f"{key}:since"])


# ---------------------------------------------------------------- templates


@transaction.atomic
def save_template(
    *,
    actor,
    court: Court,
    year: int,
    title: str,
    personal_text: str,
    division_text: str,
    court_text: str,
    sign_deadline=None,
    campaign_id=None,
    year_label: str = "",
    template: LetterTemplate | None = None,
) -> LetterTemplate:
    """Create or edit a year's letter template. Letters already signed keep their frozen text.

    ``year_label`` is the campaign year as the documents print it (“2012—2013年度”): the campaign passes its own
    label down (this app does not ask the campaign); left empty, it follows from ``year`` (September to August)."""
    if template is not None:
        template = LetterTemplate.objects.select_for_update().select_related("court").get(pk=template.pk)
        policy.check(actor, "commitments.manage_templates", template)
        if template.court_id != court.pk:
            raise ValidationError({"court": _("模板不能改属其他法院。")})
    else:
        policy.check(actor, "commitments.manage_templates", court)
        template = LetterTemplate(court=court)
    template.year = year
    template.title = (title or "").strip()
    template.personal_text = (personal_text or "").replace("\x00", "").strip()
    template.division_text = (division_text or "").replace("\x00", "").strip()
    template.court_text = (court_text or "").replace("\x00", "").strip()
    template.sign_deadline = sign_deadline
    template.campaign_id = campaign_id
    template.year_label = (year_label or "").replace("\x00", "").strip() or campaign_label(year)
    template.updated_by = actor
    problems = {}
    for name in ("personal_text", "division_text", "court_text"):
        found = placeholders.errors(getattr(template, name))
        if found:
            problems[name] = found
    if not template.title:
        problems["title"] = [_("名称不能为空。")]
    if str(year) not in template.year_label:
        values = {"year": year, "label": campaign_label(year)}
        problems["year_label"] = [_("年度名称应含起始年份%(year)s，如“%(label)s”。") % values]
    if problems:
        raise ValidationError(problems)
    template.full_clean()
    created = template.pk is None
    template.save()
    audit.record(
        actor=actor, action="commitments.template_save", obj=template, data={"created": created, "year": template.year}
    )
    return template


def new_template_defaults(today=None) -> dict:
    """A new template's form: the current campaign year (September to August), its label, title and texts."""
    year = campaign_year_of(today or timezone.localdate())
    label = campaign_label(year)
    return {"year": year, "year_label": label, "title": f"{label}廉政风险防范承诺书", **default_template_texts()}


def default_template_texts() -> dict:
    return {
        "personal_text": DEFAULT_TEXTS[Kind.PERSONAL],
        "division_text": DEFAULT_TEXTS[Kind.DIVISION],
        "court_text": DEFAULT_TEXTS[Kind.COURT],
    }


# ---------------------------------------------------------------- generation


class _Layers:
    """Who supervises whom in one court (层层签订), from its roles and its :class:`SigningLayers`, read once."""

    def __init__(self, court):
        self.court = court
        self.settings = SigningLayers.of(court)
        self.heads = defaultdict(list)  # division id -> user ids
        self.deputies = defaultdict(list)
        self.presidents = []
        self.leaders = set()  # users holding a deputy leader, president or leading group role
        rows = RoleAssignment.objects.filter(court=court).values_list("user_id", "role", "division_id").order_by("id")
        for user_id, role, division_id in rows:
            if role == Role.DIVISION_HEAD:
                self.heads[division_id].append(user_id)
            elif role == Role.DEPUTY_LEADER:
                self.deputies[division_id].append(user_id)
                self.leaders.add(user_id)
            elif role == Role.PRESIDENT:
                self.presidents.append(user_id)
                self.leaders.add(user_id)
            elif role == Role.LEADING_GROUP:
                self.leaders.add(user_id)
        self.parent_presidents = []
        if court.parent_id:
            self.parent_presidents = list(
                RoleAssignment.objects.filter(court_id=court.parent_id, role=Role.PRESIDENT)
                .order_by("id")
                .values_list("user_id", flat=True)
            )

    @staticmethod
    def _first(candidates, exclude):
        return next((c for c in candidates if c != exclude), None)

    def resolve(self, choice, *, signer_id, division_id=None) -> tuple[int | None, str]:
        """(supervisor user id, Supervisor) for ``choice``; a missing supervisor goes one layer up, and past the
        court to the court letter's supervisor (the court above's president, else the external signatory)."""
        if choice == Supervisor.DIVISION_HEAD:
            head = self._first(self.heads.get(division_id, []), signer_id)
            if head:
                return head, Supervisor.DIVISION_HEAD
            choice = Supervisor.DEPUTY_LEADER
        if choice == Supervisor.DEPUTY_LEADER:
            deputy = self._first(self.deputies.get(division_id, []), signer_id)
            if deputy:
                return deputy, Supervisor.DEPUTY_LEADER
            choice = Supervisor.PRESIDENT
        if choice == Supervisor.PRESIDENT:
            president = self._first(self.presidents, signer_id)
            if president:
                return president, Supervisor.PRESIDENT
            choice = self.settings.supervisor_of("court_letter")
        if choice == Supervisor.PARENT_COURT:
            president = self._first(self.parent_presidents, signer_id)
            if president:
                return president, Supervisor.PARENT_COURT
        return None, Supervisor.EXTERNAL

    def layer_of(self, kind, user_id, division_id) -> str:
        """Which layer a letter belongs to: ``staff``, ``head``, ``leader`` or ``court_letter``."""
        if kind == Kind.COURT or user_id in self.presidents:
            return "court_letter"
        if kind == Kind.DIVISION or (division_id and user_id in self.heads.get(division_id, [])):
            return "head" if division_id else "leader"
        if user_id in self.leaders or division_id is None:
            return "leader"
        return "staff"

    def supervisor_for(self, kind, user_id, division_id) -> tuple[int | None, str]:
        layer = self.layer_of(kind, user_id, division_id)
        return self.resolve(self.settings.supervisor_of(layer), signer_id=user_id, division_id=division_id)

    def label(self, role) -> str:
        """How the letter names its supervisor: the role, the court above's president, or the external body.

        Hook for the leading group's ranks (组长/副组长, 主任/副主任, issue 14 item 1): when a role assignment
        exposes a rank, append it here (e.g. “院长（领导小组组长）”) — the label is frozen into the body."""
        if role == Supervisor.EXTERNAL:
            return self.settings.external_label
        if role == Supervisor.PARENT_COURT and self.court.parent_id:
            parent = Court.objects.filter(pk=self.court.parent_id).values_list("name", flat=True).first()
            return f"{parent}院长"
        return str(SUPERVISOR_LABELS.get(role, ""))


def _measures_by_point(point_ids) -> dict:
    """Measures of these risk points: {point id: [{"text", "kind"}]}."""
    measure_model = apps.get_model("measures", "Measure")
    link = None
    for f in measure_model._meta.get_fields():
        if (
            getattr(f, "related_model", None) is apps.get_model("risks", "RiskPoint")
            and (f.many_to_one or f.many_to_many)
            and not f.auto_created
        ):
            link = f
            break
    names = {f.name for f in measure_model._meta.fields}
    text_field = next((n for n in ("title", "content", "description", "name") if n in names), None)
    detail_field = "description" if text_field == "title" and "description" in names else None
    if link is None or text_field is None:
        return {}
    has_kind = any(f.name == "kind" and f.choices for f in measure_model._meta.fields)
    kind_labels = dict(measure_model._meta.get_field("kind").choices) if has_kind else {}
    columns = [link.name, text_field, *(["kind"] if has_kind else []), *([detail_field] if detail_field else [])]
    result = defaultdict(list)
    for row in measure_model.objects.filter(**{f"{link.name}__in": list(point_ids)}).order_by("pk").values(*columns):
        text = row[text_field]
        if detail_field and row[detail_field] and row[detail_field] != text:
            text = f"{text}：{row[detail_field]}"
        result[row[link.name]].append({"text": text, "kind": str(kind_labels.get(row.get("kind"), ""))})
    return result


@dataclass
class _Points:
    """A court's risk points as plain dicts, grouped for the three kinds of letter."""

    by_post: dict = field(default_factory=lambda: defaultdict(list))
    by_division: dict = field(default_factory=lambda: defaultdict(list))
    by_court: list = field(default_factory=list)
    by_leader: dict = field(default_factory=lambda: defaultdict(list))

    def for_person(self, person) -> list:
        return list(self.by_post.get(person.post_id, [])) + list(self.by_leader.get(person.user_id, []))


def _risk_points(court, states, *, with_measures=True) -> _Points:
    """The court's risk points in ``states``, grouped (post, division, court, responsible leader)."""
    risk_point = apps.get_model("risks", "RiskPoint")
    points = list(
        risk_point.objects.filter(court=court, state__in=states).select_related("power", "step").order_by("id")
    )
    measures = _measures_by_point([p.pk for p in points]) if with_measures else {}
    grouped = _Points()
    for p in points:
        item = {
            "id": p.pk,
            "code": p.code,
            "level": p.level,
            "level_label": str(p.get_level_display()),
            "description": p.description,
            "manifestations": p.manifestations,
            "grade": p.grade,
            "grade_label": str(p.get_grade_display()) if p.grade else "",
            "state_label": str(p.get_state_display()),
            "power": p.power.name if p.power_id else "",
            "step": p.step.name if p.step_id else "",
            "measures": measures.get(p.pk, []),
        }
        if p.level == "post" and p.post_id:
            grouped.by_post[p.post_id].append(item)
        elif p.level == "division" and p.division_id:
            grouped.by_division[p.division_id].append(item)
        elif p.level == "court":
            grouped.by_court.append(item)
        if p.responsible_leader_id:
            grouped.by_leader[p.responsible_leader_id].append(item)
    return grouped


def _note(items) -> list:
    """The draft note's entries: what the signer needs to recognise a point, nothing that goes into a letter."""
    return [
        {k: item[k] for k in ("id", "code", "description", "grade_label", "state_label", "level_label")}
        for item in _sorted(items)
    ]


def _sorted(items):
    seen, result = set(), []
    for item in sorted(items, key=lambda i: (GRADE_ORDER.get(i["grade"], 3), i["id"])):
        if item["id"] not in seen:
            seen.add(item["id"])
            result.append(item)
    return result


def build_body(*, kind, template, court, division, post, person, risks, supervisor_label) -> dict:
    """The letter's content as plain data: frozen into the letter, rendered by the document template. Its
    labels are Chinese whatever the language of the person who generated it."""
    with translation.override(DOCUMENT_LANGUAGE):
        return _build_body(kind, template, court, division, post, person, risks, supervisor_label)


def _build_body(kind, template, court, division, post, person, risks, supervisor_label):
    label = template.label
    values = {
        "单位": court.name,
        "庭室": division.name if division else "",
        "岗位": post.name if post else (person.title if person else ""),
        "姓名": person.full_name if person else "",
        "职务": person.title if person else "",
        # “{年度}年度” in a template text reads “2012—2013年度”: the label without its last 年度.
        "年度": label.removesuffix("年度"),
    }
    before, after = placeholders.expand(template.text_for(kind), values)
    return {
        "title": str(TITLES[kind]),
        "year": template.year,
        "year_label": label,
        "court": court.name,
        "division": division.name if division else "",
        "post": post.name if post else "",
        "signer_name": person.full_name if person else "",
        "signer_title": person.title if person else "",
        "before": before,
        "after": after,
        "risks": _sorted(risks),
        "countersigner_label": str(supervisor_label),
        "generated_at": timezone.now().isoformat(timespec="seconds"),
    }


@dataclass
class _Plan:
    """One letter the template's court should have, with its supervisor (监督人)."""

    kind: str
    user_id: int
    division: Division | None
    post: object
    person: Person
    risks: list
    pending: list
    supervisor_id: int | None
    supervisor_role: str
    supervisor_label: str

    def body(self, template):
        return build_body(
            kind=self.kind,
            template=template,
            court=template.court,
            division=self.division,
            post=self.post,
            person=self.person,
            risks=self.risks,
            supervisor_label=self.supervisor_label,
        )

    @property
    def key(self):
        return (self.kind, self.division.pk) if self.kind == Kind.DIVISION else (self.kind, self.user_id)


def _plans(template) -> list[_Plan]:
    """Every letter the template's court should have."""
    court = template.court
    org = _Layers(court)
    with translation.override(DOCUMENT_LANGUAGE):  # grade and measure labels go into the letter's text
        confirmed = _risk_points(court, LETTER_RISK_STATES)
        pending = _risk_points(court, PENDING_RISK_STATES, with_measures=False)
    people = {
        p.user_id: p
        for p in Person.objects.filter(court=court, user__is_active=True).select_related("division", "post", "user")
    }
    divisions = {d.pk: d for d in Division.objects.filter(court=court)}
    wanted = [
        (Kind.PERSONAL, person, person.division, confirmed.for_person(person), pending.for_person(person))
        for person in people.values()
    ]
    for division_id, heads in org.heads.items():
        division = divisions.get(division_id)
        head = next((people[h] for h in heads if h in people), None)
        if division is not None and head is not None:
            wanted.append(
                (
                    Kind.DIVISION,
                    head,
                    division,
                    confirmed.by_division.get(division_id, []),
                    pending.by_division.get(division_id, []),
                )
            )
    for president_id in org.presidents:
        if president_id in people:
            wanted.append((Kind.COURT, people[president_id], None, confirmed.by_court, pending.by_court))
    plans = []
    with translation.override(DOCUMENT_LANGUAGE):  # the supervisor's label goes into the letter's text
        for kind, person, division, risks, waiting in wanted:
            division_id = division.pk if division else None
            supervisor_id, role = org.supervisor_for(kind, person.user_id, division_id)
            plans.append(
                _Plan(
                    kind,
                    person.user_id,
                    division,
                    person.post if kind == Kind.PERSONAL else None,
                    person,
                    risks,
                    _note(waiting),
                    supervisor_id,
                    role,
                    org.label(role),
                )
            )
    return plans


def preview_body(*, template: LetterTemplate, kind: str, user) -> dict:
    """What the template produces for one signer, without writing anything: the user's own letter if the user
    has one of that kind in the template's court, else the first letter of that kind the court would get."""
    plans = [p for p in _plans(template) if p.kind == kind]
    plan = next((p for p in plans if p.user_id == user.pk), plans[0] if plans else None)
    if plan is None:
        return build_body(
            kind=kind,
            template=template,
            court=template.court,
            division=None,
            post=None,
            person=None,
            risks=[],
            supervisor_label="",
        )
    return plan.body(template)


@transaction.atomic
def generate_letters(*, actor, template: LetterTemplate) -> dict:
    """Generate (or refresh) the template's letters: a personal letter for each person of the court, a
    division letter for each division head, a court letter for the president. Drafted letters are refreshed
    from the registry (confirmed points in the letter, graded ones awaiting confirmation in the draft note to
    the signer); signed ones are frozen and left alone. Safe to run again."""
    template = LetterTemplate.objects.select_for_update().select_related("court").get(pk=template.pk)
    policy.check(actor, "commitments.generate", template)
    existing = {}
    for letter in CommitmentLetter.objects.filter(template=template).current():
        key = (letter.kind, letter.division_id) if letter.kind == Kind.DIVISION else (letter.kind, letter.signer_id)
        existing[key] = letter
    now = timezone.now()
    new, refreshed, frozen = [], [], 0
    for plan in _plans(template):
        cs, role = plan.supervisor_id, plan.supervisor_role
        body = plan.body(template)
        letter = existing.get(plan.key)
        if letter is None:
            new.append(
                CommitmentLetter(
                    template=template,
                    kind=plan.kind,
                    court=template.court,
                    division=plan.division,
                    post=plan.post,
                    signer_id=plan.user_id,
                    countersigner_id=cs,
                    countersigner_role=role,
                    body=body,
                    draft_note=plan.pending,
                    generated_at=now,
                )
            )
        elif letter.state == LetterState.DRAFTED:
            letter.signer_id, letter.division, letter.post = plan.user_id, plan.division, plan.post
            letter.countersigner_id, letter.countersigner_role = cs, role
            letter.body, letter.draft_note, letter.generated_at = body, plan.pending, now
            refreshed.append(letter)
        else:
            frozen += 1
            if letter.state == LetterState.SIGNED and letter.countersigner_id != cs:
                # The org changed after signing: the countersigner follows it; the signed text does not change.
                letter.countersigner_id, letter.countersigner_role = cs, role
                letter.save(update_fields=["countersigner", "countersigner_role"])
    for letter in new:
        letter.full_clean(
            validate_constraints=False, exclude=["template", "court", "signer", "division", "post", "countersigner"]
        )
    CommitmentLetter.objects.bulk_create(new, batch_size=500)
    CommitmentLetter.objects.bulk_update(
        refreshed,
        ["signer", "division", "post", "countersigner", "countersigner_role", "body", "draft_note", "generated_at"],
        batch_size=500,
    )
    result = {"created": len(new), "refreshed": len(refreshed), "frozen": frozen}
    audit.record(actor=actor, action="commitments.generate", obj=template, data=result)
    return result


@transaction.atomic
def update_supplement(*, actor, letter: CommitmentLetter, text: str) -> CommitmentLetter:
    """The signer adds their own commitments (个人补充承诺) before signing."""
    letter = _lock(letter)
    policy.check(actor, "commitments.supplement", letter)
    text = (text or "").replace("\x00", "").strip()
    if len(text) > MAX_SUPPLEMENT:
        raise ValidationError({"supplement": _("补充承诺不能超过%(n)d个字。") % {"n": MAX_SUPPLEMENT}})
    letter.supplement = text
    letter.full_clean(validate_constraints=False)
    letter.save(update_fields=["supplement"])
    audit.record(actor=actor, action="commitments.supplement", obj=letter, data={"length": len(text)})
    return letter


# ---------------------------------------------------------------- signing


def new_verification_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def normalise_code(code: str) -> str:
    """Accept lower case, spaces, missing dashes and the look-alikes O/I/L/U."""
    raw = "".join(ch for ch in (code or "").upper() if ch.isalnum()).translate(CONFUSABLES)
    if len(raw) != 16 or any(ch not in CODE_ALPHABET for ch in raw):
        return ""
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def verify_url(code: str = "", base: str = "") -> str:
    """The verification page's address printed (and QR-coded) on a letter."""
    base = base or getattr(settings, "PUBLIC_BASE_URL", "") or ""
    url = f"{base.rstrip('/')}{reverse('commitments:verify')}"
    return f"{url}?code={code}" if code else url


def letter_html(letter: CommitmentLetter, *, edition: str = "", verify_base: str = "") -> str:
    """The letter as an HTML document for WeasyPrint (autoescaped Django template)."""
    code = letter.verification_code or ""
    url = verify_url(code, verify_base) if code else ""
    with translation.override(DOCUMENT_LANGUAGE):  # an official document is Chinese, whatever the UI language
        return _letter_html(letter, edition, verify_base, code, url)


def _letter_html(letter, edition, verify_base, code, url):
    return render_to_string(
        "commitments/pdf/letter.html",
        {
            "letter": letter,
            "body": letter.body,
            "edition": edition,
            "draft": not edition,
            "verify_url": url,
            "verify_page": verify_url("", verify_base),
            "qr_svg": rendering.qr_svg(url) if url else "",
            "signer_name": person_name(letter.signer_id),
            "countersigner_name": person_name(letter.countersigned_by_id) if letter.countersigned_by_id else "",
            "font_stack": rendering.FONT_STACK,
        },
    )


def external_signatory_of(letter) -> str:
    """The external supervisor the office records by default for this letter's court (姓名（职务）)."""
    return SigningLayers.of(letter.court).external_signatory


def person_name(user_id):
    if not user_id:
        return ""
    return Person.objects.filter(user_id=user_id).values_list("full_name", flat=True).first() or ""


def render_letter(letter: CommitmentLetter, *, edition: str = "", verify_base: str = "") -> rendering.RenderResult:
    return rendering.render_pdf(letter_html(letter, edition=edition, verify_base=verify_base))


def _store_edition(letter, edition, verify_base):
    """Render one edition once and store its bytes and SHA-256 (raises ``rendering.RenderError``)."""
    result = render_letter(_as_at(letter, edition), edition=edition, verify_base=verify_base)
    digest = hashlib.sha256(result.pdf).hexdigest()
    document = LetterDocument(letter=letter, edition=edition, sha256=digest, size=len(result.pdf))
    document.file.save(f"{letter.verification_code}-{edition}.pdf", ContentFile(result.pdf), save=False)
    document.full_clean(validate_constraints=False)
    document.save()
    # If the surrounding transaction rolls back, the file stays as an unreferenced orphan under MEDIA_ROOT
    # (never served: files are reached only through a letter row). Django has no on-rollback hook.
    return document


def _as_at(letter, edition):
    """The letter as it stood when ``edition`` was made: the signed edition never shows a supervisor's signature
    that came later (the task may render it after the supervisor signed)."""
    if edition != Edition.SIGNED or not letter.countersigned_at:
        return letter
    copy = CommitmentLetter.objects.get(pk=letter.pk)
    copy.countersigned_at, copy.countersigned_by_id, copy.external_signatory = None, None, ""
    return copy


def _queue_documents(letter, verify_base):
    """Render the letter's missing PDF editions in a Celery task once this transaction has committed."""
    from .tasks import render_letter_documents

    queue_after_commit(render_letter_documents, letter.pk, verify_base or "")


def store_letter_documents(*, letter_id: int, verify_base: str = "") -> CommitmentLetter:
    """Render and store every PDF edition the letter's state calls for and it does not have yet (the signed
    edition; the supervisor-signed one once the supervisor has signed), each once, with its SHA-256. Idempotent:
    run twice, or again after a crash, it renders nothing already stored. A render failure is recorded on the
    letter (shown on its page) and retried by the daily sweep."""
    with transaction.atomic():
        letter = CommitmentLetter.objects.select_for_update().select_related("court", "template").get(pk=letter_id)
        wanted = [
            e for e, at in ((Edition.SIGNED, letter.signed_at), (Edition.COUNTERSIGNED, letter.countersigned_at)) if at
        ]
        have = set(LetterDocument.objects.filter(letter=letter).values_list("edition", flat=True))
        stored = []
        try:
            for edition in (e for e in wanted if e not in have):
                stored.append(_store_edition(letter, edition, verify_base))
        except rendering.RenderError as exc:
            letter.pdf_status, letter.pdf_error = PdfStatus.FAILED, str(exc)[:300]
        else:
            letter.pdf_status, letter.pdf_error = (PdfStatus.DONE if wanted else PdfStatus.NONE), ""
        letter.save(update_fields=["pdf_status", "pdf_error"])
        for document in stored:
            audit.record(
                actor=None,
                action="commitments.pdf",
                obj=letter,
                data={"edition": document.edition, "sha256": document.sha256, "size": document.size},
            )
    return letter


def requeue_letter_documents(*, verify_base: str = "") -> int:
    """The daily sweep: queue again every signed letter whose PDF is still pending (a task lost in a broker
    outage) or failed. Returns how many were queued."""
    from .tasks import render_letter_documents

    ids = list(
        CommitmentLetter.objects.filter(pdf_status__in=[PdfStatus.PENDING, PdfStatus.FAILED]).values_list(
            "pk", flat=True
        )
    )
    for letter_id in ids:
        render_letter_documents.delay(letter_id, verify_base)
    return len(ids)


@transaction.atomic
def sign_letter(*, actor, letter: CommitmentLetter, password: str, verify_base: str = "") -> CommitmentLetter:
    """The signer signs their own letter: re-entered password, body frozen, a verification code; the PDF is
    rendered once by a Celery task after this commits and stored with its SHA-256 (``store_letter_documents``)."""
    letter = _lock(letter)
    policy.check(actor, "commitments.sign", letter)
    _check_password(actor, password)
    letter.verification_code = new_verification_code()
    letter.pdf_status, letter.pdf_error = PdfStatus.PENDING, ""
    transitions.apply(
        letter,
        "sign",
        actor=actor,
        data={"code": letter.verification_code, "version": letter.version},
        fields=["verification_code", "pdf_status", "pdf_error"],
        save=_save_letter,
    )
    _queue_documents(letter, verify_base)
    _notify_countersigner_after_commit(letter)
    return letter


@transaction.atomic
def countersign_letter(
    *, actor, letter: CommitmentLetter, password: str, verify_base: str = "", external_signatory: str = ""
) -> CommitmentLetter:
    """The supervisor signs (监督人签字 / 审核确认): the leader named at generation, or — for a letter whose
    supervisor is external (the 纪检组, who signs on paper) — the office, recording the signatory's name
    (``external_signatory``; the court's configured name when left empty)."""
    letter = _lock(letter)
    policy.check(actor, "commitments.countersign", letter)
    external = ""
    if letter.countersigner_id is None:
        external = (external_signatory or "").replace("\x00", "").strip()
        external = external or SigningLayers.of(letter.court).external_signatory
        if not external:
            raise ValidationError({"external_signatory": _("请填写外部监督人的姓名和职务（按其书面签字录入）。")})
    _check_password(actor, password)
    letter.external_signatory = external[:100]
    letter.pdf_status, letter.pdf_error = PdfStatus.PENDING, ""
    transitions.apply(
        letter,
        "countersign",
        actor=actor,
        data={"external_signatory": external} if external else {},
        fields=["external_signatory", "pdf_status", "pdf_error"],
        save=_save_letter,
    )
    _queue_documents(letter, verify_base)
    return letter


LAYER_LABELS = {
    "staff": gettext_lazy("干警个人承诺书"),
    "head": gettext_lazy("庭室负责人个人承诺书、庭室承诺书"),
    "leader": gettext_lazy("院领导个人承诺书"),
    "court_letter": gettext_lazy("院长个人承诺书、单位承诺书"),
}


def layer_summary(court) -> list[tuple[str, str]]:
    """Each layer and who supervises it in this court now (the first choice, before any fallback upward)."""
    org = _Layers(court)
    return [(str(LAYER_LABELS[layer]), org.label(org.settings.supervisor_of(layer))) for layer in LAYER_CHOICES]


@transaction.atomic
def save_signing_layers(
    *,
    actor,
    court: Court,
    staff: str = "",
    head: str = "",
    leader: str = "",
    court_letter: str = "",
    external_body: str = "",
    external_name: str = "",
    external_title: str = "",
) -> SigningLayers:
    """The office sets who supervises each layer's letters in its court (empty: the default). Takes effect on
    the letters generated (or refreshed) after it; signed letters keep their text, a signed letter still
    waiting for its supervisor follows the new supervisor when the letters are generated again."""
    policy.check(actor, "commitments.manage_layers", court)
    layers = SigningLayers.objects.select_for_update().filter(court=court).first() or SigningLayers(court=court)
    chosen = {"staff": staff, "head": head, "leader": leader, "court_letter": court_letter}
    problems = {}
    for layer, value in chosen.items():
        value = value or ""
        if value and value not in LAYER_CHOICES[layer]:
            problems[layer] = [_("该层级不能选择此监督人。")]
        setattr(layers, layer, value)
    layers.external_body = (external_body or "").strip()
    layers.external_name = (external_name or "").strip()
    layers.external_title = (external_title or "").strip()
    top = (layers.supervisor_of("leader"), layers.supervisor_of("court_letter"))
    if Supervisor.PARENT_COURT in top and not court.parent_id:
        problems["court_letter"] = [_("本院没有上级法院，请选择外部监督人。")]
    if Supervisor.EXTERNAL in top and not layers.external_body:
        problems["external_body"] = [_("外部监督人须写明所在单位，如“市纪委派驻市中级人民法院纪检组”。")]
    if problems:
        raise ValidationError(problems)
    layers.updated_by = actor
    layers.full_clean()
    created = layers.pk is None
    layers.save()
    audit.record(
        actor=actor,
        action="commitments.layers",
        obj=layers,
        data={"created": created, **{k: layers.supervisor_of(k) for k in chosen}, "external": layers.external_body},
    )
    return layers


@transaction.atomic
def archive_letter(*, actor, letter: CommitmentLetter) -> CommitmentLetter:
    letter = _lock(letter)
    policy.check(actor, "commitments.archive", letter)
    transitions.apply(letter, "archive", actor=actor)
    return letter


@transaction.atomic
def supersede_letter(*, actor, letter: CommitmentLetter, reason: str) -> CommitmentLetter:
    """A correction: a new drafted version generated from the registry now, superseding a signed letter.
    The old letter, its PDF and its hash stay on record; verification reports it as superseded."""
    letter = _lock(letter)
    policy.check(actor, "commitments.supersede", letter)
    reason = (reason or "").replace("\x00", "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写更正理由。")})
    plan = next(
        (
            p
            for p in _plans(letter.template)
            if p.kind == letter.kind
            and (p.division.pk == letter.division_id if letter.kind == Kind.DIVISION else p.user_id == letter.signer_id)
        ),
        None,
    )
    if plan is None:
        raise ValidationError(_("承诺人已不在本院或已不担任相应职务，无法生成新版本。"))
    now = timezone.now()
    letter.superseded_at = now
    letter.save(update_fields=["superseded_at"])
    newer = CommitmentLetter(
        template=letter.template,
        kind=plan.kind,
        court=letter.court,
        division=plan.division,
        post=plan.post,
        signer_id=plan.user_id,
        countersigner_id=plan.supervisor_id,
        countersigner_role=plan.supervisor_role,
        version=letter.version + 1,
        supersedes=letter,
        correction_reason=reason,
        supplement=letter.supplement,
        body=plan.body(letter.template),
        draft_note=plan.pending,
        generated_at=now,
    )
    newer.full_clean(validate_constraints=False)
    newer.save()
    audit.record(actor=actor, action="commitments.supersede", obj=letter, reason=reason, data={"new": newer.pk})
    return newer


# ---------------------------------------------------------------- reminders and bundles


def _notify_countersigner_after_commit(letter):
    """Tell the countersigner a letter awaits them (through the notification machinery, if installed)."""
    if not letter.countersigner_id:
        return
    try:
        from hkcourt.notifications import services as notifications
    except ImportError:  # pragma: no cover - the ground floor ships notifications
        return
    params = {"name": letter.body.get("signer_name", ""), "letter": letter.kind}
    url = reverse("commitments:detail", args=[letter.pk])
    recipient_id, kind, due = letter.countersigner_id, "commitments.countersign", timezone.localdate()

    def send():
        from django.contrib.auth import get_user_model

        recipient = get_user_model().objects.filter(pk=recipient_id).first()
        if recipient is not None:
            notifications.notify(
                recipient=recipient, kind=kind, obj=letter, due=due, message=kind, params=params, url=url
            )

    transaction.on_commit(send, robust=True)


@transaction.atomic
def remind_unsigned(*, template: LetterTemplate, today=None, days_before: int = 7, actor=None) -> int:
    """Remind signers of drafted letters and countersigners of signed ones when the deadline is near (or past).
    Idempotent: one reminder per person, letter round and day (the notification's unique key)."""
    from hkcourt.notifications.services import Message, notify_many

    today = today or timezone.localdate()
    if not template.sign_deadline or today < template.sign_deadline - timedelta(days=days_before):
        return 0
    url = reverse("commitments:list")
    letters = CommitmentLetter.objects.filter(template=template).current()
    to_sign = set(letters.filter(state=LetterState.DRAFTED).values_list("signer_id", flat=True))
    to_countersign = set(
        letters.filter(state=LetterState.SIGNED, countersigner__isnull=False).values_list("countersigner_id", flat=True)
    )
    values = {"date": template.sign_deadline.isoformat(), "title": template.title}
    messages = []
    for recipient_id in sorted(to_sign | to_countersign):
        if recipient_id in to_sign and recipient_id in to_countersign:
            message = "commitments.remind_both"
        elif recipient_id in to_sign:
            message = "commitments.remind_sign"
        else:
            message = "commitments.remind_countersign"
        messages.append(Message(recipient_id=recipient_id, url=url, message=message, params=values))
    created = notify_many(kind="commitments.reminder", obj=template, due=today, messages=messages, actor=actor)
    audit.record(actor=actor, action="commitments.remind", obj=template, data={"created": created, "day": str(today)})
    return created


@transaction.atomic
def request_bundle(*, actor, template: LetterTemplate, division: Division) -> LetterBundle:
    """Ask for a zip of a division's signed letters; a Celery task builds it after commit."""
    policy.check(actor, "commitments.download_bundle", division)
    if division.court_id != template.court_id:
        raise ValidationError({"division": _("该庭室不属于该模板的法院。")})
    bundle = LetterBundle(template=template, court=template.court, division=division, requested_by=actor)
    bundle.full_clean()
    bundle.save()
    audit.record(actor=actor, action="commitments.bundle", obj=bundle, data={"division": division.pk})
    from .tasks import build_letter_bundle

    queue_after_commit(build_letter_bundle, bundle.pk)
    return bundle


def build_bundle(*, bundle_id: int) -> LetterBundle:
    """Zip the stored PDFs (latest edition of each current signed letter) of the bundle's division. Progress is
    committed as it goes; running it again after a crash starts over, after completion does nothing."""
    with transaction.atomic():
        bundle = LetterBundle.objects.select_for_update().get(pk=bundle_id)
        if bundle.state == BundleState.DONE:
            return bundle
        documents = list(
            LetterDocument.objects.filter(
                letter__template_id=bundle.template_id,
                letter__division_id=bundle.division_id,
                letter__superseded_at__isnull=True,
            )
            .select_related("letter")
            .order_by("letter_id", "-created_at")
        )
        latest = {}
        for document in documents:
            latest.setdefault(document.letter_id, document)
        bundle.state, bundle.total, bundle.done, bundle.error = BundleState.RUNNING, len(latest), 0, ""
        bundle.save(update_fields=["state", "total", "done", "error"])
    try:
        raw = io.BytesIO()
        with zipfile.ZipFile(raw, "w", zipfile.ZIP_STORED) as archive:
            for index, document in enumerate(latest.values(), start=1):
                letter = document.letter
                name = f"{letter.body.get('signer_name', '')}-{letter.title}-v{letter.version}-{document.edition}.pdf"
                with document.file.open("rb") as handle:
                    archive.writestr(name.replace("/", "_"), handle.read())
                if index % 10 == 0 or index == len(latest):
                    LetterBundle.objects.filter(pk=bundle.pk).update(done=index)
        buffer = ContentFile(raw.getvalue())
    except Exception as exc:  # noqa: BLE001 - the failure is shown to the requester
        LetterBundle.objects.filter(pk=bundle.pk).update(state=BundleState.FAILED, error=str(exc)[:300])
        bundle.refresh_from_db()
        return bundle
    with transaction.atomic():
        bundle = LetterBundle.objects.select_for_update().get(pk=bundle_id)
        bundle.file.save(f"bundle-{bundle.pk}-{secrets.token_hex(8)}.zip", buffer, save=False)
        bundle.state, bundle.done, bundle.finished_at = BundleState.DONE, bundle.total, timezone.now()
        bundle.save()
    return bundle
