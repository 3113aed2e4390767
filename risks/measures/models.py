"""Prevention measures (防控措施) on risk points, the court rules register (制度汇编), evidence files and
the responsible leader's acknowledgement. State changes happen only in :mod:`risks.measures.services`."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hkcourt.org import transitions
from hkcourt.org.files import stored_path
from hkcourt.org.models import Court, Division
from hkcourt.org.scoping import Scope, ScopedQuerySet

from ..models import TEXT_LIMIT, Power, RiskPoint

__all__ = [
    "MeasureKind",
    "MeasureCategory",
    "MeasureStatus",
    "CourtRule",
    "Measure",
    "MeasureAttachment",
]


class MeasureKind(models.TextChoices):
    POST = "post", _("岗位定措施")
    DIVISION = "division", _("部门定流程")
    COURT = "court", _("单位定制度")


class MeasureCategory(models.TextChoices):
    EDUCATION = "education", _("教育")
    INSTITUTION = "institution", _("制度")
    SUPERVISION = "supervision", _("监督")
    MANAGEMENT = "management", _("管理")  # 制度+管理+科技 (plan, phase three)
    TECHNOLOGY = "technology", _("科技")


class MeasureStatus(models.TextChoices):
    PROPOSED = "proposed", _("待审批")  # a staff member's proposal for their own post (岗位定措施)
    REJECTED = "rejected", _("未采纳")
    PLANNED = "planned", _("计划中")
    IN_PLACE = "in_place", _("已落实")
    CHECKED = "checked", _("已检查")


def rule_file_path(instance, filename):
    return stored_path(f"rules/{instance.court_id}", filename)


class CourtRuleQuerySet(ScopedQuerySet):
    # The rules register is organisation data: everyone reads the rules of the courts they belong to.
    scope = Scope(court="court", division=None, owner=None, organisation=True)


class CourtRule(models.Model):
    """A court rule (单位定制度): one rule serves many risk points and powers."""

    court = models.ForeignKey(Court, verbose_name=_("法院"), on_delete=models.PROTECT, related_name="court_rules")
    title = models.CharField(_("制度名称"), max_length=120)
    number = models.CharField(_("文号"), max_length=60, blank=True)
    issued_on = models.DateField(_("印发日期"))
    text = models.TextField(_("制度内容"), max_length=TEXT_LIMIT * 10, blank=True)
    file = models.FileField(_("制度文件"), upload_to=rule_file_path, blank=True, max_length=300)
    file_name = models.CharField(_("文件名"), max_length=120, blank=True)
    risk_points = models.ManyToManyField(
        RiskPoint, verbose_name=_("覆盖风险点"), blank=True, related_name="court_rules"
    )
    powers = models.ManyToManyField(Power, verbose_name=_("覆盖职权"), blank=True, related_name="court_rules")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = CourtRuleQuerySet.as_manager()

    class Meta:
        db_table = "risks_courtrule"  # the table it had under the "risks" label
        verbose_name = _("单位制度")
        verbose_name_plural = _("制度汇编")
        ordering = ["court__path", "-issued_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["court", "title"], name="court_rule_unique_title")]

    def __str__(self):
        return f"{self.title}{f'（{self.number}）' if self.number else ''}"


class MeasureQuerySet(ScopedQuerySet):
    # Like risk points: the owner, the division's head and deputy, the court's president, the office.
    scope = Scope(court="court", division="division", owner="owner")

    def for_list(self):
        return self.select_related(
            "court", "division", "risk_point", "risk_point__responsible_leader__person", "owner__person", "rule"
        )


class Measure(models.Model):
    """One prevention measure on a risk point: 岗位定措施 / 部门定流程 / 单位定制度."""

    # Declared by MEASURE_MACHINE (below the class).
    TRANSITIONS: dict = {}

    risk_point = models.ForeignKey(
        RiskPoint, verbose_name=_("风险点"), on_delete=models.PROTECT, related_name="measures"
    )
    court = models.ForeignKey(Court, verbose_name=_("法院"), on_delete=models.PROTECT, related_name="+")
    division = models.ForeignKey(
        Division, verbose_name=_("庭室"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=MeasureKind.choices)
    category = models.CharField(pgettext_lazy("防控措施", "类别"), max_length=12, choices=MeasureCategory.choices)
    title = models.CharField(_("措施"), max_length=120)
    description = models.TextField(_("具体内容"), max_length=TEXT_LIMIT)
    rule = models.ForeignKey(
        CourtRule, verbose_name=_("依据制度"), null=True, blank=True, on_delete=models.PROTECT, related_name="measures"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("落实责任人"), on_delete=models.PROTECT, related_name="measures"
    )
    deadline = models.DateField(_("完成期限"), db_index=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=MeasureStatus.choices, default=MeasureStatus.PLANNED, db_index=True
    )
    in_place_at = models.DateTimeField(_("落实时间"), null=True, blank=True)
    in_place_note = models.TextField(_("落实情况"), max_length=TEXT_LIMIT, blank=True)
    checked_at = models.DateTimeField(_("检查时间"), null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("检查人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    check_note = models.TextField(_("检查意见"), max_length=TEXT_LIMIT, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任领导确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("责任领导确认时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("制定人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("制定时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = MeasureQuerySet.as_manager()

    class Meta:
        db_table = "risks_measure"  # the table it had under the "risks" label
        verbose_name = _("防控措施")
        verbose_name_plural = _("防控措施")
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["court", "status"], name="measure_court_status_idx")]

    def __str__(self):
        return self.title

    @property
    def code(self):
        return f"CS{self.pk:05d}" if self.pk else ""

    def can_move_to(self, status) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())

    def overdue_days(self, today) -> int:
        if self.status != MeasureStatus.PLANNED or self.deadline >= today:
            return 0
        return (today - self.deadline).days


def evidence_path(instance, filename):
    return stored_path(f"measures/{instance.measure_id}", filename)


# Every move of a measure, declared once: the services take them through transitions.apply.
MEASURE_MACHINE = transitions.register(
    Measure,
    transitions.Machine(
        field="status",
        steps=[
            transitions.Step(
                "approve",
                {MeasureStatus.PROPOSED},
                MeasureStatus.PLANNED,
                action="measures.approve",
                audit="measures.approve",
            ),
            transitions.Step(
                "reject",
                {MeasureStatus.PROPOSED},
                MeasureStatus.REJECTED,
                action="measures.reject",
                audit="measures.reject",
            ),
            transitions.Step(
                "put_in_place",
                {MeasureStatus.PLANNED},
                MeasureStatus.IN_PLACE,
                action="measures.put_in_place",
                audit="measures.in_place",
                stamp="in_place_at",
            ),
            transitions.Step(
                "check",
                {MeasureStatus.IN_PLACE},
                MeasureStatus.CHECKED,
                action="measures.check",
                audit="measures.check",
                stamp="checked_at",
                stamp_by="checked_by",
            ),
        ],
    ),
)
Measure.TRANSITIONS = MEASURE_MACHINE.graph()


class MeasureAttachment(models.Model):
    """Evidence that a measure is in place (minutes, rules, screenshots); read through its measure."""

    measure = models.ForeignKey(
        Measure, verbose_name=_("防控措施"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("文件"), upload_to=evidence_path, max_length=300)
    name = models.CharField(_("文件名"), max_length=120)
    size = models.PositiveIntegerField(_("大小"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        db_table = "risks_measureattachment"  # the table it had under the "risks" label
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.name
