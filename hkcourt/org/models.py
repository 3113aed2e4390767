"""The organisation every other app stands on: courts, divisions, posts, people, roles, the audit log."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .roles import RANKED_ROLES, GroupRank, Role, rank_title
from .scoping import Scope, ScopedQuerySet


class CourtLevel(models.TextChoices):
    HIGH = "high", _("高级人民法院")
    INTERMEDIATE = "intermediate", _("中级人民法院")
    BASIC = "basic", _("基层人民法院")


class CourtQuerySet(ScopedQuerySet):
    scope = Scope(court="", division=None, owner=None, organisation=True)


class Court(models.Model):
    """A unit (单位): the intermediate court and the basic courts under it, later a province's tree."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    code = models.SlugField(
        _("代码"), max_length=32, unique=True, help_text=_("用于公示网址 /public/<代码>/，只含字母、数字、连字符")
    )
    level = models.CharField(_("级别"), max_length=16, choices=CourtLevel.choices, default=CourtLevel.BASIC)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级法院"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(_("层级路径"), max_length=500, editable=False, db_index=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    objects = CourtQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("法院")
        verbose_name_plural = _("法院")
        ordering = ["path", "sort_order", "name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        old_path = self.path
        self.path = self.compute_path()
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            for child in Court.objects.filter(parent=self):
                child.save()

    def clean(self):
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": _("上级法院不能是本院或其下级法院。")})
            ancestor = ancestor.parent

    def compute_path(self):
        return f"{self.parent.path if self.parent_id else '/'}{self.code}/"


class DivisionKind(models.TextChoices):
    TRIAL = "trial", _("审判")
    ENFORCEMENT = "enforcement", _("执行")
    ADMINISTRATION = "administration", _("综合行政")


class DivisionQuerySet(ScopedQuerySet):
    scope = Scope(court="court", division=None, owner=None, organisation=True)


class Division(models.Model):
    """A tribunal, bureau or office inside a court (庭室)."""

    court = models.ForeignKey(Court, verbose_name=_("法院"), on_delete=models.PROTECT, related_name="divisions")
    name = models.CharField(_("名称"), max_length=60)
    kind = models.CharField(_("类别"), max_length=16, choices=DivisionKind.choices, default=DivisionKind.TRIAL)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    objects = DivisionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("庭室")
        verbose_name_plural = _("庭室")
        ordering = ["court__path", "sort_order", "name"]
        constraints = [models.UniqueConstraint(fields=["court", "name"], name="division_unique_name_per_court")]

    def __str__(self):
        return f"{self.court.short_name or self.court.name}·{self.name}"


class PostQuerySet(ScopedQuerySet):
    scope = Scope(court="division__court", division=None, owner=None, organisation=True)


class Post(models.Model):
    """A position (岗位) in a division, held by people."""

    division = models.ForeignKey(Division, verbose_name=_("庭室"), on_delete=models.PROTECT, related_name="posts")
    name = models.CharField(_("名称"), max_length=60)
    is_key_post = models.BooleanField(_("重点岗位"), default=False)
    duties = models.TextField(_("岗位职责"), blank=True, max_length=4000)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    objects = PostQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        ordering = ["division__sort_order", "sort_order", "name"]
        constraints = [models.UniqueConstraint(fields=["division", "name"], name="post_unique_name_per_division")]

    def __str__(self):
        return f"{self.division.name}·{self.name}"


class PersonQuerySet(ScopedQuerySet):
    scope = Scope(court="court", division="division", owner="user")


class Person(models.Model):
    """A court staff member: the profile on Django's user that places them in the organisation."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="person"
    )
    full_name = models.CharField(_("姓名"), max_length=40)
    court = models.ForeignKey(Court, verbose_name=_("法院"), on_delete=models.PROTECT, related_name="people")
    division = models.ForeignKey(
        Division, verbose_name=_("庭室"), null=True, blank=True, on_delete=models.PROTECT, related_name="people"
    )
    post = models.ForeignKey(
        Post, verbose_name=_("岗位"), null=True, blank=True, on_delete=models.PROTECT, related_name="people"
    )
    title = models.CharField(_("职务"), max_length=40, blank=True)

    objects = PersonQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["court__path", "division__sort_order", "full_name"]

    def __str__(self):
        return self.full_name

    def clean(self):
        errors = {}
        if self.division_id and self.court_id and self.division.court_id != self.court_id:
            errors["division"] = _("庭室“%(division)s”不属于%(court)s。") % {
                "division": self.division.name,
                "court": self.court.name,
            }
        if self.post_id and self.post.division_id != self.division_id:
            errors["post"] = _("岗位“%(post)s”不属于所选庭室。") % {"post": self.post.name}
        if errors:
            raise ValidationError(errors)


ROLES_NEEDING_DIVISION = (Role.DIVISION_HEAD, Role.DEPUTY_LEADER)


class RoleAssignmentQuerySet(ScopedQuerySet):
    scope = Scope(court="court", division="division", owner="user")


class RoleAssignment(models.Model):
    """One role a person holds in one court. A division head names the division they head; a deputy
    leader holds one assignment per division they oversee (分管庭室)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    court = models.ForeignKey(Court, verbose_name=_("法院"), on_delete=models.CASCADE, related_name="role_assignments")
    division = models.ForeignKey(
        Division,
        verbose_name=_("庭室"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        help_text=_("庭室负责人：所负责的庭室；分管院领导：所分管的庭室（每个庭室一条）。"),
    )
    rank = models.CharField(
        _("职务"),
        max_length=8,
        choices=GroupRank.choices,
        blank=True,
        help_text=_("领导小组：组长、副组长、成员；领导小组办公室：主任、副主任、成员。其他角色不填。"),
    )

    objects = RoleAssignmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("角色分配")
        verbose_name_plural = _("角色分配")
        ordering = ["court__path", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "court", "division"], name="role_unique_with_division"),
            models.UniqueConstraint(
                fields=["user", "role", "court"],
                condition=Q(division__isnull=True),
                name="role_unique_without_division",
            ),
            models.CheckConstraint(
                condition=Q(division__isnull=False) | ~Q(role__in=[r.value for r in ROLES_NEEDING_DIVISION]),
                name="role_division_required_for_heads_and_deputies",
            ),
            models.CheckConstraint(
                condition=Q(rank="") | Q(role__in=sorted(r.value for r in RANKED_ROLES)),
                name="role_rank_only_for_leading_group_and_office",
            ),
        ]

    def __str__(self):
        where = self.division.name if self.division_id else self.court.name
        return f"{self.title}（{where}）"

    @property
    def title(self) -> str:
        """The role as a page or a letter names it: "领导小组组长", "领导小组办公室主任", else the role's label."""
        return rank_title(self.role, self.rank) or str(self.get_role_display())

    @property
    def rank_label(self) -> str:
        """The rank alone: "组长", "副主任", "" for a role without one."""
        return rank_title(self.role, self.rank, full=False)

    def clean(self):
        if self.rank and self.role not in RANKED_ROLES:
            raise ValidationError({"rank": _("只有领导小组成员和领导小组办公室的角色有职务（组长、主任等）。")})
        if self.role in ROLES_NEEDING_DIVISION and not self.division_id:
            raise ValidationError({"division": _("庭室负责人和分管院领导必须指定庭室。")})
        if self.division_id and self.court_id and self.division.court_id != self.court_id:
            raise ValidationError({"division": _("所选庭室不属于该法院。")})


class AuditEntryQuerySet(ScopedQuerySet):
    scope = Scope(court="court", division=None, owner="actor", roles=frozenset({Role.OFFICE, Role.ADMIN}))


class AuditEntry(models.Model):
    """An explicit audit log entry, written by every service function and by every sensitive read: who did
    what, to what, from which address, why. Append-only: a PostgreSQL trigger (migration 0002) refuses any
    UPDATE or DELETE of a row, and the foreign keys PROTECT, so deleting an account, a court or a content type
    that the log names is refused instead of rewriting the log."""

    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.PROTECT
    )
    action = models.CharField(_("操作"), max_length=60, db_index=True)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    court = models.ForeignKey(Court, verbose_name=_("法院"), null=True, blank=True, on_delete=models.PROTECT)
    ip = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    data = models.JSONField(_("详情"), default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("操作日志")
        verbose_name_plural = _("操作日志")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="audit_target_idx")]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


class StateChange(models.Model):
    """One state change of a workflow object other than a risk point (a measure, a letter, a warning, a
    handling, a rectification, a campaign phase), written by :func:`hkcourt.org.transitions.apply`: which
    object, from and to which state (values), the step's audit action code, who, when, the person's reason.
    Codes, not sentences: the page renders the states' and the action's labels in the reader's language.
    Risk points keep their own table (``risks.Transition``)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    from_state = models.CharField(_("原状态"), max_length=20, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20)
    action = models.CharField(_("操作"), max_length=60)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    reason = models.TextField(_("理由"), blank=True)

    class Meta:
        verbose_name = _("状态变更记录")
        verbose_name_plural = _("状态变更记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"], name="state_change_object_idx")]

    def __str__(self):
        return f"{self.action}: {self.from_state} → {self.to_state}"

    @property
    def action_label(self) -> str:
        from .audit import label

        return label(self.action)
