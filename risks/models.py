"""The registry: power catalogue (职权目录), flowcharts (权力运行流程图), key links (重点环节), risk points
(风险点) with their grading, transition history, collective decisions and public feedback (群众提).

State changes happen only in :mod:`risks.services`; the models hold the data, the allowed transitions
(``RISK_POINT_MACHINE``, :mod:`hkcourt.org.transitions`) and the access scope of each model with sensitive rows.
"""

from urllib.parse import parse_qsl

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connections, models
from django.db.models import OuterRef
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from hkcourt.org import texts, transitions
from hkcourt.org.models import Court, Division, Post, Role
from hkcourt.org.scoping import Scope, ScopedQuerySet

TEXT_LIMIT = 2000


class BusinessArea(models.TextChoices):
    CRIMINAL = "criminal", _("刑事审判")
    CIVIL = "civil", _("民商事和行政审判")
    ENFORCEMENT = "enforcement", _("执行")
    PERSONNEL = "personnel", _("人事行政管理")
    LEADERSHIP = "leadership", _("领导班子“三重一大”决策")
    OTHER = "other", _("其他")


class Level(models.TextChoices):
    POST = "post", _("岗位")
    DIVISION = "division", _("庭室")
    COURT = "court", _("单位")


class Source(models.TextChoices):
    SELF = "self", _("自己找")
    PUBLIC = "public", _("群众提")
    PEER = "peer", _("互相查")
    LEADER = "leader", _("领导点")
    ORGANISATION = "organisation", _("组织评")
    COLLECTIVE = "collective", _("集体定")


class Grade(models.TextChoices):
    HIGH = "high", _("高")
    MEDIUM = "medium", _("中")
    LOW = "low", _("低")


GRADE_RANK = {Grade.HIGH: 3, Grade.MEDIUM: 2, Grade.LOW: 1}


def grade_rank_expression():
    """3 for 高, 2 for 中, 1 for 低, 0 ungraded: the list's "grade" sort. The index ``risk_grade_rank_idx`` is
    built on this same expression; PostgreSQL uses it only while the list sorts by exactly this SQL."""
    whens = [models.When(grade=grade.value, then=models.Value(rank)) for grade, rank in GRADE_RANK.items()]
    return models.Case(*whens, default=models.Value(0), output_field=models.IntegerField())


class State(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("已退回")
    GRADED = "graded", _("已评级")
    CONFIRMED = "confirmed", _("已确定")
    PUBLISHED = "published", _("公示中")
    CONTROLLED = "controlled", _("已防控")
    RETIRED = "retired", _("已撤销")


# ---------------------------------------------------------------- power catalogue


class KeyLink(models.Model):
    """A risk-prone link the plan names for a business area (重点环节); shipped as data."""

    area = models.CharField(_("业务领域"), max_length=16, choices=BusinessArea.choices)
    name = models.CharField(_("名称"), max_length=40)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("重点环节")
        verbose_name_plural = _("重点环节")
        ordering = ["sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["area", "name"], name="keylink_unique_per_area")]

    def __str__(self):
        return f"{self.get_area_display()}·{self.name}"


class PowerQuerySet(ScopedQuerySet):
    # The catalogue is organisation data: everyone sees the powers of the courts they belong to.
    scope = Scope(court="court", division=None, owner=None, organisation=True)


class Power(models.Model):
    """One power (职权) in the catalogue of a court, exercised by a division and some of its posts."""

    court = models.ForeignKey(Court, verbose_name=_("法院"), on_delete=models.PROTECT, related_name="powers")
    division = models.ForeignKey(
        Division,
        verbose_name=_("行使庭室"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="powers",
        help_text=_("单位层面的权力（如党组“三重一大”决策）可不指定庭室。"),
    )
    posts = models.ManyToManyField(Post, verbose_name=_("行使岗位"), blank=True, related_name="powers")
    name = models.CharField(_("职权名称"), max_length=100)
    content = models.TextField(_("职权内容"), max_length=TEXT_LIMIT)
    legal_basis = models.TextField(_("法律依据"), max_length=TEXT_LIMIT, blank=True)
    conditions = models.TextField(_("行使条件"), max_length=TEXT_LIMIT, blank=True)
    procedure = models.TextField(_("行使程序"), max_length=TEXT_LIMIT, blank=True)
    time_limit_days = models.PositiveIntegerField(
        _("法定期限（日）"), null=True, blank=True, validators=[MaxValueValidator(3650)]
    )
    supervision = models.TextField(_("监督方式"), max_length=TEXT_LIMIT, blank=True)
    business_area = models.CharField(
        _("业务领域"), max_length=16, choices=BusinessArea.choices, default=BusinessArea.OTHER
    )
    major_matter = models.BooleanField(_("三重一大"), default=False)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("有效"), default=True)

    objects = PowerQuerySet.as_manager()

    class Meta:
        verbose_name = _("职权")
        verbose_name_plural = _("职权目录")
        ordering = ["court__path", "division__sort_order", "sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["court", "division", "name"], name="power_unique_name")]

    def __str__(self):
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.division_id and self.court_id and self.division.court_id != self.court_id:
            raise ValidationError({"division": _("所选庭室不属于该法院。")})


class CatalogueLockQuerySet(ScopedQuerySet):
    # Organisation data: everyone at the court may see whether its catalogue is locked.
    scope = Scope(court="court", division=None, owner=None, organisation=True)


class CatalogueLock(models.Model):
    """清权确权 closed: the office has reviewed the court's power catalogue and locked it (when phase two
    ends). While a court's catalogue is locked, the division heads no longer change their powers and
    flowcharts; the office (or the system administrator) does, or unlocks it."""

    court = models.OneToOneField(Court, verbose_name=_("法院"), on_delete=models.CASCADE, related_name="catalogue_lock")
    locked_at = models.DateTimeField(_("锁定时间"), auto_now_add=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("锁定人"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("审核意见"), max_length=TEXT_LIMIT, blank=True)

    objects = CatalogueLockQuerySet.as_manager()

    class Meta:
        verbose_name = _("职权目录锁定")
        verbose_name_plural = _("职权目录锁定")

    def __str__(self):
        return f"{self.court}·{_('职权目录已锁定')}"


class PowerStepQuerySet(ScopedQuerySet):
    scope = Scope(court="power__court", division=None, owner=None, organisation=True)


class PowerStep(models.Model):
    """A step of exercising a power (权力运行流程图). Steps run in ``order``; a step may name its
    ``next_steps`` explicitly (a branch), ends the flow (``is_end``), or otherwise leads to every step
    of the next order."""

    power = models.ForeignKey(Power, verbose_name=_("职权"), on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveIntegerField(_("顺序"))
    name = models.CharField(_("环节名称"), max_length=60)
    actor = models.CharField(_("行使主体"), max_length=60, blank=True)
    time_limit_days = models.PositiveIntegerField(
        _("期限（日）"), null=True, blank=True, validators=[MaxValueValidator(3650)]
    )
    is_end = models.BooleanField(_("终点环节"), default=False, help_text=_("流程在此结束（如裁定不予受理）。"))
    next_steps = models.ManyToManyField(
        "self", verbose_name=_("下一环节"), symmetrical=False, blank=True, related_name="previous_steps"
    )

    objects = PowerStepQuerySet.as_manager()

    class Meta:
        verbose_name = _("流程环节")
        verbose_name_plural = _("流程环节")
        ordering = ["power", "order", "id"]

    def __str__(self):
        return f"{self.order}. {self.name}"


# ---------------------------------------------------------------- risk points


class CollectiveDecisionQuerySet(ScopedQuerySet):
    scope = Scope(
        court="court",
        division=None,
        owner="created_by",
        roles=frozenset({Role.OFFICE, Role.LEADING_GROUP, Role.PRESIDENT}),
    )


class CollectiveDecision(models.Model):
    """A meeting that confirmed risk points in a batch (组织评、集体定)."""

    court = models.ForeignKey(Court, verbose_name=_("法院"), on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("会议日期"))
    participants = models.TextField(_("参会人员"), max_length=TEXT_LIMIT)
    minutes = models.TextField(_("会议纪要"), max_length=TEXT_LIMIT * 2)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = CollectiveDecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("集体决定")
        verbose_name_plural = _("集体决定")
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {_('集体决定')}"


class RiskPointQuerySet(ScopedQuerySet):
    scope = Scope(court="court", division="division", owner="owner", grant_model="risks.RiskPointUserObjectPermission")

    def for_list(self):
        """What the list shows of a row: its places, power and owner's name joined, its key links' names as an
        array column (``key_link_names``; no prefetch query). Fewer joins plan faster (bench/scope.md)."""
        rows = self.select_related("court", "division", "post", "power", "owner__person")
        if connections[self.db].vendor != "postgresql":
            return rows.prefetch_related("key_links")  # SQLite (make run): RiskPoint.link_names reads these
        return rows.annotate(key_link_names=RiskPoint.key_link_names_expression())


# Field-level history of risk points (django-simple-history, as the org models): every earlier version of a
# point's fields and key links, with who and when. The services write one version per business action
# (risks.services._record_version); a save elsewhere (the admin, a shell) writes its own through the signals.
# Seeders that bulk-insert points (seed_scale, the demo) leave the history empty: it starts at the next change.
RISK_POINT_HISTORY = HistoricalRecords(
    m2m_fields=["key_links"],
    excluded_fields=["updated_at"],
    verbose_name=_("风险点历史版本"),
    verbose_name_plural=_("风险点历史版本"),
)


class RiskPoint(models.Model):
    """A place where a power can be abused (风险点), at post, division or court level."""

    # The states a point may move to from each state, as declared by RISK_POINT_MACHINE (below the class).
    TRANSITIONS: dict = {}
    EDITABLE_STATES = (State.DRAFT, State.RETURNED)

    court = models.ForeignKey(Court, verbose_name=_("法院"), on_delete=models.PROTECT, related_name="risk_points")
    division = models.ForeignKey(
        Division, verbose_name=_("庭室"), null=True, blank=True, on_delete=models.PROTECT, related_name="risk_points"
    )
    post = models.ForeignKey(
        Post, verbose_name=_("岗位"), null=True, blank=True, on_delete=models.PROTECT, related_name="risk_points"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提出人"), on_delete=models.PROTECT, related_name="risk_points"
    )
    level = models.CharField(_("层面"), max_length=10, choices=Level.choices, default=Level.POST)
    power = models.ForeignKey(
        Power, verbose_name=_("所涉职权"), null=True, blank=True, on_delete=models.PROTECT, related_name="risk_points"
    )
    step = models.ForeignKey(
        PowerStep,
        verbose_name=_("所在环节"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="risk_points",
    )
    description = models.TextField(_("风险点描述"), max_length=TEXT_LIMIT)
    manifestations = models.TextField(_("主要表现形式"), max_length=TEXT_LIMIT)
    source = models.CharField(_("查找方式"), max_length=16, choices=Source.choices, default=Source.SELF)
    key_links = models.ManyToManyField(KeyLink, verbose_name=_("重点环节"), blank=True, related_name="risk_points")
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.DRAFT)
    grade = models.CharField(_("风险等级"), max_length=8, choices=Grade.choices, blank=True)
    responsible_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任领导"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="responsible_risk_points",
    )
    decision = models.ForeignKey(
        CollectiveDecision,
        verbose_name=_("集体决定"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="risk_points",
    )
    publicity_ends = models.DateField(_("公示截止日期"), null=True, blank=True)
    campaign_year = models.PositiveIntegerField(
        _("工作年度"),
        null=True,
        blank=True,
        help_text=_("所属工作年度的起始年份：每年9月启动、次年8月结束（如2012—2013年度记为2012）。"),
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = RiskPointQuerySet.as_manager()
    history = RISK_POINT_HISTORY

    class Meta:
        verbose_name = _("风险点")
        verbose_name_plural = _("风险点")
        ordering = ["-updated_at", "-id"]
        # Measured at 400,000 points (bench/scope.md, issue 12). The list's default order, alone and after
        # its two common equality filters (the state tab, the campaign year), so that a scope reaching
        # most of the table reads the first page straight off an index instead of sorting every row.
        # The sort by grade reads an index on the same CASE expression. The composites replace the
        # single-column state and campaign_year indexes (and state's and grade's LIKE twins, which no
        # query used): every index on this table also costs planning time on the list's ten-table query.
        indexes = [
            models.Index(fields=["court", "state"], name="risk_court_state_idx"),
            models.Index(fields=["-updated_at", "-id"], name="risk_updated_idx"),
            models.Index(fields=["state", "-updated_at", "-id"], name="risk_state_updated_idx"),
            models.Index(fields=["campaign_year", "-updated_at", "-id"], name="risk_year_updated_idx"),
            models.Index(fields=["grade"], name="risk_grade_idx"),
            models.Index(
                grade_rank_expression().desc(),
                models.F("updated_at").desc(),
                models.F("id").desc(),
                name="risk_grade_rank_idx",
            ),
            # The dashboard's "post risk point submitted" per staff member in the campaign's window
            # (workflow.dashboard.selectors._post_submitted): an index-only range scan instead of a scan of
            # every point by created_at (92 → 21 ms at 400,000 points; risks migration 0013).
            models.Index(
                fields=["created_at"],
                include=["owner", "state"],
                condition=models.Q(level="post"),
                name="risk_post_created_idx",
            ),
        ]

    def __str__(self):
        text = self.description.strip().splitlines()[0] if self.description.strip() else ""
        return text[:40] + ("…" if len(text) > 40 else "")

    @staticmethod
    def key_link_names_expression():
        """A row's key links' names as an array column (PostgreSQL only)."""
        from django.contrib.postgres.expressions import ArraySubquery

        names = KeyLink.objects.filter(risk_points=OuterRef("pk")).order_by("sort_order", "id").values("name")
        return ArraySubquery(names)

    @property
    def link_names(self):
        """Its key links' names: the array the list and detail read with the row on PostgreSQL
        (``key_link_names``), else the (prefetched) relation."""
        names = self.__dict__.get("key_link_names")
        return names if names is not None else [k.name for k in self.key_links.all()]

    @property
    def rule_links(self):
        """The court rules covering it as ``{"pk", "title"}``: read with the row by the detail page on
        PostgreSQL (``court_rule_links``), else queried."""
        links = self.__dict__.get("court_rule_links")
        if links is None:
            links = [{"pk": r.pk, "title": r.title} for r in self.court_rules.order_by("-issued_on", "-id")]
        return links

    @property
    def code(self):
        return self.code_of(self.pk)

    @staticmethod
    def code_of(pk):
        return f"FX{pk:05d}" if pk else ""

    def can_move_to(self, state) -> bool:
        return state in self.TRANSITIONS.get(self.state, set())

    @property
    def is_editable(self):
        return self.state in self.EDITABLE_STATES

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        for name in ("description", "manifestations"):
            if not (getattr(self, name) or "").strip():
                errors[name] = _("此项不能为空或只含空白。")
        if self.division_id and self.court_id and self.division.court_id != self.court_id:
            errors["division"] = _("所选庭室不属于该法院。")
        if self.post_id and self.division_id and self.post.division_id != self.division_id:
            errors["post"] = _("所选岗位不属于该庭室。")
        if self.power_id and self.court_id and self.power.court_id != self.court_id:
            errors["power"] = _("所选职权不属于本院的职权目录。")
        if self.step_id and self.step.power_id != self.power_id:
            errors["step"] = _("所选环节不属于所选职权。")
        if self.level == Level.POST and not self.post_id:
            errors["post"] = _("岗位风险点必须指定岗位。")
        if self.level in (Level.POST, Level.DIVISION) and not self.division_id:
            errors["division"] = _("岗位和庭室风险点必须指定庭室。")
        if errors:
            raise ValidationError(errors)


def campaign_year_of(day) -> int:
    """The campaign a day belongs to: the plan's campaigns run from September to the next August."""
    return day.year if day.month >= 9 else day.year - 1


def campaign_label(year) -> str:
    return f"{year}—{year + 1}年度"


class RiskPointUserObjectPermission(UserObjectPermissionBase):
    """django-guardian direct foreign-key grants on risk points (互相查)."""

    content_object = models.ForeignKey(RiskPoint, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("风险点授权")
        verbose_name_plural = _("风险点授权")


class GradingTier(models.TextChoices):
    PROPOSAL = "proposal", _("提出人建议")
    REVIEW = "review", _("庭室评定")
    CONFIRMATION = "confirmation", _("组织确定")


def _factor(label):
    return models.PositiveSmallIntegerField(label, validators=[MinValueValidator(1), MaxValueValidator(3)])


class RiskGrading(models.Model):
    """The factors and grade one tier gave a risk point: proposal, review, confirmation."""

    risk_point = models.ForeignKey(
        RiskPoint, verbose_name=_("风险点"), on_delete=models.CASCADE, related_name="gradings"
    )
    tier = models.CharField(_("层级"), max_length=16, choices=GradingTier.choices)
    importance = _factor(_("权力重要程度"))
    discretion = _factor(_("自由裁量权大小"))
    probability = _factor(_("发生概率"))
    harm = _factor(_("危害程度"))
    suggested = models.CharField(_("建议等级"), max_length=8, choices=Grade.choices)
    grade = models.CharField(_("评定等级"), max_length=8, choices=Grade.choices)
    reason = models.TextField(_("理由"), max_length=TEXT_LIMIT, blank=True)
    graded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("评定人"), on_delete=models.PROTECT)
    graded_at = models.DateTimeField(_("评定时间"), auto_now=True)

    class Meta:
        verbose_name = _("风险评级")
        verbose_name_plural = _("风险评级")
        ordering = ["risk_point", "graded_at"]
        constraints = [models.UniqueConstraint(fields=["risk_point", "tier"], name="grading_one_per_tier")]

    def __str__(self):
        return f"{self.get_tier_display()}：{self.get_grade_display()}"

    @property
    def factors(self):
        return {
            "importance": self.importance,
            "discretion": self.discretion,
            "probability": self.probability,
            "harm": self.harm,
        }


class Transition(models.Model):
    """One state change of a risk point: who, when, from, to, why."""

    risk_point = models.ForeignKey(RiskPoint, on_delete=models.CASCADE, related_name="transitions")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    from_state = models.CharField(_("原状态"), max_length=12, choices=State.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=12, choices=State.choices)
    # The step's audit action code ("risks.submit"); empty on rows written before it was kept.
    action = models.CharField(_("操作"), max_length=60, blank=True, default="", db_default="")
    reason = models.TextField(_("理由"), max_length=TEXT_LIMIT, blank=True)
    # A reason the system wrote ("collective decision of …"): a registered text code and its parameters,
    # rendered in the reader's language (hkcourt.org.texts); ``reason`` then stays empty. A person's reason is
    # kept as typed in ``reason``.
    reason_code = models.CharField(_("理由代码"), max_length=60, blank=True, default="", db_default="")
    reason_params = models.JSONField(_("理由参数"), null=True, blank=True)

    class Meta:
        verbose_name = _("流转记录")
        verbose_name_plural = _("流转记录")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.get_from_state_display()} → {self.get_to_state_display()}"

    @property
    def reason_text(self) -> str:
        """The reason in the reader's language (the system's) or as typed (a person's)."""
        if self.reason_code:
            return texts.render(self.reason_code, self.reason_params, default=self.reason)
        return self.reason


class SystemReason(str):
    """A reason the system writes: a registered text code (:mod:`hkcourt.org.texts`) and its parameters. As a
    string it is the form a field-history version keeps in its change reason (``code`` or ``code?name=value``,
    at most 100 characters), read back by :func:`reason_text`; a Transition keeps ``code`` and ``params``."""

    code: str
    params: dict

    def __new__(cls, text_code: str, /, **params):  # positional: a parameter may be called "code"
        params = {k: texts.value(v) for k, v in params.items()}
        self = super().__new__(cls, text_code + ("?" + _query(params) if params else ""))
        self.code, self.params = text_code, params
        return self

    def render(self) -> str:
        return texts.render(self.code, self.params, default=str(self))


def _query(params: dict) -> str:
    """``name=value&…`` that :func:`urllib.parse.parse_qsl` reads back, with Chinese kept as it is (a change
    reason holds 100 characters: a percent-encoded Chinese character would take nine)."""

    def escape(v):
        for char in "%&=+#":
            v = v.replace(char, f"%{ord(char):02X}")
        return v

    return "&".join(f"{escape(str(k))}={escape(str(v))}" for k, v in params.items())


def reason_text(stored: str) -> str:
    """A version's change reason in the reader's language when it is a :class:`SystemReason`, else as typed."""
    stored = stored or ""
    code, _sep, query = stored.partition("?")
    if not code.startswith("risks.") or " " in code or not texts.is_registered(code):
        return stored
    return texts.render(code, dict(parse_qsl(query)))


def _write_transition(rp, step, from_state, *, actor, reason=""):
    """A risk point's history row: its own table (large in province data), with the step's audit code; a
    :class:`SystemReason` as its code and parameters."""
    return Transition.objects.create(
        risk_point=rp,
        actor=actor,
        from_state=from_state,
        to_state=step.target,
        action=step.audit,
        **reason_fields(reason),
    )


def reason_fields(reason) -> dict:
    """A Transition's reason fields: a :class:`SystemReason` as its code and parameters, a person's as typed."""
    if isinstance(reason, SystemReason):
        return {"reason": "", "reason_code": reason.code, "reason_params": reason.params or None}
    return {"reason": reason or ""}


# Every move of a risk point, declared once: the services take them through transitions.apply (risks.services._move).
RISK_POINT_MACHINE = transitions.register(
    RiskPoint,
    transitions.Machine(
        field="state",
        history=_write_transition,
        steps=[
            transitions.Step(
                "submit", {State.DRAFT, State.RETURNED}, State.SUBMITTED, action="risks.submit", audit="risks.submit"
            ),
            transitions.Step(
                "return", {State.SUBMITTED, State.GRADED}, State.RETURNED, action="risks.return", audit="risks.return"
            ),
            transitions.Step("grade", {State.SUBMITTED}, State.GRADED, action="risks.grade", audit="risks.grade"),
            transitions.Step("confirm", {State.GRADED}, State.CONFIRMED, action="risks.confirm", audit="risks.confirm"),
            transitions.Step(
                "publish", {State.CONFIRMED}, State.PUBLISHED, action="risks.publish", audit="risks.publish"
            ),
            transitions.Step(
                "control", {State.PUBLISHED}, State.CONTROLLED, action="risks.mark_controlled", audit="risks.control"
            ),
            transitions.Step(
                "retire",
                set(State.values) - {State.RETIRED},
                State.RETIRED,
                action="risks.retire",
                audit="risks.retire",
            ),
        ],
    ),
)
RiskPoint.TRANSITIONS = RISK_POINT_MACHINE.graph()


class PeerCheck(models.Model):
    """A colleague asked to check someone's risk point (互相查), and what they said."""

    risk_point = models.ForeignKey(RiskPoint, on_delete=models.CASCADE, related_name="peer_checks")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("互查人"), on_delete=models.CASCADE, related_name="peer_checks"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    comment = models.TextField(_("互查意见"), max_length=TEXT_LIMIT, blank=True)
    commented_at = models.DateTimeField(_("提出意见时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("互相查")
        verbose_name_plural = _("互相查")
        ordering = ["requested_at", "id"]
        constraints = [models.UniqueConstraint(fields=["risk_point", "reviewer"], name="peer_check_once")]

    def __str__(self):
        return f"{self.reviewer} → {self.risk_point_id}"


class PublicFeedbackQuerySet(ScopedQuerySet):
    # From the public: only the office and the leading group may read it.
    scope = Scope(court="court", division=None, owner=None, roles=frozenset({Role.OFFICE, Role.LEADING_GROUP}))


class PublicFeedback(models.Model):
    """A comment from the public on a court's published risk points (群众提)."""

    court = models.ForeignKey(Court, verbose_name=_("法院"), on_delete=models.CASCADE, related_name="+")
    risk_point = models.ForeignKey(
        RiskPoint,
        verbose_name=_("所涉风险点"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback",
    )
    text = models.TextField(_("意见内容"), max_length=TEXT_LIMIT)
    contact = models.CharField(_("联系方式（自愿）"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True, db_index=True)
    ip_hash = models.CharField(_("来源标识"), max_length=64, db_index=True)

    objects = PublicFeedbackQuerySet.as_manager()

    class Meta:
        verbose_name = _("群众意见")
        verbose_name_plural = _("群众意见")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.text[:40]
