"""Reads of commitment letters, always starting from ``visible_to(user)`` — except verification, which is public
by design and answers only whether a letter is genuine, who signed it, when, and whether it was superseded."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q

from hkcourt.org import policy
from hkcourt.org.models import Court, Division, Person

from .models import CommitmentLetter, Kind, LetterBundle, LetterDocument, LetterState, LetterTemplate
from .services import normalise_code

MAX_UPLOAD = 20 * 1024 * 1024


def letters_for(user):
    return CommitmentLetter.objects.visible_to(user)


def letter_list(user, *, template=None, state="", kind="", mine=False):
    qs = letters_for(user).for_list()
    if template is not None:
        qs = qs.filter(template=template)
    if state == "superseded":
        qs = qs.filter(superseded_at__isnull=False)
    elif state in LetterState.values:
        qs = qs.filter(state=state, superseded_at__isnull=True)
    if kind in Kind.values:
        qs = qs.filter(kind=kind)
    if mine:
        qs = qs.filter(signer=user)
    return qs.order_by("court__path", "division__sort_order", "kind", "signer__person__full_name", "-version")


def _office_courts(user) -> list[int]:
    """The courts whose office this person is (the predicate asked of each court they may see: a handful)."""
    return [c.pk for c in Court.objects.visible_to(user).only("pk", "path") if policy.is_office_of(user, c)]


def to_countersign(user):
    """Letters waiting for this user's countersignature: the rows where the ``countersign`` rule allows (named
    countersigner, or the office for the court; never the signer; signed, current)."""
    qs = letters_for(user).current().filter(state=LetterState.SIGNED).exclude(signer=user)
    condition = Q(countersigner=user)
    office_courts = _office_courts(user)
    if office_courts:
        condition |= Q(countersigner__isnull=True, court_id__in=office_courts)
    return qs.filter(condition).for_list()


def to_archive(user):
    """Countersigned current letters this user may file: the rows where the ``archive`` rule allows (the office)."""
    return letters_for(user).current().filter(state=LetterState.COUNTERSIGNED, court_id__in=_office_courts(user))


def letter_detail(user, pk):
    """One letter the user may see (else 404), with what its page shows."""
    return policy.get_visible_or_404(
        CommitmentLetter.objects.for_list().select_related("supersedes", "countersigned_by__person"), user, pk=pk
    )


def documents_of(letter):
    return list(LetterDocument.objects.filter(letter=letter).order_by("created_at", "id"))


def latest_document(letter):
    return LetterDocument.objects.filter(letter=letter).order_by("-created_at", "-id").first()


def versions_of(letter):
    """Every version of the letter's chain, oldest first."""
    first = letter
    seen = {first.pk}
    while first.supersedes_id and first.supersedes_id not in seen:
        first = CommitmentLetter.objects.get(pk=first.supersedes_id)
        seen.add(first.pk)
    chain = [first]
    while len(chain) < 100:
        nxt = CommitmentLetter.objects.filter(supersedes=chain[-1]).first()
        if nxt is None:
            break
        chain.append(nxt)
    return chain


def templates_for(user):
    return LetterTemplate.objects.visible_to(user).select_related("court")


def current_template(user):
    """The newest template of the user's own court, else the newest they can see."""
    qs = templates_for(user)
    person = Person.objects.filter(user=user).select_related("court").first()
    if person is not None:
        own = qs.filter(court=person.court).order_by("-year").first()
        if own is not None:
            return own
    return qs.order_by("-year").first()


def manageable_courts(user, action="commitments.manage_templates"):
    """Courts for which ``action`` allows the user (letter templates, signing layers): their office/admin courts
    and the courts below; a handful of rows, asked one by one."""
    courts = Court.objects.visible_to(user)
    return courts.filter(pk__in=[c.pk for c in courts if policy.can(user, action, c)])


def signing_chain(court) -> list:
    """The court's layers as they resolve today: (layer label, supervisor label). Organisation data: no scope."""
    from .services import layer_summary

    return layer_summary(court)


def template_detail(user, pk):
    """One template the user may see (else 404)."""
    return policy.get_visible_or_404(LetterTemplate.objects.select_related("court"), user, pk=pk)


# ---------------------------------------------------------------- progress


@dataclass
class DivisionProgress:
    division: Division | None
    total: int
    counts: Counter
    letters: list

    @property
    def signed(self):
        return self.total - self.counts.get(LetterState.DRAFTED, 0)

    @property
    def percent(self):
        return int(100 * self.signed / self.total) if self.total else 0


def progress(user, template):
    """Per division (as far as the user may see): each current letter and its state."""
    rows = (
        letters_for(user)
        .current()
        .filter(template=template)
        .for_list()
        .select_related("division__court")  # the bundle rule asks about the division's court
        .order_by("division__sort_order", "kind", "signer__person__full_name")
    )
    groups = defaultdict(list)
    for letter in rows:
        groups[letter.division_id].append(letter)
    result = []
    for _division_id, letters in groups.items():
        counts = Counter(letter.state for letter in letters)
        result.append(DivisionProgress(letters[0].division, len(letters), counts, letters))
    result.sort(key=lambda p: (p.division is None, p.division.sort_order if p.division else 0))
    return result


def signing_counts(template) -> dict:
    """Counts of the template's current letters by state, for the campaign's signing task (not scoped: the
    caller is the campaign machinery, which decides what to show to whom)."""
    rows = (
        CommitmentLetter.objects.filter(template=template)
        .current()
        .values_list("state")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = dict.fromkeys(LetterState.values, 0)
    counts.update(dict(rows))
    counts["total"] = sum(counts[s] for s in LetterState.values)
    counts["unsigned"] = counts[LetterState.DRAFTED]
    return counts


def bundles_for(user):
    return LetterBundle.objects.visible_to(user).select_related("division", "template")


# ---------------------------------------------------------------- verification (public)


@dataclass
class Verdict:
    genuine: bool
    letter: CommitmentLetter | None = None
    document: LetterDocument | None = None
    newer: CommitmentLetter | None = None
    message: str = ""

    @property
    def signer_name(self):
        return self.letter.body.get("signer_name", "") if self.letter else ""

    @property
    def countersigner_name(self):
        if self.letter and self.letter.countersigned_by_id:
            person = Person.objects.filter(user_id=self.letter.countersigned_by_id).first()
            return person.full_name if person else ""
        return ""


def _verdict(letter, document=None):
    newer = CommitmentLetter.objects.filter(supersedes=letter).first() if letter.is_superseded else None
    return Verdict(genuine=True, letter=letter, document=document, newer=newer)


def verify_code(code: str) -> Verdict:
    from django.utils.translation import gettext as _

    normal = normalise_code(code)
    if not normal:
        return Verdict(False, message=_("验证码格式不正确：应为16位字母和数字，如 ABCD-EFGH-JKMN-PQRS。"))
    letter = (
        CommitmentLetter.objects.filter(verification_code=normal, signed_at__isnull=False)
        .select_related("court", "division")
        .first()
    )
    if letter is None:
        return Verdict(False, message=_("没有与该验证码对应的已签订承诺书。"))
    return _verdict(letter, LetterDocument.objects.filter(letter=letter).order_by("-created_at").first())


def verify_upload(upload) -> Verdict:
    """Hash the uploaded bytes and look the hash up among the stored editions. The file is never parsed."""
    from django.utils.translation import gettext as _

    if upload is None:
        return Verdict(False, message=_("请选择要验证的PDF文件。"))
    if upload.size > MAX_UPLOAD or getattr(upload, "too_large", False):
        return Verdict(False, message=_("文件过大（超过20MB），不是本系统生成的承诺书。"))
    sha256 = getattr(upload, "sha256", "")  # hashed while it arrived (commitments.uploads)
    if not sha256:
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        sha256 = digest.hexdigest()
    document = LetterDocument.objects.filter(sha256=sha256).select_related("letter__court", "letter__division").first()
    if document is None:
        return Verdict(
            False,
            message=_("未找到与该文件完全一致的已签订承诺书：文件可能被修改过，或不是本系统生成的。"),
        )
    return _verdict(document.letter, document)
