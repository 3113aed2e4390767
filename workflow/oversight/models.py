"""Oversight (预警处置): risk information from every channel (风险信息), early-warning rules and the
warnings they raise (预警), handling on a ladder (风险提示 → 诫勉谈话 → 责令纠错) with report-backs (回告),
and rectification (限期整改). Among the most sensitive rows in the system: only the office and the leading
group read them; a person never sees signals or warnings about themselves, and sees only the handling that
was delivered to them. State changes happen only in :mod:`workflow.oversight.services`."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hkcourt.org import texts, transitions
from hkcourt.org.files import stored_path
from hkcourt.org.models import Court, Division
from hkcourt.org.roles import OVERSIGHT_ROLES
from hkcourt.org.scoping import Scope, ScopedQuerySet, scope_filter
from risks.measures.models import Measure
from risks.models import PublicFeedback, RiskPoint

__all__ = [
    "Channel",
    "Severity",
    "Signal",
    "SignalAttachment",
    "RuleKind",
    "WarningLevel",
    "WarningState",
    "WarningRule",
    "WarningLevelMeaning",
    "Warning",
    "EventAction",
    "WarningEvent",
    "HandlingKind",
    "HandlingState",
    "TalkerLevel",
    "Handling",
    "ReportBack",
    "RectificationState",
    "Rectification",
    "RectificationProgress",
]

TEXT_LIMIT = 4000


class Channel(models.TextChoices):
    INSPECTION = "inspection", _("司法巡查")
    AUDIT_CHECK = "audit_check", _("审务督察")
    TRIAL_SUPERVISION = "trial_supervision", _("审判监督")
    CASE_REVIEW = "case_review", _("案件评查")
    PETITION = "petition", _("信访举报")
    CONDUCT_REVIEW = "conduct_review", _("纠风评议")
    SURVEY = "survey", _("问卷调查")
    CADRE_ASSESSMENT = "cadre_assessment", _("干部考核")
    AUDIT = "audit", _("审计监督")
    MEDIA = "media", _("新闻媒体")
    PUBLIC = "public", _("群众提")


class Severity(models.TextChoices):
    MINOR = "minor", _("一般")
    SERIOUS = "serious", _("较重")
    GRAVE = "grave", _("严重")


class SignalQuerySet(ScopedQuerySet):
    scope = Scope(
        court="court", division=None, owner=None, roles=OVERSIGHT_ROLES, owner_sees_own=False, hidden_from="person"
    )


class Signal(models.Model):
    """One piece of risk information (风险信息) from a channel, about a court, division, person or point."""

    court = models.ForeignKey(Court, verbose_name=_("法院"), on_delete=models.PROTECT, related_name="+")
    division = models.ForeignKey(
        Division, verbose_name=_("庭室"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("涉及人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    risk_point = models.ForeignKey(
        RiskPoint, verbose_name=_("涉及风险点"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("渠道"), max_length=20, choices=Channel.choices, db_index=True)
    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices, default=Severity.MINOR)
    title = models.CharField(_("标题"), max_length=120)
    content = models.TextField(_("内容"), max_length=TEXT_LIMIT)
    received_on = models.DateField(_("收到日期"), db_index=True)
    feedback = models.OneToOneField(
        PublicFeedback,
        verbose_name=_("来源群众意见"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signal",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = SignalQuerySet.as_manager()

    class Meta:
        db_table = "workflow_signal"  # the table it had under the "workflow" label
        verbose_name = _("风险信息")
        verbose_name_plural = _("风险信息")
        ordering = ["-received_on", "-id"]

    def __str__(self):
        return self.title

    @property
    def code(self):
        return f"XX{self.pk:05d}" if self.pk else ""


def signal_file_path(instance, filename):
    return stored_path(f"signals/{instance.signal_id}", filename)


class SignalAttachment(models.Model):
    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=signal_file_path, max_length=300)
    name = models.CharField(_("文件名"), max_length=120)
    size = models.PositiveIntegerField(_("大小"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "workflow_signalattachment"  # the table it had under the "workflow" label
        verbose_name = _("风险信息附件")
        verbose_name_plural = _("风险信息附件")
        ordering = ["id"]

    def __str__(self):
        return self.name


class RuleKind(models.TextChoices):
    DIVISION_SIGNALS = "division_signals", _("同一庭室一定期间内风险信息达到条数")
    HIGH_RISK_SIGNAL = "high_risk_signal", _("高等级风险点出现风险信息")
    MEASURE_OVERDUE = "measure_overdue", _("防控措施逾期超过天数")
    RECTIFICATION_OVERDUE = "rectification_overdue", _("整改逾期达到天数")
    NO_CONFIRMED_POINTS = "no_confirmed_points", _("排查阶段结束时庭室确定的风险点不足")


class WarningLevel(models.TextChoices):
    RED = "red", _("红色")
    ORANGE = "orange", _("橙色")
    YELLOW = "yellow", _("黄色")


LEVEL_RANK = {WarningLevel.RED: 3, WarningLevel.ORANGE: 2, WarningLevel.YELLOW: 1}


class WarningRule(models.Model):
    """An early-warning rule; the office edits its level, threshold, window and whether it runs."""

    kind = models.CharField(_("规则"), max_length=24, choices=RuleKind.choices, unique=True)
    name = models.CharField(_("名称"), max_length=80)
    level = models.CharField(_("预警等级"), max_length=8, choices=WarningLevel.choices)
    threshold = models.PositiveIntegerField(_("阈值"))
    window_days = models.PositiveIntegerField(_("统计期间（天）"), null=True, blank=True)
    enabled = models.BooleanField(_("启用"), default=True)
    description = models.TextField(_("说明"), max_length=1000, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        db_table = "workflow_warningrule"  # the table it had under the "workflow" label
        verbose_name = _("预警规则")
        verbose_name_plural = _("预警规则")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(threshold__gt=0), name="warning_rule_threshold_positive"),
        ]

    def __str__(self):
        return self.name

    @property
    def display_name(self) -> str:
        """A default rule's name in the reader's language; a name the office wrote, as written."""
        from .rules import shown

        return shown(self.name)

    @property
    def display_description(self) -> str:
        from .rules import shown

        return shown(self.description)


class WarningLevelMeaning(models.Model):
    """What one colour means (红/橙/黄), as the top court's office words it; a colour without a row reads the
    default text of :data:`workflow.oversight.rules.LEVEL_MEANINGS`."""

    level = models.CharField(_("预警等级"), max_length=8, choices=WarningLevel.choices, unique=True)
    meaning = models.CharField(_("含义"), max_length=200)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("预警等级含义")
        verbose_name_plural = _("预警等级含义")

    def __str__(self):
        return f"{self.get_level_display()}：{self.meaning}"


class WarningState(models.TextChoices):
    OPEN = "open", _("待处置")
    HANDLED = "handled", _("处置中")
    CLOSED = "closed", _("已办结")


class WarningQuerySet(ScopedQuerySet):
    scope = Scope(
        court="court", division=None, owner=None, roles=OVERSIGHT_ROLES, owner_sees_own=False, hidden_from="person"
    )

    def visible_to(self, user):
        """The office and leading group, never a warning about themselves: neither one naming them (``person``)
        nor one raised on a signal about them (a division-level warning over a report about its leader)."""
        qs = super().visible_to(user)
        if user is not None and getattr(user, "is_authenticated", False) and not user.is_superuser:
            qs = qs.exclude(signals__person=user)
        return qs


class Warning(models.Model):
    """A warning raised by a rule over signals and overdue work. ``key`` names the condition: at most one
    warning per key is active (open or being handled) — a unique constraint, so the task is idempotent."""

    rule = models.ForeignKey(WarningRule, verbose_name=_("规则"), on_delete=models.PROTECT, related_name="warnings")
    level = models.CharField(_("预警等级"), max_length=8, choices=WarningLevel.choices, db_index=True)
    state = models.CharField(
        _("状态"), max_length=8, choices=WarningState.choices, default=WarningState.OPEN, db_index=True
    )
    key = models.CharField(_("条件标识"), max_length=120)
    court = models.ForeignKey(Court, verbose_name=_("法院"), on_delete=models.PROTECT, related_name="+")
    division = models.ForeignKey(
        Division, verbose_name=_("庭室"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("涉及人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    risk_point = models.ForeignKey(
        RiskPoint, verbose_name=_("风险点"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    measure = models.ForeignKey(
        Measure, verbose_name=_("防控措施"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rectification = models.ForeignKey(
        "Rectification", verbose_name=_("整改"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signals = models.ManyToManyField(Signal, verbose_name=_("相关风险信息"), blank=True, related_name="warnings")
    # The rule's words are a registered text code and its parameters (hkcourt.org.texts), rendered in the reader's
    # language; ``summary`` holds only a literal text (rows written before the codes).
    message = models.CharField(_("消息代码"), max_length=60, blank=True)
    params = models.JSONField(_("消息参数"), default=dict, blank=True)
    summary = models.CharField(_("预警内容"), max_length=300, blank=True)
    proposed_rung = models.CharField(_("建议处置"), max_length=10, blank=True)
    raised_at = models.DateTimeField(_("预警时间"), auto_now_add=True, db_index=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    objects = WarningQuerySet.as_manager()

    class Meta:
        db_table = "workflow_warning"  # the table it had under the "workflow" label
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=~Q(state="closed"), name="warning_one_active_per_condition"
            ),
        ]

    def __str__(self):
        return self.display_summary

    @property
    def display_summary(self) -> str:
        if self.message:
            return texts.render(self.message, self.params, default=self.summary)
        return self.summary

    @property
    def code(self):
        return f"YJ{self.pk:05d}" if self.pk else ""


class WarningEventQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Entries of the warnings ``user`` may see; an entry about a handling only if that handling is visible
        too (the trail of a talk about a person does not show to that person on the warning it answers)."""
        return self.filter(warning__in=Warning.objects.visible_to(user)).filter(
            Q(handling__isnull=True) | Q(handling__in=Handling.objects.visible_to(user))
        )


class EventAction(models.TextChoices):
    RAISE = "raise", _("发出预警")
    HANDLE = "handle", _("处置")
    CLOSE = "close", _("办结")
    HANDLING_CLOSE = "handling_close", _("处置办结")


class WarningEvent(models.Model):
    """The trail of a warning: raised, handled, closed, with who and why. ``action`` is a code shown in the
    reader's language; the system's note is a text code with parameters, ``note`` what a person wrote."""

    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="events")
    handling = models.ForeignKey(
        "Handling", verbose_name=_("处置"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("操作"), max_length=40, choices=EventAction.choices)
    message = models.CharField(_("消息代码"), max_length=60, blank=True)
    params = models.JSONField(_("消息参数"), default=dict, blank=True)
    note = models.TextField(_("说明"), max_length=TEXT_LIMIT, blank=True)

    objects = WarningEventQuerySet.as_manager()

    class Meta:
        db_table = "workflow_warningevent"  # the table it had under the "workflow" label
        ordering = ["at", "id"]

    def __str__(self):
        return self.get_action_display()

    @property
    def display_note(self) -> str:
        if self.message:
            return texts.render(self.message, self.params, default=self.note)
        return self.note


class HandlingKind(models.TextChoices):
    REMINDER = "reminder", _("风险提示")
    TALK = "talk", _("诫勉谈话")
    ORDER = "order", _("责令纠错")


RUNGS = [HandlingKind.REMINDER, HandlingKind.TALK, HandlingKind.ORDER]


class HandlingState(models.TextChoices):
    OPEN = "open", _("待回告")
    REPORTED = "reported", _("已回告")
    CLOSED = "closed", _("已办结")


class TalkerLevel(models.TextChoices):
    DIVISION_HEAD = "division_head", _("庭室负责人")
    DEPUTY_LEADER = "deputy_leader", _("分管院领导")
    PRESIDENT = "president", _("院长")


class HandlingQuerySet(ScopedQuerySet):
    scope = Scope(
        court="court", division=None, owner=None, roles=OVERSIGHT_ROLES, owner_sees_own=False, hidden_from="person"
    )

    def visible_to(self, user):
        """The office and leading group, never a handling about themselves; the person concerned only once it
        was delivered to them (a reminder or an order they must report back on), never before."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        delivered = Q(person=user, delivered_at__isnull=False)
        condition = scope_filter(self.scope, user)
        return self.filter(delivered if condition is None else condition | delivered)


class Handling(models.Model):
    """A handling action on a warning or signal, one rung of the ladder."""

    kind = models.CharField(_("处置方式"), max_length=10, choices=HandlingKind.choices)
    state = models.CharField(_("状态"), max_length=10, choices=HandlingState.choices, default=HandlingState.OPEN)
    court = models.ForeignKey(Court, verbose_name=_("法院"), on_delete=models.PROTECT, related_name="+")
    division = models.ForeignKey(
        Division, verbose_name=_("庭室"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("处置对象"), on_delete=models.PROTECT, related_name="+"
    )
    warning = models.ForeignKey(
        Warning, verbose_name=_("预警"), null=True, blank=True, on_delete=models.PROTECT, related_name="handlings"
    )
    signal = models.ForeignKey(
        Signal, verbose_name=_("风险信息"), null=True, blank=True, on_delete=models.PROTECT, related_name="handlings"
    )
    content = models.TextField(_("提示或纠错内容"), max_length=TEXT_LIMIT)
    talk_date = models.DateField(_("谈话日期"), null=True, blank=True)
    talker_level = models.CharField(_("谈话人层级"), max_length=16, choices=TalkerLevel.choices, blank=True)
    talkers = models.CharField(_("谈话人"), max_length=120, blank=True)
    talk_record = models.TextField(_("谈话记录"), max_length=TEXT_LIMIT, blank=True)
    report_deadline = models.DateField(_("回告期限"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    outcome = models.TextField(_("处置结果"), max_length=TEXT_LIMIT, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    next_rung_proposed = models.CharField(_("建议升级为"), max_length=10, choices=HandlingKind.choices, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = HandlingQuerySet.as_manager()

    class Meta:
        db_table = "workflow_handling"  # the table it had under the "workflow" label
        verbose_name = _("处置")
        verbose_name_plural = _("处置")
        ordering = ["-created_at", "-id"]
        # the hourly sweep's range on missed report-backs (services.sweep_missed_deadlines)
        indexes = [models.Index(fields=["report_deadline"], name="handling_report_deadline_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d}" if self.created_at else self.get_kind_display()

    @property
    def code(self):
        return f"CZ{self.pk:05d}" if self.pk else ""

    @property
    def needs_report(self):
        return self.kind in (HandlingKind.REMINDER, HandlingKind.ORDER)

    @property
    def report_overdue(self) -> bool:
        """The report-back (回告) is past its deadline and not in (today in the court's time zone)."""
        if not self.report_deadline or self.state != HandlingState.OPEN:
            return False
        return self.report_deadline < timezone.localdate()


class ReportBack(models.Model):
    """回告: the person's analysis and commitment after a reminder or an order."""

    handling = models.OneToOneField(Handling, on_delete=models.CASCADE, related_name="report_back")
    analysis = models.TextField(_("原因分析"), max_length=TEXT_LIMIT)
    commitment = models.TextField(_("整改承诺"), max_length=TEXT_LIMIT)
    submitted_at = models.DateTimeField(_("回告时间"), auto_now_add=True)
    late = models.BooleanField(_("逾期回告"), default=False)

    class Meta:
        db_table = "workflow_reportback"  # the table it had under the "workflow" label
        verbose_name = _("回告")
        verbose_name_plural = _("回告")

    def __str__(self):
        return self.analysis[:40]


class RectificationState(models.TextChoices):
    OPEN = "open", _("整改中")
    CLOSED = "closed", _("已验收")


class RectificationQuerySet(ScopedQuerySet):
    # The office and leading group; the owner sees their own (they report progress on it).
    scope = Scope(court="court", division=None, owner="owner", roles=OVERSIGHT_ROLES)

    def overdue(self, today=None):
        """Open and past the deadline (逾期): the same fact as :attr:`Rectification.is_overdue`."""
        return self.filter(state=RectificationState.OPEN, deadline__lt=today or timezone.localdate())


class Rectification(models.Model):
    """限期整改: a problem, its owner, deadline, plan, progress reports and the office's closing check."""

    court = models.ForeignKey(Court, verbose_name=_("法院"), on_delete=models.PROTECT, related_name="+")
    division = models.ForeignKey(
        Division, verbose_name=_("庭室"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("整改责任人"), on_delete=models.PROTECT, related_name="+"
    )
    handling = models.OneToOneField(
        Handling,
        verbose_name=_("责令纠错"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rectification",
    )
    problem = models.TextField(_("问题"), max_length=TEXT_LIMIT, blank=True)
    # A problem the system wrote (an acceptance's order to redo): a text code and its parameters, rendered in
    # the reader's language (hkcourt.org.texts); ``problem`` then stays empty. A person's problem is as typed.
    problem_code = models.CharField(_("问题代码"), max_length=60, blank=True, default="", db_default="")
    problem_params = models.JSONField(_("问题参数"), null=True, blank=True)
    plan = models.TextField(_("整改方案"), max_length=TEXT_LIMIT, blank=True)
    deadline = models.DateField(_("整改期限"), db_index=True)
    state = models.CharField(
        _("状态"), max_length=8, choices=RectificationState.choices, default=RectificationState.OPEN
    )
    closing_check = models.TextField(_("验收意见"), max_length=TEXT_LIMIT, blank=True)
    closed_at = models.DateTimeField(_("验收时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("下达时间"), auto_now_add=True)

    objects = RectificationQuerySet.as_manager()

    class Meta:
        db_table = "workflow_rectification"  # the table it had under the "workflow" label
        verbose_name = _("整改")
        verbose_name_plural = _("整改")
        ordering = ["state", "deadline", "id"]

    def __str__(self):
        return self.problem_text[:40]

    @property
    def problem_text(self) -> str:
        """The problem in the reader's language (the system's) or as typed (a person's)."""
        if self.problem_code:
            return texts.render(self.problem_code, self.problem_params, default=self.problem)
        return self.problem

    @property
    def code(self):
        return f"ZG{self.pk:05d}" if self.pk else ""

    @property
    def is_overdue(self) -> bool:
        """Open and past the deadline (逾期), today in the court's time zone."""
        return self.state == RectificationState.OPEN and self.deadline < timezone.localdate()


class RectificationProgress(models.Model):
    rectification = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="progress")
    text = models.TextField(_("进展情况"), max_length=TEXT_LIMIT)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "workflow_rectificationprogress"  # the table it had under the "workflow" label
        ordering = ["at", "id"]

    def __str__(self):
        return self.text[:40]


# Every move of a warning, a handling and a rectification, declared once: the services take them through
# transitions.apply (history in hkcourt.org's StateChange; the warning's own events stay its case log).
WARNING_MACHINE = transitions.register(
    Warning,
    transitions.Machine(
        field="state",
        steps=[
            # Taken by the first handling recorded on it (services.create_handling, whose rule is
            # oversight.handle_warning); later handlings of a warning being handled do not move it: no rule here.
            transitions.Step("handle", {WarningState.OPEN}, WarningState.HANDLED, audit="oversight.warning_handle"),
            transitions.Step(
                "close",
                {WarningState.OPEN, WarningState.HANDLED},
                WarningState.CLOSED,
                action="oversight.close_warning",
                audit="oversight.warning_close",
                stamp="closed_at",
            ),
        ],
    ),
)
HANDLING_MACHINE = transitions.register(
    Handling,
    transitions.Machine(
        field="state",
        steps=[
            transitions.Step(
                "report_back",
                {HandlingState.OPEN},
                HandlingState.REPORTED,
                action="oversight.report_back",
                audit="oversight.report_back",
            ),
            transitions.Step(
                "close",
                {HandlingState.OPEN, HandlingState.REPORTED},
                HandlingState.CLOSED,
                action="oversight.close_handling",
                audit="oversight.handling_close",
                stamp="closed_at",
            ),
        ],
    ),
)
RECTIFICATION_MACHINE = transitions.register(
    Rectification,
    transitions.Machine(
        field="state",
        steps=[
            transitions.Step(
                "close",
                {RectificationState.OPEN},
                RectificationState.CLOSED,
                action="oversight.close_rectification",
                audit="oversight.rect_close",
                stamp="closed_at",
                stamp_by="closed_by",
            ),
        ],
    ),
)
