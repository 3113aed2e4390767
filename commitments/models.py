"""Commitment letters (廉政风险防范承诺书): the yearly template, the letters generated from it, the PDF editions
stored when a letter is signed and countersigned, and the zip bundles of a division's signed letters.

State changes happen only in :mod:`commitments.services`. A letter round is keyed by court and year
(:class:`LetterTemplate`); the campaign of the ``workflow`` app sits above this app and may point at a
template, never the reverse (``campaign_id`` is a plain number for that reason, not a foreign key).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hkcourt.org import transitions
from hkcourt.org.models import Court, Division, Post
from hkcourt.org.scoping import Scope, ScopedQuerySet
from risks.models import campaign_label

TEXT_LIMIT = 4000


class Kind(models.TextChoices):
    PERSONAL = "personal", _("个人")
    DIVISION = "division", _("庭室")
    COURT = "court", _("单位")


class LetterState(models.TextChoices):
    DRAFTED = "drafted", _("待签订")
    SIGNED = "signed", _("已签订")
    COUNTERSIGNED = "countersigned", _("监督人已签字")  # the code name stays; the act is 监督人签字 / 审核确认
    ARCHIVED = "archived", _("已归档")


class Edition(models.TextChoices):
    SIGNED = "signed", _("签订本")
    COUNTERSIGNED = "countersigned", _("监督人签字本")


class PdfStatus(models.TextChoices):
    """The stored PDF editions of a signed letter, rendered by a Celery task after the signature commits."""

    NONE = "", _("无")
    PENDING = "pending", _("生成中")
    DONE = "done", _("已生成")
    FAILED = "failed", _("生成失败")


class Supervisor(models.TextChoices):
    """Who signs a letter as its supervisor (监督人签字 / 审核确认), layer by layer (层层签订)."""

    DIVISION_HEAD = "division_head", _("庭室负责人")
    DEPUTY_LEADER = "deputy_leader", _("分管院领导")
    PRESIDENT = "president", _("院长")
    PARENT_COURT = "parent_court", _("上级法院院长")
    EXTERNAL = "external", _("外部监督人（纪检组）")


#: Each layer's possible supervisors, upward; the first is the default (the court letter's depends on the court).
LAYER_CHOICES = {
    "staff": (Supervisor.DIVISION_HEAD, Supervisor.DEPUTY_LEADER, Supervisor.PRESIDENT),
    "head": (Supervisor.DEPUTY_LEADER, Supervisor.PRESIDENT),
    "leader": (Supervisor.PRESIDENT, Supervisor.PARENT_COURT, Supervisor.EXTERNAL),
    "court_letter": (Supervisor.PARENT_COURT, Supervisor.EXTERNAL),
}


#: Layers whose default is simply their first choice (the form names it in the empty choice).
PLAIN_DEFAULT_LAYERS = frozenset({"staff", "head"})


def _layer_field(layer, label, help_text):
    choices = [(c.value, c.label) for c in LAYER_CHOICES[layer]]
    return models.CharField(label, max_length=20, choices=choices, blank=True, help_text=help_text)


class SigningLayersQuerySet(ScopedQuerySet):
    scope = Scope(court="court", division=None, owner=None, organisation=True)


class SigningLayers(models.Model):
    """Who supervises each layer's letters in one court (层层签订), set by the office. Empty: the default —
    staff → division head → deputy leader in charge → president; the court letter (and the president's own) →
    the court above's president for a basic court, a named external signatory (the discipline inspection group,
    纪检组) for the intermediate court. A layer whose supervisor is missing goes one layer up."""

    court = models.OneToOneField(Court, verbose_name=_("法院"), on_delete=models.CASCADE, related_name="+")
    staff = _layer_field("staff", _("干警个人承诺书的监督人"), _("默认：庭室负责人。"))
    head = _layer_field("head", _("庭室负责人及庭室承诺书的监督人"), _("默认：分管院领导。"))
    leader = _layer_field("leader", _("院领导个人承诺书的监督人"), _("分管院领导、党组成员等；默认：院长。"))
    court_letter = _layer_field(
        "court_letter",
        _("单位承诺书和院长个人承诺书的监督人"),
        _("默认：基层法院为上级法院院长；中级法院为外部监督人（纪检组）。"),
    )
    external_body = models.CharField(
        _("外部监督单位"), max_length=60, blank=True, help_text=_("如：市纪委派驻市中级人民法院纪检组。")
    )
    external_name = models.CharField(_("外部监督人姓名"), max_length=40, blank=True)
    external_title = models.CharField(_("外部监督人职务"), max_length=40, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    objects = SigningLayersQuerySet.as_manager()

    class Meta:
        verbose_name = _("签订层级")
        verbose_name_plural = _("签订层级")

    def __str__(self):
        return str(self.court)

    @classmethod
    def of(cls, court) -> "SigningLayers":
        """The court's settings, or the defaults (unsaved) when the office has set none."""
        return cls.objects.filter(court=court).first() or cls(court=court)

    def supervisor_of(self, layer) -> str:
        """The layer's first choice: the stored one, else the default."""
        chosen = getattr(self, layer)
        if chosen:
            return chosen
        if layer == "court_letter":
            return Supervisor.PARENT_COURT if self.court.parent_id else Supervisor.EXTERNAL
        return LAYER_CHOICES[layer][0]

    @property
    def external_label(self) -> str:
        """How a letter names the external supervisor: the body (纪检组), else the generic name."""
        return self.external_body or str(Supervisor.EXTERNAL.label)

    @property
    def external_signatory(self) -> str:
        """The signatory as the office records them by default: 姓名（职务）."""
        if not self.external_name:
            return ""
        return f"{self.external_name}（{self.external_title}）" if self.external_title else self.external_name


class LetterTemplateQuerySet(ScopedQuerySet):
    # The fixed text is organisation data: everyone sees the templates of the courts they belong to.
    scope = Scope(court="court", division=None, owner=None, organisation=True)


class LetterTemplate(models.Model):
    """The fixed text of one year's letters in one court (承诺书模板), edited by the office.

    The texts use a placeholder language and nothing else: ``{姓名}``, ``{单位}`` …, ``{风险点清单}`` marks
    where the signer's risk points are listed; ``{{`` and ``}}`` are literal braces. No code runs."""

    court = models.ForeignKey(Court, verbose_name=_("法院"), on_delete=models.PROTECT, related_name="letter_templates")
    year = models.PositiveIntegerField(
        _("年度"),
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text=_("工作年度的起始年份：每年9月启动、次年8月结束（2012—2013年度填2012）。"),
    )
    year_label = models.CharField(
        _("年度名称"),
        max_length=40,
        blank=True,
        help_text=_("承诺书和各页面上显示的年度，如“2012—2013年度”；不填则按起始年份生成。"),
    )
    title = models.CharField(_("名称"), max_length=100)
    campaign_id = models.PositiveIntegerField(_("所属工作方案编号"), null=True, blank=True, editable=False)
    personal_text = models.TextField(_("个人承诺书正文"), max_length=TEXT_LIMIT)
    division_text = models.TextField(_("庭室承诺书正文"), max_length=TEXT_LIMIT)
    court_text = models.TextField(_("单位承诺书正文"), max_length=TEXT_LIMIT)
    sign_deadline = models.DateField(_("签订截止日期"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    objects = LetterTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("承诺书模板")
        verbose_name_plural = _("承诺书模板")
        ordering = ["-year", "court__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["court", "year"],
                name="letter_template_one_per_year",
                violation_error_message=_("本院该年度的承诺书模板已存在，请直接修改它。"),
            )
        ]

    def __str__(self):
        return self.title

    @property
    def label(self) -> str:
        """The campaign year as documents name it (“2012—2013年度”): the stored label, else from the year."""
        return self.year_label or (campaign_label(self.year) if self.year else "")

    def text_for(self, kind) -> str:
        return {Kind.PERSONAL: self.personal_text, Kind.DIVISION: self.division_text, Kind.COURT: self.court_text}[kind]


class LetterQuerySet(ScopedQuerySet):
    # Own letters; a head: the division's; a deputy: the overseen divisions'; president and office: the court's.
    scope = Scope(court="court", division="division", owner="signer")

    def visible_to(self, user):
        """The org chart's reach, and the letters a person supervises wherever they are: the court above's
        president supervises a basic court's court letter (层层签订)."""
        qs = super().visible_to(user)
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active or user.is_superuser:
            return qs
        return qs | self.filter(countersigner=user)

    def current(self):
        return self.filter(superseded_at__isnull=True)

    def for_list(self):
        return self.select_related("court", "division", "signer__person", "countersigner__person", "template")


class CommitmentLetter(models.Model):
    """One letter: personal (个人), division (庭室) or court (单位), signed layer by layer: the signer signs, then
    the supervisor named at generation signs (监督人签字 / 审核确认; in code: ``countersign``). An external
    supervisor (the 纪检组) signs on paper; the office records the name (``external_signatory``).

    ``body`` is the letter's text and its risk points as taken from the registry when it was generated;
    it may be refreshed while the letter is drafted and is frozen once signed. A correction is a new
    version (``supersedes``); both stay on record."""

    # Declared by LETTER_MACHINE (below the class).
    TRANSITIONS: dict = {}

    template = models.ForeignKey(
        LetterTemplate, verbose_name=_("承诺书模板"), on_delete=models.PROTECT, related_name="letters"
    )
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    court = models.ForeignKey(Court, verbose_name=_("法院"), on_delete=models.PROTECT, related_name="+")
    division = models.ForeignKey(
        Division, verbose_name=_("庭室"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    post = models.ForeignKey(
        Post, verbose_name=_("岗位"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("承诺人"), on_delete=models.PROTECT, related_name="commitment_letters"
    )
    countersigner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("监督人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="letters_to_countersign",
        help_text=_("空：外部监督人，其签字由领导小组办公室录入。"),
    )
    countersigner_role = models.CharField(_("监督人身份"), max_length=20, choices=Supervisor.choices)
    external_signatory = models.CharField(
        _("外部监督人签字"),
        max_length=100,
        blank=True,
        help_text=_("外部监督人（如纪检组）的姓名和职务，由领导小组办公室按其书面签字录入。"),
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("更正的原版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    superseded_at = models.DateTimeField(_("被更正时间"), null=True, blank=True)
    correction_reason = models.TextField(_("更正理由"), max_length=TEXT_LIMIT, blank=True)
    state = models.CharField(
        _("状态"), max_length=16, choices=LetterState.choices, default=LetterState.DRAFTED, db_index=True
    )
    body = models.JSONField(_("正文"), default=dict)
    supplement = models.TextField(_("个人补充承诺"), max_length=TEXT_LIMIT, blank=True)
    draft_note = models.JSONField(
        _("待确认风险点提示"),
        default=list,
        blank=True,
        help_text=_("已评定等级、尚待集体确定的风险点，只提示承诺人，不列入承诺书；确定后重新生成即列入。"),
    )
    generated_at = models.DateTimeField(_("生成时间"))
    signed_at = models.DateTimeField(_("签订时间"), null=True, blank=True)
    countersigned_at = models.DateTimeField(_("监督人签字时间"), null=True, blank=True)
    countersigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("监督人签字（录入）人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("归档人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verification_code = models.CharField(_("验证码"), max_length=24, unique=True, null=True, blank=True)
    pdf_status = models.CharField(_("PDF状态"), max_length=10, choices=PdfStatus.choices, blank=True, default="")
    pdf_error = models.CharField(_("PDF生成错误"), max_length=300, blank=True)

    objects = LetterQuerySet.as_manager()

    class Meta:
        verbose_name = _("承诺书")
        verbose_name_plural = _("承诺书")
        ordering = ["court__path", "kind", "division__sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "kind", "signer"],
                condition=Q(superseded_at__isnull=True) & ~Q(kind="division"),
                name="letter_one_current_per_signer",
            ),
            models.UniqueConstraint(
                fields=["template", "division"],
                condition=Q(superseded_at__isnull=True, kind="division"),
                name="letter_one_current_per_division",
            ),
        ]
        indexes = [models.Index(fields=["template", "state"], name="letter_template_state_idx")]

    FROZEN_FIELDS = ("body", "supplement", "kind", "signer_id", "template_id", "version")

    def __str__(self):
        return f"{self.body.get('title', '')}（{self.body.get('signer_name', '')}，{_('第%d版') % self.version}）"

    def save(self, *args, **kwargs):
        """A last line behind the services: the text of a signed letter never changes, whoever saves it."""
        update_fields = kwargs.get("update_fields")
        touches = update_fields is None or {"body", "supplement", "kind", "signer", "template", "version"} & set(
            update_fields
        )
        if self.pk and touches:
            stored = CommitmentLetter.objects.filter(pk=self.pk).values("state", *self.FROZEN_FIELDS).first()
            if (
                stored
                and stored["state"] != LetterState.DRAFTED
                and any(stored[name] != getattr(self, name) for name in self.FROZEN_FIELDS)
            ):
                raise ValidationError(_("承诺书已签订，内容不能再修改；如需更正，请生成新版本。"))
        super().save(*args, **kwargs)

    @property
    def title(self):
        return self.body.get("title", "")

    @property
    def is_superseded(self) -> bool:
        return self.superseded_at is not None

    @property
    def is_frozen(self) -> bool:
        return self.state != LetterState.DRAFTED

    def can_move_to(self, state) -> bool:
        return state in self.TRANSITIONS.get(self.state, set())


# Every move of a letter, declared once: the services take them through transitions.apply. Superseding is
# not a move: the old letter keeps its state and a new version is drafted (``superseded_at``).
LETTER_MACHINE = transitions.register(
    CommitmentLetter,
    transitions.Machine(
        field="state",
        steps=[
            transitions.Step(
                "sign",
                {LetterState.DRAFTED},
                LetterState.SIGNED,
                action="commitments.sign",
                audit="commitments.sign",
                stamp="signed_at",
            ),
            transitions.Step(
                "countersign",
                {LetterState.SIGNED},
                LetterState.COUNTERSIGNED,
                action="commitments.countersign",
                audit="commitments.countersign",
                stamp="countersigned_at",
                stamp_by="countersigned_by",
            ),
            transitions.Step(
                "archive",
                {LetterState.COUNTERSIGNED},
                LetterState.ARCHIVED,
                action="commitments.archive",
                audit="commitments.archive",
                stamp="archived_at",
                stamp_by="archived_by",
            ),
        ],
    ),
)
CommitmentLetter.TRANSITIONS = LETTER_MACHINE.graph()


class LetterDocumentQuerySet(ScopedQuerySet):
    scope = Scope(court="letter__court", division="letter__division", owner="letter__signer")


def document_path(instance, filename):
    return f"letters/{instance.letter.court.code}/{instance.letter.template.year}/{filename}"


class LetterDocument(models.Model):
    """A PDF edition of a signed letter, rendered once when it was signed or countersigned. The bytes are
    never rendered again: verification re-hashes these stored bytes."""

    letter = models.ForeignKey(
        CommitmentLetter, verbose_name=_("承诺书"), on_delete=models.PROTECT, related_name="documents"
    )
    edition = models.CharField(_("版本"), max_length=16, choices=Edition.choices)
    file = models.FileField(_("文件"), upload_to=document_path, max_length=300)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveIntegerField(_("字节数"))
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    objects = LetterDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("承诺书文件")
        verbose_name_plural = _("承诺书文件")
        ordering = ["letter", "created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["letter", "edition"], name="letter_document_one_per_edition")]

    def __str__(self):
        return f"{self.letter} · {self.get_edition_display()}"


class BundleState(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("打包中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class LetterBundleQuerySet(ScopedQuerySet):
    scope = Scope(court="court", division=None, owner="requested_by", owner_sees_own=True, roles=frozenset())


class LetterBundle(models.Model):
    """A zip of a division's signed letters, built by a Celery task; only its requester may fetch it."""

    template = models.ForeignKey(
        LetterTemplate, verbose_name=_("承诺书模板"), on_delete=models.CASCADE, related_name="+"
    )
    court = models.ForeignKey(Court, verbose_name=_("法院"), on_delete=models.CASCADE, related_name="+")
    division = models.ForeignKey(Division, verbose_name=_("庭室"), on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.CASCADE, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    state = models.CharField(_("状态"), max_length=10, choices=BundleState.choices, default=BundleState.PENDING)
    total = models.PositiveIntegerField(_("文件总数"), default=0)
    done = models.PositiveIntegerField(_("已完成"), default=0)
    file = models.FileField(_("文件"), upload_to="bundles/", max_length=300, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    error = models.CharField(_("错误"), max_length=300, blank=True)

    objects = LetterBundleQuerySet.as_manager()

    class Meta:
        verbose_name = _("承诺书打包下载")
        verbose_name_plural = _("承诺书打包下载")
        ordering = ["-requested_at", "-id"]

    def __str__(self):
        return f"{self.division} {self.requested_at:%Y-%m-%d %H:%M}"

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else (100 if self.state == BundleState.DONE else 0)
