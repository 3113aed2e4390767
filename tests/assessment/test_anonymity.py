"""Answers are anonymous: no row, log line or audit entry links an answer to a person or a token.

Checked two ways: the schema of every model of the project (nothing can point from an answer to a person,
a token or a time, and nothing can point at an answer), and what one answer actually writes (one response
and its answers; the token's ``used`` flag; no audit entry, notification, history row or log line)."""

import logging
import uuid

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, models

from hkcourt.org.models import AuditEntry
from workflow.assessment import services
from workflow.assessment.models import Answer, Invitation, Response

from .conftest import sheet

pytestmark = pytest.mark.django_db

PERSON_MODELS = {"auth.user", "org.person", "assessment.invitation", "notifications.notification"}
ANSWER_MODELS = (Response, Answer)


def _label(model):
    return model._meta.label_lower


def test_no_field_of_an_answer_leads_to_a_person_a_token_or_a_time():
    assert _label(apps.get_model(settings.AUTH_USER_MODEL)) == "auth.user"
    for model in ANSWER_MODELS:
        for f in model._meta.get_fields():
            if f.is_relation and f.related_model is not None:
                assert _label(f.related_model) not in PERSON_MODELS, (
                    f"{_label(model)}.{f.name} → {_label(f.related_model)}"
                )
            assert not isinstance(f, (models.DateTimeField, models.DateField, models.TimeField)), (
                f"{_label(model)}.{f.name}: a time could be matched with the token's or the log's"
            )
        # No sequential key: the order of rows says nothing about the order of answers.
        assert isinstance(model._meta.pk, models.UUIDField), _label(model)
        assert not hasattr(model, "history"), f"{_label(model)} must not keep a history (who changed it, when)"


def test_following_foreign_keys_from_an_answer_never_reaches_a_person():
    """From a response or an answer, every chain of foreign keys (each step to exactly one row) inside this
    app reaches the questionnaire, its items and choices, and leaves the app only for org structure and the
    office's own records (campaign, rectification) — never a person, a token or an inbox. The one person
    reachable is the questionnaire's author."""
    allowed_people_edges = {("assessment.questionnaire", "created_by")}
    seen, frontier, reached = set(), list(ANSWER_MODELS), set()
    while frontier:
        model = frontier.pop()
        if model in seen:
            continue
        seen.add(model)
        for f in model._meta.get_fields():
            if not (f.many_to_one or f.one_to_one) or not f.concrete or f.related_model is None:
                continue
            edge = (_label(model), f.name)
            target = f.related_model
            if edge in allowed_people_edges:
                continue
            reached.add(_label(target))
            if target._meta.app_label == "assessment":
                frontier.append(target)
    assert not reached & PERSON_MODELS, reached & PERSON_MODELS
    assert reached == {
        "assessment.questionnaire",
        "assessment.item",
        "assessment.choice",
        "assessment.response",
        "org.court",
        "org.division",
        "workflow.campaign",
        "oversight.rectification",
    }


def test_nothing_in_the_project_points_at_an_answer_and_the_token_points_at_no_answer():
    for model in apps.get_models():
        for f in model._meta.get_fields():
            if not f.concrete or not f.is_relation or f.related_model is None:
                continue
            if f.related_model in ANSWER_MODELS:
                assert (model, f.name) in {(Answer, "response")}, f"{_label(model)}.{f.name} points at an answer"
    fields = {f.name: f for f in Invitation._meta.get_fields() if f.concrete}
    assert set(fields) == {"id", "questionnaire", "recipient", "token", "court", "division", "used"}
    assert not any(isinstance(f, (models.DateTimeField, models.DateField)) for f in fields.values())


def _counts():
    return {_label(m): m._default_manager.count() for m in apps.get_models() if m._meta.managed}


def test_answering_writes_only_the_answer_and_the_used_flag(survey, demo_user, token_of, client, caplog):
    staff = demo_user("staff_demo")
    token = token_of(staff)
    client.force_login(staff)  # answering while signed in must not record who is signed in
    before = _counts()
    audit_before = AuditEntry.objects.count()
    answers = {f"item_{k}": v for k, v in sheet(survey, text="评估机构选定要公开").items()}
    with caplog.at_level(logging.DEBUG):
        response = client.post(f"/surveys/t/{token}/", answers)
    assert response.status_code == 302
    after = _counts()
    changed = {k: after[k] - before[k] for k in after if after[k] != before[k]}
    assert changed == {"assessment.response": 1, "assessment.answer": 4}
    assert AuditEntry.objects.count() == audit_before
    for entry in AuditEntry.objects.all():
        assert token not in str(entry.data) and token not in entry.reason
    invitation = Invitation.objects.get(token=token)
    assert invitation.used
    assert invitation.recipient == staff
    resp = Response.objects.get(questionnaire=survey)
    assert {f.attname: getattr(resp, f.attname) for f in Response._meta.concrete_fields}.keys() == {
        "id",
        "questionnaire_id",
        "channel",
        "court_id",
        "division_id",
    }
    assert isinstance(resp.pk, uuid.UUID)
    for record in caplog.records:
        text = record.getMessage()
        assert token not in text and "评估机构选定要公开" not in text and staff.username not in text, text


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row versions (xmin) are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_the_tokens_row_version_does_not_pair_it_with_the_response(demo_org):
    """PostgreSQL stamps a row with the transaction that wrote it (xmin). Each answer rewrites every used
    token of its questionnaire, so after two answers the first response's stamp matches no token."""
    from hkcourt.org.models import Court, Division

    from .conftest import build

    office = demo_org.objects.get(username="office_demo")
    hgzy = Court.objects.get(code="hgzy")
    q = build(office, hgzy)
    services.send_to_staff(
        actor=office, questionnaire=q, divisions=[Division.objects.get(court=hgzy, name="民事审判庭")]
    )
    first, second = Invitation.objects.filter(questionnaire=q).order_by("pk")[:2]
    services.answer_with_token(token=first.token, answers=sheet(q, rating=1))
    with connection.cursor() as cursor:
        cursor.execute("SELECT xmin::text FROM assessment_response")
        (first_stamp,) = cursor.fetchone()
    services.answer_with_token(token=second.token, answers=sheet(q, rating=5))
    with connection.cursor() as cursor:
        cursor.execute("SELECT xmin::text FROM assessment_invitation WHERE used")
        token_stamps = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT xmin::text FROM assessment_response")
        response_stamps = {row[0] for row in cursor.fetchall()}
    assert first_stamp not in token_stamps
    assert len(token_stamps) == 1  # both tokens carry the last answer's stamp: one of the two, nothing more
    assert len(response_stamps) == 2
