"""Manual indicator scores: the office scores one indicator of one unit by hand (reason, evidence file),
versioned; the manual score replaces the formula's in the ranking and the export; bad input writes nothing."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils.module_loading import import_string

from hkcourt.org.models import AuditEntry, Court, Division
from hkcourt.org.policy import Refusal
from workflow.assessment import selectors, services
from workflow.assessment.models import ManualScore
from workflow.models import Campaign


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            for dotted in settings.DEMO_SEEDERS:
                if dotted.startswith(("hkcourt.org.", "commitments.")):
                    continue
                import_string(dotted)(log=lambda *_: None)
            yield Campaign.objects.get(builtin_key="demo-current")
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def campaign(world, db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return world


def _user(name):
    return get_user_model().objects.get(username=name)


@pytest.fixture
def civil():
    return Division.objects.get(court__code="hgzy", name="民事审判庭")


def _cell(user, campaign, civil, key="petitions"):
    row = next(r for r in selectors.scores(user, campaign)["divisions"] if r.unit.pk == civil.pk)
    return row, next(c for c in row.cells if c.definition.key == key)


def test_a_manual_score_replaces_the_formula_and_is_versioned(campaign, civil):
    office = _user("office_demo")
    _row, before = _cell(office, campaign, civil)
    assert before.manual is None
    evidence = SimpleUploadedFile("信访查实情况.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
    first = services.set_manual_score(
        actor=office,
        campaign=campaign,
        key="petitions",
        court=civil.court,
        division=civil,
        score="62.5",
        reason="两件信访举报经查属实。",
        upload=evidence,
    )
    assert first.version == 1 and first.evidence_name == "信访查实情况.pdf"
    assert first.evidence.name.startswith(f"assessment/evidence/{campaign.pk}/")
    row, cell = _cell(office, campaign, civil)
    assert cell.score == Decimal("62.5") and cell.manual == first and cell.formula_score == before.score
    second = services.set_manual_score(
        actor=office, campaign=campaign, key="petitions", court=civil.court, division=civil, score=70, reason="复核"
    )
    assert second.version == 2 and ManualScore.objects.filter(campaign=campaign).count() == 2
    assert _cell(office, campaign, civil)[1].score == Decimal("70.0")
    # Withdrawn: the formula counts again, the history stays.
    services.set_manual_score(
        actor=office, campaign=campaign, key="petitions", court=civil.court, division=civil, score=None, reason="撤销"
    )
    assert _cell(office, campaign, civil)[1].score == before.score
    assert ManualScore.objects.filter(campaign=campaign).count() == 3
    assert AuditEntry.objects.filter(action="assessment.manual_score").count() == 3


@pytest.mark.parametrize(
    "change, field",
    [
        ({"score": "101"}, "score"),
        ({"score": "-1"}, "score"),
        ({"score": "abc"}, "score"),
        ({"reason": ""}, "reason"),
        ({"reason": "长" * 100_000}, "reason"),
        ({"key": "nonsense"}, "key"),
        ({"upload": SimpleUploadedFile("x.exe", b"MZ")}, "evidence"),
        ({"score": None}, "score"),  # nothing to withdraw
    ],
)
def test_bad_input_writes_nothing(campaign, civil, change, field):
    args = {
        "actor": _user("office_demo"),
        "campaign": campaign,
        "key": "cases",
        "court": civil.court,
        "division": civil,
        "score": "80",
        "reason": "理由",
    }
    args.update(change)
    before = (ManualScore.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationError) as exc:
        services.set_manual_score(**args)
    assert field in exc.value.message_dict
    assert (ManualScore.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.parametrize("username", ["staff_demo", "head_demo", "deputy_demo", "president_demo", "leader_demo"])
def test_only_the_office_scores_by_hand(campaign, civil, username, client):
    with pytest.raises(Refusal):
        services.set_manual_score(
            actor=_user(username), campaign=campaign, key="cases", court=civil.court, score=1, reason="越权"
        )
    client.force_login(_user(username))
    assert client.get(reverse("workflow:assessment_manual", args=[campaign.pk])).status_code == 403


def test_the_page_the_ranking_and_the_export_show_it(campaign, civil, client):
    office = _user("office_demo")
    client.force_login(office)
    url = reverse("workflow:assessment_manual", args=[campaign.pk])
    assert client.get(url).status_code == 200
    r = client.post(url, {"unit": f"d{civil.pk}", "key": "cases", "score": "150", "reason": "x"})
    assert r.status_code == 400 and not ManualScore.objects.exists()
    far = Court.objects.get(code="xiangyang")
    r = client.post(
        url,
        {
            "unit": f"c{far.pk}",
            "key": "cases",
            "score": "55",
            "reason": "发生违纪案件一件。",
            "evidence": SimpleUploadedFile("通报.pdf", b"%PDF-1.4 x", content_type="application/pdf"),
        },
    )
    assert r.status_code == 302
    m = ManualScore.objects.get()
    page = client.get(reverse("workflow:assessment") + f"?campaign={campaign.pk}").content.decode()
    assert "发生违纪案件一件。" in page
    download = client.get(reverse("workflow:assessment_evidence", args=[m.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 x"
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("workflow:assessment_export") + f"?campaign={campaign.pk}").content)
    )
    notes = [[c.value for c in row] for row in book["说明"].iter_rows()]
    assert ["向阳区" in str(r[0]) and r[2] == 55.0 for r in notes if r and r[0]].count(True) == 1
    # Another basic court's president may not download evidence about 向阳区 (row out of reach: 404).
    client.force_login(_user("nanshan_president"))
    assert client.get(reverse("workflow:assessment_evidence", args=[m.pk])).status_code == 404
    client.force_login(_user("staff_demo"))
    assert client.get(reverse("workflow:assessment_evidence", args=[m.pk])).status_code == 404
