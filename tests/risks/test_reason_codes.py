"""The reasons the system gives a risk point's moves and versions ("collective decision of …", "in publicity
until …", "new", …) are kept as text codes and read in the reader's language, whatever language the actor was
using (issue 10 item 5); a person's reason is shown as typed. Rows written before are mapped back to codes by
risks 0015."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from risks import services
from risks.models import RiskPoint, State, Transition

from .factories import RiskPointFactory

pytestmark = pytest.mark.django_db

risks_0015 = importlib.import_module("risks.migrations.0015_transition_reason_codes")


def _page(client, rp, language=None):
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    else:
        client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    response = client.get(reverse("risks:detail", args=[rp.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _sections(page):
    """The transitions' section and the versions' section of the page."""
    start, versions = page.index("hk-timeline"), page.index('id="versions"')
    return page[start:versions], page[versions:]


def test_reasons_written_in_english_read_in_the_readers_language(client, login_as, demo_user, civil_power, later):
    staff, office = demo_user("staff_demo"), demo_user("office_demo")
    rp = RiskPointFactory(owner=staff, power=civil_power, state=State.GRADED, grade="high")
    day = timezone.localdate() - datetime.timedelta(days=1)
    with translation.override("en"):  # the office works in English
        services.confirm(actor=office, risk_points=[rp], date=day, participants="全体", minutes="会议确定")
        services.publish(actor=office, risk_points=[rp], publicity_ends=later)
        services.retire(actor=office, risk_point=RiskPoint.objects.get(pk=rp.pk), reason="重复登记")

    confirmed, published, retired = Transition.objects.filter(risk_point=rp).order_by("id")
    # no sentence in the database: the code and the parameters; a person's reason as typed
    assert (confirmed.reason, confirmed.reason_code, confirmed.reason_params) == (
        "",
        "risks.reason.decision",
        {"date": day.isoformat()},
    )
    assert (published.reason, published.reason_code) == ("", "risks.reason.publicity")
    assert (retired.reason, retired.reason_code, retired.reason_params) == ("重复登记", "", None)
    reasons = list(
        RiskPoint.history.filter(id=rp.pk)
        .order_by("history_date", "history_id")
        .values_list("history_change_reason", flat=True)
    )
    assert reasons[1:] == [  # the first: the factory's save
        f"risks.reason.decision?date={day.isoformat()}",
        f"risks.reason.publicity?date={later.isoformat()}",
        "重复登记",
    ]

    login_as("office_demo")
    moves, versions = _sections(_page(client, rp))
    assert f"{day.isoformat()}集体决定" in moves and f"公示至{later.isoformat()}" in moves and "重复登记" in moves
    assert f"{day.isoformat()}集体决定" in versions
    assert "Collective decision" not in moves + versions and "publicity until" not in moves + versions
    moves, versions = _sections(_page(client, rp, "en"))
    assert f"Collective decision of {day.isoformat()}" in moves and f"In publicity until {later.isoformat()}" in moves
    assert "重复登记" in moves  # typed by a person: not translated
    assert f"Collective decision of {day.isoformat()}" in versions
    assert "集体决定" not in moves + versions


def test_the_state_and_a_new_point_read_in_the_readers_language(client, login_as, demo_user, civil_power):
    staff = demo_user("staff_demo")
    with translation.override("en"):
        rp = services.create_risk_point(
            actor=staff, level="post", description="违规会见当事人", manifestations="私下会见", power=civil_power
        )
        services.submit(actor=staff, risk_point=rp)
    assert list(
        RiskPoint.history.filter(id=rp.pk)
        .order_by("history_date", "history_id")
        .values_list("history_change_reason", flat=True)
    ) == ["risks.version.created", "risks.version.state?state=submitted"]
    login_as("staff_demo")
    _moves, versions = _sections(_page(client, rp))
    assert "：新建" in versions and "：待审核" in versions
    _moves, versions = _sections(_page(client, rp, "en"))
    assert ": New" in versions or "：New" in versions
    assert "Submitted" in versions and "新建" not in versions


def test_the_migration_maps_stored_sentences_to_codes_and_back(demo_user, civil_power):
    staff = demo_user("staff_demo")
    rp = RiskPointFactory(owner=staff, power=civil_power, state=State.PUBLISHED, grade="high")

    def move(to, reason):
        return Transition.objects.create(risk_point=rp, actor=staff, from_state="", to_state=to, reason=reason)

    zh_decision = move(State.CONFIRMED, "2013-02-15集体决定")
    en_decision = move(State.CONFIRMED, "Collective decision of 2013-02-15")
    publicity = move(State.PUBLISHED, "In publicity until 2013-03-01")
    measure = move(State.CONTROLLED, "防控措施CS-001“建立“双人”审查制度”已落实。")
    en_measure = move(State.CONTROLLED, 'Prevention measure CS-002 "Two reviewers" is in place.')
    in_place = move(State.CONTROLLED, "公示时已有落实的防控措施")
    imported = move(State.SUBMITTED, "Bulk import")
    typed = move(State.RETURNED, "批量导入")  # a person's reason on a return: not the system's
    typed_confirm = move(State.CONFIRMED, "党组会集体决定")  # no date: as typed
    model = RiskPoint.history.model
    services.create_risk_point(
        actor=staff, level="post", description="违规会见当事人", manifestations="私下会见", power=civil_power
    )
    version = model.objects.order_by("-history_id").first()

    def version_reason(stored):
        model.objects.filter(pk=version.pk).update(history_change_reason=stored)
        with connection.schema_editor() as editor:
            risks_0015.to_codes(apps, editor)
        return model.objects.get(pk=version.pk).history_change_reason

    assert version_reason("新建") == "risks.version.created"
    assert version_reason("Edit") == "risks.version.changed"
    assert version_reason("In publicity") == "risks.version.state?state=published"
    assert version_reason("2013-02-15集体决定") == "risks.reason.decision?date=2013-02-15"
    assert version_reason("Responsible leader named again") == "risks.version.leader"
    assert version_reason("请补充表现形式") == "请补充表现形式"

    rows = (zh_decision, en_decision, publicity, measure, en_measure, in_place, imported, typed, typed_confirm)
    for row in rows:
        row.refresh_from_db()
    assert [(r.reason_code, r.reason_params, r.reason) for r in rows] == [
        ("risks.reason.decision", {"date": "2013-02-15"}, ""),
        ("risks.reason.decision", {"date": "2013-02-15"}, ""),
        ("risks.reason.publicity", {"date": "2013-03-01"}, ""),
        ("risks.reason.measure_in_place", {"code": "CS-001", "title": "建立“双人”审查制度"}, ""),
        ("risks.reason.measure_in_place", {"code": "CS-002", "title": "Two reviewers"}, ""),
        ("risks.reason.in_place_at_publication", None, ""),
        ("risks.reason.import", None, ""),
        ("", None, "批量导入"),
        ("", None, "党组会集体决定"),
    ]
    with translation.override("en"):
        assert en_measure.reason_text == 'Prevention measure CS-002 "Two reviewers" is in place.'
    assert zh_decision.reason_text == "2013-02-15集体决定"

    version_reason("Collective decision of 2013-02-15")
    with connection.schema_editor() as editor:
        risks_0015.to_sentences(apps, editor)
    for row in rows:
        row.refresh_from_db()
    assert [r.reason for r in rows] == [
        "2013-02-15集体决定",
        "2013-02-15集体决定",
        "公示至2013-03-01",
        "防控措施CS-001“建立“双人”审查制度”已落实。",
        "防控措施CS-002“Two reviewers”已落实。",
        "公示时已有落实的防控措施",
        "批量导入",
        "批量导入",
        "党组会集体决定",
    ]
    assert model.objects.get(pk=version.pk).history_change_reason == "2013-02-15集体决定"


def test_the_admin_shows_the_reason_rendered(admin_client, demo_user, civil_power):
    staff, office = demo_user("staff_demo"), demo_user("office_demo")
    rp = RiskPointFactory(owner=staff, power=civil_power, state=State.GRADED, grade="high")
    day = timezone.localdate() - datetime.timedelta(days=1)
    with translation.override("en"):
        services.confirm(actor=office, risk_points=[rp], date=day, participants="全体", minutes="会议确定")
    response = admin_client.get(reverse("admin:risks_riskpoint_change", args=[rp.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert f"{day.isoformat()}集体决定" in page and "risks.reason.decision" not in page
