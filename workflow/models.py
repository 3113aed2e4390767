"""The campaign (工作方案): four phases (阶段) with dates, tasks (阶段任务) with deadlines and the role that must
do them, and the office's tick-offs (完成登记) with note and attachment.

Deadlines are calendar dates in Asia/Shanghai: a deadline of 2013-02-15 means the end of that day there,
i.e. a task is overdue from 2013-02-16 00:00 (+08:00). :func:`deadline_passed` is the one place that says so.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hkcourt.org import transitions
from hkcourt.org.models import Court, Division, Person, Role
from hkcourt.org.policy import is_active, roles_of
from hkcourt.org.scoping import Scope, ScopedQuerySet


def local_zone():
    return ZoneInfo(settings.TIME_ZONE)


def deadline_end(day: dt.date) -> dt.datetime:
    """The instant a deadline passes: midnight at the end of ``day`` in the court's time zone."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=local_zone())


def deadline_passed(day: dt.date, now: dt.datetime | None = None) -> bool:
    return (now or timezone.now()) >= deadline_end(day)


def local_today(now: dt.datetime | None = None) -> dt.date:
    return timezone.localdate(now or timezone.now(), local_zone())


class CampaignQuerySet(ScopedQuerySet):
    """A campaign is visible to the people of its court and, when it covers the courts below, to theirs;
    the office, leading group and admin of a court above see it too. Templates are visible to all."""

    scope = Scope(court="court", division=None, owner=None, organisation=True)

    def visible_to(self, user):
        if not is_active(user):
            return self.none()
        if user.is_superuser:
            return self.all()
        condition = Q(is_template=True)
        for path in roles_of(user).member_paths():
            condition |= Q(court__path__startswith=path)
            # Ancestors of one's own court: their city-wide campaigns cover this court.
            parts = [p for p in path.strip("/").split("/") if p]
            ancestors = ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts))]
            if ancestors:
                condition |= Q(court__path__in=ancestors, covers_subordinates=True)
            condition |= Q(court__path=path)
        return self.filter(condition)

    def running(self):
        return self.filter(is_template=False)


class PhaseTaskQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The tasks of the campaigns the user may see (``CampaignQuerySet.visible_to``), as a subquery."""
        return self.filter(phase__campaign__in=Campaign.objects.visible_to(user))


class Campaign(models.Model):
    name = models.CharField(_("名称"), max_length=120)
    year = models.PositiveIntegerField(_("年度"))
    court = models.ForeignKey(
        Court,
        verbose_name=_("牵头法院"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaigns",
        help_text=_("模板不属于任何法院。"),
    )
    covers_subordinates = models.BooleanField(
        _("覆盖下级法院"), default=True, help_text=_("全市法院：包括牵头法院下属的各基层法院。")
    )
    is_template = models.BooleanField(_("模板"), default=False)
    builtin_key = models.CharField(_("内置标识"), max_length=40, blank=True, editable=False)
    source = models.ForeignKey(
        "self", verbose_name=_("复制自"), null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("工作方案")
        verbose_name_plural = _("工作方案")
        ordering = ["is_template", "-year", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["builtin_key"], condition=~Q(builtin_key=""), name="campaign_unique_builtin_key"
            ),
            models.CheckConstraint(
                condition=Q(is_template=True) | Q(court__isnull=False), name="campaign_court_unless_template"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if not self.is_template and not self.court_id:
            raise ValidationError({"court": _("请选择牵头法院。")})
        self.name = (self.name or "").strip()
        if not self.name:
            raise ValidationError({"name": _("工作方案名称不能为空。")})

    @property
    def start(self):
        phases = list(self.phases.all())
        return min((p.start for p in phases), default=None)

    @property
    def end(self):
        phases = list(self.phases.all())
        return max((p.end for p in phases), default=None)

    def courts(self):
        """The courts the campaign covers."""
        if self.court_id is None:
            return Court.objects.none()
        if self.covers_subordinates:
            return Court.objects.filter(path__startswith=self.court.path)
        return Court.objects.filter(pk=self.court_id)


class PhaseState(models.TextChoices):
    PENDING = "pending", _("未开始")
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结束")


class Phase(models.Model):
    campaign = models.ForeignKey(Campaign, verbose_name=_("工作方案"), on_delete=models.CASCADE, related_name="phases")
    number = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("名称"), max_length=60)
    summary = models.TextField(_("工作内容"), blank=True, max_length=4000)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    state = models.CharField(_("状态"), max_length=10, choices=PhaseState.choices, default=PhaseState.PENDING)

    class Meta:
        verbose_name = _("阶段")
        verbose_name_plural = _("阶段")
        ordering = ["campaign", "number"]
        constraints = [models.UniqueConstraint(fields=["campaign", "number"], name="phase_unique_number")]

    def __str__(self):
        return _("第%(n)s阶段：%(name)s") % {"n": self.number, "name": self.name}

    def clean(self):
        if self.start and self.end and self.end < self.start:
            raise ValidationError(
                {
                    "end": _("阶段“%(name)s”的结束日期（%(end)s）早于开始日期（%(start)s）。")
                    % {"name": self.name, "end": self.end, "start": self.start}
                }
            )

    def contains(self, day):
        return self.start <= day <= self.end

    @property
    def has_started(self) -> bool:
        """Today (Asia/Shanghai) is on or after the phase's first day."""
        return self.start <= local_today()

    @property
    def has_ended(self) -> bool:
        return self.end < local_today()


class Unit(models.TextChoices):
    """Whose work a task measures: each person, each division, or each court."""

    PERSON = "person", _("每名干警")
    DIVISION = "division", _("每个庭室")
    COURT = "court", _("每个法院")


UNIT_OF_ROLE = {Role.STAFF: Unit.PERSON, Role.DIVISION_HEAD: Unit.DIVISION, Role.OFFICE: Unit.COURT}
TASK_ROLES = [(r.value, r.label) for r in (Role.STAFF, Role.DIVISION_HEAD, Role.OFFICE)]

MAX_REMINDER_DAYS = 60
reminder_days_validator = RegexValidator(
    r"^\s*\d{1,3}(\s*,\s*\d{1,3})*\s*$", _("提醒天数请填写用逗号分隔的整数，例如“7,1”。")
)


# A phase's state follows its dates (services.advance_phases, the schedule's task: no person takes these
# steps, so none names a policy rule); a moved schedule may take a phase back.
PHASE_MACHINE = transitions.register(
    Phase,
    transitions.Machine(
        field="state",
        steps=[
            transitions.Step(
                "open", {PhaseState.PENDING, PhaseState.CLOSED}, PhaseState.OPEN, audit="workflow.phase_state"
            ),
            transitions.Step(
                "close", {PhaseState.PENDING, PhaseState.OPEN}, PhaseState.CLOSED, audit="workflow.phase_state"
            ),
            transitions.Step(
                "reset", {PhaseState.OPEN, PhaseState.CLOSED}, PhaseState.PENDING, audit="workflow.phase_state"
            ),
        ],
    ),
)
PHASE_STEP_TO = {PhaseState.OPEN: "open", PhaseState.CLOSED: "close", PhaseState.PENDING: "reset"}


class PhaseTask(models.Model):
    phase = models.ForeignKey(Phase, verbose_name=_("阶段"), on_delete=models.CASCADE, related_name="tasks")
    code = models.SlugField(_("代码"), max_length=40, help_text=_("复制工作方案时保持不变"))
    title = models.CharField(_("任务"), max_length=120)
    description = models.TextField(_("要求"), blank=True, max_length=4000)
    deadline = models.DateField(_("截止日期"))
    responsible_role = models.CharField(_("责任人"), max_length=20, choices=TASK_ROLES, default=Role.DIVISION_HEAD)
    measure_key = models.CharField(
        _("系统统计"), max_length=40, blank=True, help_text=_("留空表示由领导小组办公室登记完成情况")
    )
    reminder_days = models.CharField(
        _("提前提醒天数"), max_length=40, default="7,1", validators=[reminder_days_validator]
    )
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    objects = PhaseTaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("阶段任务")
        verbose_name_plural = _("阶段任务")
        ordering = ["phase__number", "deadline", "sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["phase", "code"], name="phasetask_unique_code")]

    def __str__(self):
        return self.title

    @property
    def unit(self):
        return UNIT_OF_ROLE.get(self.responsible_role, Unit.COURT)

    @property
    def is_measured(self):
        return bool(self.measure_key)

    @property
    def overdue(self) -> bool:
        """The deadline has passed (the end of that day in Asia/Shanghai)."""
        return deadline_passed(self.deadline)

    def reminder_day_list(self) -> list[int]:
        try:
            return sorted({int(x) for x in self.reminder_days.split(",") if x.strip()}, reverse=True)
        except ValueError:
            return [7, 1]

    def clean(self):
        if self.phase_id and self.deadline and not self.phase.contains(self.deadline):
            raise ValidationError(
                {
                    "deadline": _("任务“%(task)s”的截止日期 %(deadline)s 不在“%(phase)s”（%(start)s 至 %(end)s）之内。")
                    % {
                        "task": self.title,
                        "deadline": self.deadline,
                        "phase": self.phase.name,
                        "start": self.phase.start,
                        "end": self.phase.end,
                    }
                }
            )
        if self.reminder_days and reminder_days_validator.regex.match(self.reminder_days):
            days = [int(x) for x in self.reminder_days.split(",") if x.strip()]
            if any(d < 0 or d > MAX_REMINDER_DAYS for d in days):
                raise ValidationError(
                    {"reminder_days": _("提前提醒天数须在 0 到 %(max)s 天之间。") % {"max": MAX_REMINDER_DAYS}}
                )
        if self.measure_key:
            from .task_metrics import TASK_METRICS

            if self.measure_key not in TASK_METRICS:
                raise ValidationError({"measure_key": _("未知的系统统计方式“%(key)s”。") % {"key": self.measure_key}})


class CompletionQuerySet(ScopedQuerySet):
    scope = Scope(court="court", division="division", owner="person__user")


def attachment_path(instance, filename):
    return f"workflow/completions/{instance.task_id}/{filename}"


class PhaseTaskCompletion(models.Model):
    """The office's record that a unit (a person, a division or a court) has done a task, with a note
    and an attachment (minutes, study records). A task counted by a task metric needs no such record."""

    task = models.ForeignKey(PhaseTask, verbose_name=_("任务"), on_delete=models.CASCADE, related_name="completions")
    court = models.ForeignKey(Court, verbose_name=_("法院"), on_delete=models.PROTECT, related_name="+")
    division = models.ForeignKey(
        Division, verbose_name=_("庭室"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=pgettext_lazy("单个", "人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("说明"), max_length=2000)
    attachment = models.FileField(_("附件"), upload_to=attachment_path, blank=True, max_length=300)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT)
    done_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = CompletionQuerySet.as_manager()

    class Meta:
        verbose_name = _("完成登记")
        verbose_name_plural = _("完成登记")
        ordering = ["-done_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "person"], condition=Q(person__isnull=False), name="completion_unique_person"
            ),
            models.UniqueConstraint(
                fields=["task", "division"],
                condition=Q(person__isnull=True, division__isnull=False),
                name="completion_unique_division",
            ),
            models.UniqueConstraint(
                fields=["task", "court"],
                condition=Q(person__isnull=True, division__isnull=True),
                name="completion_unique_court",
            ),
        ]

    def __str__(self):
        return f"{self.task} · {self.person or self.division or self.court}"
