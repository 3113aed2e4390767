"""Who may do what with commitment letters: one rule per action, asked by the services (which enforce it), the
pages and the templates (which only ask). Visibility is ``visible_to``'s (out of scope is 404 before any rule).

Layering (层层签订) is not decided here: generation names each letter's supervisor (``services._Layers``, from the
court's ``SigningLayers``); the rules only check that the person acting is that supervisor, or the office when it
records an external supervisor's signature (监督人签字 / 审核确认; ``countersign`` in code).
The re-entered password is input, checked by the signing services after these rules.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from hkcourt.org.models import Court, Division
from hkcourt.org.policy import (
    ALLOW,
    Policy,
    deny,
    heads,
    holds,
    is_campaign_admin_of,
    is_office_of,
    is_oversight_of,
    not_now,
    oversees,
    presides,
)
from hkcourt.org.roles import CAMPAIGN_ADMIN_ROLES, MANAGER_ROLES

from .models import BundleState, CommitmentLetter, LetterBundle, LetterState, LetterTemplate

policy = Policy("commitments")


def _office_only():
    return deny(_("只有领导小组办公室可以办理此事项。"))


def _superseded(letter):
    """A corrected letter is kept on record and takes no further action; the newer version does."""
    try:
        version = letter.superseded_by.version
    except CommitmentLetter.DoesNotExist:
        version = letter.version + 1
    return not_now(_("该承诺书已被第%(version)s版更正，不能再办理；请办理最新版本。") % {"version": version})


# ---------------------------------------------------------------- templates and generation


@policy.rule("manage_templates")
def _manage_templates(user, target=None):
    """Create, edit and preview letter templates: the office or the administrator of the template's court or a
    court above it. ``target``: a template, a court, or nothing (may the person manage any court's templates)."""
    if target is None:
        allowed = holds(user, *CAMPAIGN_ADMIN_ROLES)
    else:
        court = target.court if isinstance(target, LetterTemplate) else target
        allowed = isinstance(court, Court) and is_campaign_admin_of(user, court)
    return ALLOW if allowed else _office_only()


@policy.rule("manage_layers")
def _manage_layers(user, court=None):
    """Who supervises each layer's letters in a court (签订层级): the office or administrator of the court or above;
    without a court: of any court."""
    if court is None:
        allowed = holds(user, *CAMPAIGN_ADMIN_ROLES)
    else:
        allowed = isinstance(court, Court) and is_campaign_admin_of(user, court)
    return ALLOW if allowed else _office_only()


@policy.rule("generate", model=LetterTemplate)
def _generate(user, template):
    """Generate (or refresh) a template's letters for its court: the office of the court or above."""
    return ALLOW if is_office_of(user, template.court) else _office_only()


# ---------------------------------------------------------------- one letter


@policy.rule("download_pdf", model=CommitmentLetter)
def _download_pdf(user, letter):
    """Everyone who may see the letter may read its PDF (the stored edition; a drafted letter's 样稿)."""
    return ALLOW


@policy.rule("supplement", model=CommitmentLetter)
def _supplement(user, letter):
    """The signer adds their own commitments (个人补充承诺) while the letter is drafted."""
    if letter.signer_id != user.pk:
        return deny(_("只能修改本人的承诺书。"))
    if letter.is_superseded:
        return _superseded(letter)
    if letter.is_frozen:
        return not_now(_("承诺书已签订，内容不能再修改；如需更正，请联系领导小组办公室生成新版本。"))
    return ALLOW


@policy.rule("sign", model=CommitmentLetter)
def _sign(user, letter):
    """Only the signer, only a drafted letter: nobody signs on another's behalf."""
    if letter.signer_id != user.pk:
        return deny(_("只能由承诺人本人签订，任何人不能代他人签订。"))
    if letter.is_superseded:
        return _superseded(letter)
    if letter.state != LetterState.DRAFTED:
        if letter.signed_at:
            when = f"{timezone.localtime(letter.signed_at):%Y-%m-%d %H:%M}"
            return not_now(_("该承诺书已于%(when)s签订，不能重复签订。") % {"when": when})
        return not_now(_("该承诺书当前状态为“%(state)s”，不能签订。") % {"state": letter.get_state_display()})
    return ALLOW


@policy.rule("countersign", model=CommitmentLetter)
def _countersign(user, letter):
    """The supervisor's signature (监督人签字 / 审核确认; ``countersign`` in code): the supervisor named at generation
    (the layer above, ``services._Layers``), or — for a letter whose supervisor is external (the 纪检组 signs on
    paper) — the office, which records it; never the signer; only once the signer has signed."""
    if letter.signer_id == user.pk:
        return deny(_("不能作为监督人在本人的承诺书上签字。"))
    if letter.countersigner_id:
        if letter.countersigner_id != user.pk:
            from .services import person_name

            return deny(
                _("该承诺书的监督人是%(name)s，不能代他人签字。") % {"name": person_name(letter.countersigner_id)}
            )
    elif not is_office_of(user, letter.court):
        return deny(_("该承诺书的监督人是外部监督人，其签字由领导小组办公室录入。"))
    if letter.is_superseded:
        return _superseded(letter)
    if letter.state != LetterState.SIGNED:
        if letter.state == LetterState.DRAFTED:
            return not_now(_("承诺人尚未签订，监督人不能签字。"))
        return not_now(_("监督人已签字，不能重复签字。"))
    return ALLOW


@policy.rule("archive", model=CommitmentLetter)
def _archive(user, letter):
    """The office files a countersigned letter."""
    if not is_office_of(user, letter.court):
        return _office_only()
    if letter.is_superseded:
        return _superseded(letter)
    if letter.state != LetterState.COUNTERSIGNED:
        return not_now(
            _("只有监督人已签字的承诺书可以归档（当前：%(state)s）。") % {"state": letter.get_state_display()}
        )
    return ALLOW


@policy.rule("supersede", model=CommitmentLetter)
def _supersede(user, letter):
    """The office corrects a signed letter by generating a new version (the old one stays on record)."""
    if not is_office_of(user, letter.court):
        return _office_only()
    if letter.is_superseded:
        return _superseded(letter)
    if letter.state == LetterState.DRAFTED:
        return not_now(_("尚未签订的承诺书无需更正：重新生成即可更新内容。"))
    return ALLOW


# ---------------------------------------------------------------- progress and bundles


@policy.rule("view_progress")
def _view_progress(user, _nothing=None):
    """The signing progress page: whoever leads something (division heads, court leaders, the leading group and
    its office); what it lists is still only what the person may see."""
    return holds(user, *MANAGER_ROLES)


@policy.rule("download_bundle")
def _download_bundle(user, division):
    """A zip of a division's signed letters: its head, the deputy leader in charge of it, its court's president,
    the leading group and its office (of its court or above)."""
    if isinstance(division, Division) and (
        heads(user, division.pk)
        or oversees(user, division.pk)
        or presides(user, division.court_id)
        or is_oversight_of(user, division.court)
    ):
        return ALLOW
    return deny(_("您无权下载该庭室的承诺书。"))


@policy.rule("download_zip", model=LetterBundle)
def _download_zip(user, bundle):
    """A finished bundle, fetched by whoever may still download that division's letters (bundles are visible
    only to their requester)."""
    if not _download_bundle(user, bundle.division):
        return deny(_("您无权下载该庭室的承诺书。"))
    if bundle.state != BundleState.DONE or not bundle.file:
        return not_now(_("打包尚未完成。"))
    return ALLOW
