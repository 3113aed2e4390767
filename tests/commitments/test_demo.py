"""The demo seed: this year's letters with a realistic mix, staff_demo's unsigned; idempotent."""

import pytest

from commitments.models import CommitmentLetter, LetterState

pytestmark = pytest.mark.django_db


def test_demo_letters_mix_and_idempotence(demo_org):
    from commitments.demo import seed
    from risks.demo import seed as seed_risks

    seed_risks(log=lambda *_: None)
    seed(log=lambda *_: None)
    letters = CommitmentLetter.objects.all()
    states = set(letters.values_list("state", flat=True))
    assert states == {LetterState.DRAFTED, LetterState.SIGNED, LetterState.COUNTERSIGNED, LetterState.ARCHIVED}
    assert letters.filter(superseded_at__isnull=False).count() == 1  # one corrected letter, with its v2
    staff = letters.get(signer__username="staff_demo", superseded_at__isnull=True)
    assert staff.state == LetterState.DRAFTED and staff.body["risks"] and staff.draft_note
    assert {r["id"] for r in staff.body["risks"]}.isdisjoint(n["id"] for n in staff.draft_note)
    assert letters.filter(countersigner__username="head_demo", state=LetterState.SIGNED).count() == 2
    signed_ids = set(letters.exclude(state=LetterState.DRAFTED).values_list("pk", "verification_code"))
    count = letters.count()
    seed(log=lambda *_: None)
    assert CommitmentLetter.objects.count() == count
    assert set(letters.exclude(state=LetterState.DRAFTED).values_list("pk", "verification_code")) == signed_ids
