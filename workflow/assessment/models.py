"""Questionnaires and democratic evaluation (问卷调查、民主测评), and interview records (个别访谈).

Anonymity is a property of the tables, not of the pages:

- a :class:`Response` and its :class:`Answer` rows carry no foreign key to a person or to an invitation,
  no time of day and no insertion order (random UUID keys), only the group the respondent belonged to
  (court and division, shown only for groups of at least :data:`MIN_GROUP` answers);
- an :class:`Invitation` (the one-time token sent to one person) records only that it was ``used``: no
  time, nothing that points at the response. Marking it used and writing the response happen in one
  transaction, and nothing is audited or logged about an answer.

``tests/assessment/test_anonymity.py`` checks every model of the project against these rules.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hkcourt.org.models import Court, Division
from hkcourt.org.roles import Role
from hkcourt.org.scoping import Scope, ScopedQuerySet, UserRoles
from workflow.models import Campaign, Phase, local_today
from workflow.oversight.models import Rectification

#: Free-text answers and per-group figures are shown only for at least this many answers.
MIN_GROUP = 5
#: The longest free-text answer accepted.
TEXT_ANSWER_LIMIT = 2000
RATING_MIN, RATING_MAX = 1, 5


class QuestionnaireKind(models.TextChoices):
    SURVEY = "survey", _("问卷调查")
    EVALUATION = "evaluation", _("民主测评")


class QuestionnaireState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("已发放")
    CLOSED = "closed", _("已结束")


#: Who reads a questionnaire and its results: the office and the leading group of its court or a court
#: above; the court's own leaders (president, deputy leaders). Staff and division heads: none.
RESULT_READERS = (Role.OFFICE, Role.LEADING_GROUP)
COURT_LEADERS = (Role.PRESIDENT, Role.DEPUTY_LEADER)


class QuestionnaireQuerySet(ScopedQuerySet):
    scope = Scope(court="court", division=None, owner=None, roles=frozenset(RESULT_READERS), owner_sees_own=False)

    def visible_to(self, user):
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        roles = UserRoles.of(user)
        condition = Q(court_id__in=roles.court_ids(*COURT_LEADERS))
        for path in roles.subtree_paths(*RESULT_READERS):
            condition |= Q(court__path__startswith=path)
        return self.filter(condition)


class Questionnaire(models.Model):
    """A questionnaire or a democratic evaluation, built by the office of ``court``, sent to staff through
    one-time tokens and/or published to the public through a link and QR code."""

    court = models.ForeignKey(Court, verbose_name=_("法院"), on_delete=models.PROTECT, related_name="+")
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("工作方案"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(_("类别"), max_length=12, choices=QuestionnaireKind.choices, default="survey")
    title = models.CharField(_("标题"), max_length=120)
    intro = models.TextField(_("说明"), max_length=2000, blank=True)
    opens_on = models.DateField(_("开始日期"))
    closes_on = models.DateField(_("截止日期"))
    state = models.CharField(_("状态"), max_length=8, choices=QuestionnaireState.choices, default="draft")
    rating_threshold = models.DecimalField(
        _("评分整改线"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("3.50"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("5"))],
        help_text=_("评分题平均分低于此值即为满意度偏低（1–5分）。"),
    )
    satisfaction_threshold = models.PositiveSmallIntegerField(
        _("满意率整改线（%）"),
        default=80,
        validators=[MaxValueValidator(100)],
        help_text=_("选择题中“满意”类选项的比例低于此值即为满意度偏低。"),
    )
    public_code = models.SlugField(_("公开链接代码"), max_length=16, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = QuestionnaireQuerySet.as_manager()

    class Meta:
        verbose_name = _("问卷")
        verbose_name_plural = _("问卷")
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_on__gte=models.F("opens_on")), name="questionnaire_dates"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": _("截止日期不能早于开始日期。")})

    @property
    def is_public(self):
        return bool(self.public_code)

    def refusal(self, today=None) -> str:
        """Why no answer is accepted now ("" when answers are accepted)."""
        today = today or local_today()
        if self.state == QuestionnaireState.DRAFT:
            return str(_("问卷尚未发放。"))
        if self.state == QuestionnaireState.CLOSED:
            return str(_("问卷已结束，不再接受答卷。"))
        if today < self.opens_on:
            return str(_("问卷将于%(day)s开始，请届时再来作答。") % {"day": self.opens_on.isoformat()})
        if today > self.closes_on:
            return str(_("问卷已于%(day)s截止，不再接受答卷。") % {"day": self.closes_on.isoformat()})
        return ""

    @property
    def accepting(self) -> bool:
        return not self.refusal()

    @property
    def expired(self) -> bool:
        return local_today() > self.closes_on

    @property
    def finished(self) -> bool:
        """Closed or past its closing date. The figures are shown only then: results read while answers
        still come in could be compared before and after one person answers."""
        return self.state == QuestionnaireState.CLOSED or (self.state == QuestionnaireState.OPEN and self.expired)


class ItemKind(models.TextChoices):
    SINGLE = "single", _("单选题")
    MULTIPLE = "multiple", _("多选题")
    RATING = "rating", _("评分题（1–5分）")
    TEXT = "text", _("文字题")


CHOICE_KINDS = (ItemKind.SINGLE, ItemKind.MULTIPLE)


class Item(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="items")
    number = models.PositiveSmallIntegerField(_("题号"))
    kind = models.CharField(_("题型"), max_length=10, choices=ItemKind.choices)
    text = models.CharField(_("题目"), max_length=300)
    required = models.BooleanField(_("必答"), default=True)
    rectification = models.ForeignKey(
        Rectification, verbose_name=_("整改"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("题目")
        verbose_name_plural = _("题目")
        ordering = ["questionnaire", "number"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "number"], name="item_unique_number")]

    def __str__(self):
        return f"{self.number}. {self.text}"

    @property
    def has_choices(self):
        return self.kind in CHOICE_KINDS


class Choice(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="choices")
    number = models.PositiveSmallIntegerField(_("序号"))
    text = models.CharField(_("选项"), max_length=120)
    satisfied = models.BooleanField(_("计为满意"), default=False)

    class Meta:
        verbose_name = _("选项")
        verbose_name_plural = _("选项")
        ordering = ["item", "number"]
        constraints = [models.UniqueConstraint(fields=["item", "number"], name="choice_unique_number")]

    def __str__(self):
        return self.text


class InvitationQuerySet(ScopedQuerySet):
    # A person's own invitations (their todo); nobody else reads them through a page.
    scope = Scope(court=None, division=None, owner="recipient")


class Invitation(models.Model):
    """The one-time token sent to one person. It records that it was ``used`` and nothing else about the
    answer: no time, no link to the response."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="invitations")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True)
    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="+")
    division = models.ForeignKey(Division, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    used = models.BooleanField(default=False)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("答卷邀请")
        verbose_name_plural = _("答卷邀请")
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "recipient"], name="invitation_one_per_person"),
        ]

    def __str__(self):
        return str(self.questionnaire)


class Channel(models.TextChoices):
    INVITED = "invited", _("定向发放")
    PUBLIC = "public", _("公开链接")


class Response(models.Model):
    """One submitted answer sheet. Deliberately without person, token, time or sequential key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="responses")
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    court = models.ForeignKey(Court, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    division = models.ForeignKey(Division, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("答卷")
        verbose_name_plural = _("答卷")

    def __str__(self):
        return str(self.questionnaire)


class Answer(models.Model):
    """The answer to one item: a choice (one row per chosen choice), a rating or a text."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="answers")
    choice = models.ForeignKey(Choice, null=True, blank=True, on_delete=models.CASCADE, related_name="answers")
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True, max_length=TEXT_ANSWER_LIMIT)

    class Meta:
        verbose_name = _("回答")
        verbose_name_plural = _("回答")
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=RATING_MIN, rating__lte=RATING_MAX),
                name="answer_rating_range",
            ),
            models.UniqueConstraint(
                fields=["response", "item", "choice"], condition=Q(choice__isnull=False), name="answer_choice_once"
            ),
            models.UniqueConstraint(
                fields=["response", "item"], condition=Q(choice__isnull=True), name="answer_item_once"
            ),
        ]

    def __str__(self):
        return str(self.item)


class InterviewQuerySet(ScopedQuerySet):
    # Office only; never shown to the person interviewed.
    scope = Scope(
        court="court",
        division=None,
        owner=None,
        roles=frozenset({Role.OFFICE}),
        owner_sees_own=False,
        hidden_from="interviewee",
    )


class Interview(models.Model):
    """个别访谈: whom the office talked to, when, and what was said."""

    court = models.ForeignKey(Court, verbose_name=_("法院"), on_delete=models.PROTECT, related_name="+")
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("工作方案"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    held_on = models.DateField(_("访谈日期"))
    interviewee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("受访人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("本系统中的人员；院外人员请在“受访人”中填写。"),
    )
    interviewee_desc = models.CharField(_("受访人"), max_length=80, help_text=_("姓名及身份，如“律师 张某”"))
    interviewers = models.CharField(_("访谈人"), max_length=120)
    summary = models.TextField(_("访谈摘要"), max_length=4000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = InterviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("个别访谈")
        verbose_name_plural = _("个别访谈")
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return f"{self.held_on} {self.interviewee_desc}"


# ---------------------------------------------------------------- the indicator system (考核评估指标体系)


class IndicatorKey(models.TextChoices):
    """The plan's six dimensions (四(三))."""

    IDENTIFICATION = "identification", _("廉政风险的排查和识别")
    MEASURES = "measures", _("防控措施的制定")
    TECHNOLOGY = "technology", _("科技手段的运用")
    OPENNESS = "openness", _("权力运行的公开度")
    PETITIONS = "petitions", _("信访举报的数量")
    CASES = "cases", _("违纪违法案件的发案率")


class IndicatorScheme(models.Model):
    """One version of a campaign's indicator weights. Editing makes a new version; earlier ones are kept."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("工作方案"), on_delete=models.CASCADE, related_name="+")
    version = models.PositiveSmallIntegerField(_("版本"))
    note = models.CharField(_("调整说明"), max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("调整时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("指标权重版本")
        verbose_name_plural = _("指标权重版本")
        ordering = ["campaign", "-version"]
        constraints = [models.UniqueConstraint(fields=["campaign", "version"], name="scheme_unique_version")]

    def __str__(self):
        return f"{self.campaign} v{self.version}"


class IndicatorWeight(models.Model):
    scheme = models.ForeignKey(IndicatorScheme, on_delete=models.CASCADE, related_name="weights")
    key = models.CharField(_("指标"), max_length=16, choices=IndicatorKey.choices)
    weight = models.PositiveSmallIntegerField(_("权重"), validators=[MaxValueValidator(100)])
    target = models.DecimalField(_("目标值"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("指标权重")
        verbose_name_plural = _("指标权重")
        ordering = ["scheme", "id"]
        constraints = [models.UniqueConstraint(fields=["scheme", "key"], name="weight_unique_key")]

    def __str__(self):
        return f"{self.get_key_display()} {self.weight}"


# ---------------------------------------------------------------- 考核验收 (plan 四(二), 三(三))


class AcceptanceKind(models.TextChoices):
    STAGE = "stage", _("阶段性验收")
    FULL = "full", _("全面考核")


class Grade(models.TextChoices):
    """The result of an acceptance, by method and in the end (best first)."""

    EXCELLENT = "excellent", _("优秀")
    PASS = "pass", _("合格")
    BASIC = "basic", _("基本合格")
    FAIL = "fail", _("不合格")


GRADE_ORDER = [Grade.EXCELLENT, Grade.PASS, Grade.BASIC, Grade.FAIL]


class AcceptanceState(models.TextChoices):
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结束")


#: Who reads acceptances and the results: the office and leading group (their court and below), the court's
#: president (their court), deputy leaders and division heads (their divisions' units). Staff: none.
ACCEPTANCE_READERS = frozenset(
    {Role.OFFICE, Role.LEADING_GROUP, Role.PRESIDENT, Role.DEPUTY_LEADER, Role.DIVISION_HEAD}
)


class AcceptanceQuerySet(ScopedQuerySet):
    scope = Scope(court="court", division=None, owner=None, roles=frozenset(ACCEPTANCE_READERS), owner_sees_own=False)

    def visible_to(self, user):
        """An acceptance is seen by whoever sees one of its units (and by the office that runs it)."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        units = AcceptanceUnit.objects.visible_to(user).values("acceptance_id")
        return self.filter(Q(pk__in=units) | Q(pk__in=super().visible_to(user).values("pk")))


class Acceptance(models.Model):
    """One round of 考核验收: at the end of a phase (阶段性验收) or over the whole campaign (全面考核), of the
    units (courts, divisions) the office chose, by self-check, spot check and social evaluation."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("工作方案"), on_delete=models.CASCADE, related_name="+")
    phase = models.ForeignKey(
        Phase, verbose_name=_("阶段"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("类别"), max_length=8, choices=AcceptanceKind.choices)
    court = models.ForeignKey(Court, verbose_name=_("组织验收的法院"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("名称"), max_length=120)
    self_due = models.DateField(_("自查报告截止日期"))
    sample_size = models.PositiveSmallIntegerField(
        _("抽查数量"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("每个单位随机抽取的风险点和防控措施各多少条。"),
    )
    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("社会评议问卷"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    state = models.CharField(_("状态"), max_length=8, choices=AcceptanceState.choices, default="open")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = AcceptanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("考核验收")
        verbose_name_plural = _("考核验收")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="full", phase__isnull=True) | Q(kind="stage", phase__isnull=False),
                name="acceptance_phase_by_kind",
            ),
        ]

    def __str__(self):
        return self.title


class AcceptanceUnitQuerySet(ScopedQuerySet):
    # The office and leading group of the unit's court or above, its president; division heads and deputy
    # leaders the units of their divisions.
    scope = Scope(court="court", division="division", owner=None, roles=ACCEPTANCE_READERS, owner_sees_own=False)


class AcceptanceUnit(models.Model):
    """One unit under acceptance (a court as a whole, or a division) with the result of each method and the
    office's final result. A 不合格 or 形式主义 result orders 责令整改、重新补课: a rectification."""

    acceptance = models.ForeignKey(Acceptance, on_delete=models.CASCADE, related_name="units")
    court = models.ForeignKey(Court, verbose_name=_("法院"), on_delete=models.PROTECT, related_name="+")
    division = models.ForeignKey(
        Division, verbose_name=_("庭室"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # 自我检查: the unit's own report
    self_report = models.TextField(_("自查报告"), max_length=8000, blank=True)
    self_grade = models.CharField(_("自评结果"), max_length=10, choices=Grade.choices, blank=True)
    self_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    self_at = models.DateTimeField(_("自查报告时间"), null=True, blank=True)
    # 上级抽查: records drawn at random, each with a finding
    drawn_at = models.DateTimeField(_("抽取时间"), null=True, blank=True)
    spot_grade = models.CharField(_("抽查结果"), max_length=10, choices=Grade.choices, blank=True)
    spot_note = models.TextField(_("抽查意见"), max_length=4000, blank=True)
    spot_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    spot_at = models.DateTimeField(_("抽查时间"), null=True, blank=True)
    # 社会评议: from the questionnaire's results
    social_grade = models.CharField(_("评议结果"), max_length=10, choices=Grade.choices, blank=True)
    social_basis = models.CharField(_("评议依据"), max_length=300, blank=True)
    social_at = models.DateTimeField(_("评议时间"), null=True, blank=True)
    # the result
    grade = models.CharField(_("验收结果"), max_length=10, choices=Grade.choices, blank=True)
    formalism = models.BooleanField(_("存在形式主义、敷衍塞责"), default=False)
    conclusion = models.TextField(_("验收结论"), max_length=4000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("验收时间"), null=True, blank=True)
    rectification = models.ForeignKey(
        Rectification,
        verbose_name=_("责令整改"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = AcceptanceUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("验收单位")
        verbose_name_plural = _("验收单位")
        ordering = ["acceptance", "court__path", "division__sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["acceptance", "court"], condition=Q(division__isnull=True), name="acceptance_unit_court_once"
            ),
            models.UniqueConstraint(
                fields=["acceptance", "division"],
                condition=Q(division__isnull=False),
                name="acceptance_unit_division_once",
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self):
        court = self.court.short_name or self.court.name
        return f"{court}·{self.division.name}" if self.division_id else court

    @property
    def ordered_redo(self) -> bool:
        return self.grade == Grade.FAIL or self.formalism


class SampleKind(models.TextChoices):
    RISK_POINT = "risk_point", _("风险点")
    MEASURE = "measure", _("防控措施")


class AcceptanceSample(models.Model):
    """A record the system drew at random from the unit's risk points or measures, and what the spot check
    found in it."""

    unit = models.ForeignKey(AcceptanceUnit, on_delete=models.CASCADE, related_name="samples")
    kind = models.CharField(_("类别"), max_length=12, choices=SampleKind.choices)
    risk_point = models.ForeignKey("risks.RiskPoint", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    measure = models.ForeignKey("measures.Measure", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    label = models.CharField(_("记录"), max_length=300)
    satisfactory = models.BooleanField(_("符合要求"), null=True)
    finding = models.TextField(_("抽查发现"), max_length=2000, blank=True)
    checked_at = models.DateTimeField(_("检查时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("抽查记录")
        verbose_name_plural = _("抽查记录")
        ordering = ["unit", "kind", "id"]

    def __str__(self):
        return self.label


# ---------------------------------------------------------------- manual indicator scores (人工评分)


def evidence_path(instance, filename):
    from hkcourt.org.files import stored_path

    return stored_path(f"assessment/evidence/{instance.campaign_id}", filename)


class ManualScore(models.Model):
    """The office's score for one indicator of one unit, with its reason and evidence; it takes the place
    of the formula's score. Versioned: a change is a new row, earlier ones are kept."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("工作方案"), on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("指标"), max_length=16, choices=IndicatorKey.choices)
    court = models.ForeignKey(Court, verbose_name=_("法院"), on_delete=models.PROTECT, related_name="+")
    division = models.ForeignKey(
        Division, verbose_name=_("庭室"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveSmallIntegerField(_("版本"))
    score = models.DecimalField(
        _("评分"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("留空表示撤销人工评分、恢复按公式计分。"),
    )
    reason = models.TextField(_("评分理由"), max_length=2000)
    evidence = models.FileField(_("证明材料"), upload_to=evidence_path, blank=True, max_length=300)
    evidence_name = models.CharField(_("文件名"), max_length=120, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("评分时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("人工评分")
        verbose_name_plural = _("人工评分")
        ordering = ["campaign", "key", "court", "division", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "key", "court", "division", "version"], name="manual_version", nulls_distinct=False
            ),
        ]

    def __str__(self):
        return f"{self.get_key_display()} {self.score}"


# ---------------------------------------------------------------- phase summaries (阶段总结)


def summary_file_path(instance, filename):
    from hkcourt.org.files import stored_path

    return stored_path(f"assessment/summaries/{instance.summary_id}", filename)


class SummaryQuerySet(ScopedQuerySet):
    # The office and leading group (their court and below), the court's president; a division's own summary
    # to its head and deputy leader.
    scope = Scope(court="court", division="division", owner=None, roles=ACCEPTANCE_READERS, owner_sees_own=False)


class PhaseSummary(models.Model):
    """A phase's summary: the court's (written by its office; ``division`` empty) or a division's stage
    summary (written by its head, collected by the office). The phase's figures are attached when it is
    written and never change afterwards."""

    phase = models.ForeignKey(Phase, verbose_name=_("阶段"), on_delete=models.CASCADE, related_name="+")
    court = models.ForeignKey(Court, verbose_name=_("法院"), on_delete=models.PROTECT, related_name="+")
    division = models.ForeignKey(
        Division, verbose_name=_("庭室"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("正文"), max_length=20000)
    figures = models.JSONField(_("阶段数据"), default=dict)
    figures_at = models.DateTimeField(_("数据截取时间"))
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    objects = SummaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("阶段总结")
        verbose_name_plural = _("阶段总结")
        ordering = ["phase__number", "court__path", "division__sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["phase", "court"], condition=Q(division__isnull=True), name="summary_court_once"
            ),
            models.UniqueConstraint(
                fields=["phase", "division"], condition=Q(division__isnull=False), name="summary_division_once"
            ),
        ]

    def __str__(self):
        return self.title


class SummaryAttachment(models.Model):
    summary = models.ForeignKey(PhaseSummary, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=summary_file_path, max_length=300)
    name = models.CharField(_("文件名"), max_length=120)
    size = models.PositiveIntegerField(_("大小"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name


# ---------------------------------------------------------------- the campaign report (工作总结报告)


class ReportState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("生成失败")


def report_file_path(instance, filename):
    from hkcourt.org.files import stored_path

    return stored_path(f"assessment/reports/{instance.campaign_id}", filename)


class CampaignReport(models.Model):
    """The campaign's report, built by a Celery task (progress kept here), its PDF and workbook kept for
    download."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("工作方案"), on_delete=models.CASCADE, related_name="+")
    court = models.ForeignKey(Court, verbose_name=_("法院"), on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("状态"), max_length=8, choices=ReportState.choices, default="queued")
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    step = models.CharField(_("当前步骤"), max_length=120, blank=True)
    error = models.CharField(_("错误"), max_length=300, blank=True)
    pdf = models.FileField(_("PDF"), upload_to=report_file_path, blank=True, max_length=300)
    xlsx = models.FileField(_("Excel"), upload_to=report_file_path, blank=True, max_length=300)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("工作总结报告")
        verbose_name_plural = _("工作总结报告")
        ordering = ["-requested_at", "-id"]

    def __str__(self):
        return f"{self.campaign} #{self.pk}"
