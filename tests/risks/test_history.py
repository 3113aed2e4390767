"""Field history of risk points (issue 10, item 3): an edited point keeps every earlier version of its fields
and key links, with who and when, and its page shows each version's changes to those who see the point."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from risks import services
from risks.models import KeyLink, Level, RiskPoint, Source, State

pytestmark = pytest.mark.django_db

OLD = "审查担保时放宽条件，准予保全"
NEW = "对案外人财产采取保全措施"


def _draft(staff, civil_power):
    link = KeyLink.objects.get(area="civil", name="财产保全")
    return services.create_risk_point(
        actor=staff,
        level=Level.POST,
        description="诉讼保全审查不严",
        manifestations=OLD,
        power=civil_power,
        key_links=[link],
    )


def _edit(client, rp, civil_power, **changes):
    data = {
        "level": "post",
        "power": civil_power.pk,
        "description": rp.description,
        "manifestations": rp.manifestations,
        "source": "self",
        "version": rp.version,
        **changes,
    }
    return client.post(reverse("risks:edit", args=[rp.pk]), data)


def test_editing_a_point_keeps_the_earlier_version_and_its_page_shows_it(client, login_as, demo_user, civil_power):
    staff = login_as("staff_demo")
    rp = _draft(staff, civil_power)
    other = KeyLink.objects.filter(area="civil").exclude(name="财产保全").first()
    response = _edit(client, rp, civil_power, manifestations=NEW, key_links=[other.pk])
    assert response.status_code == 302

    versions = list(RiskPoint.history.filter(id=rp.pk).order_by("history_date", "history_id"))
    assert [v.history_type for v in versions] == ["+", "~"]
    assert versions[0].manifestations == OLD and versions[1].manifestations == NEW
    assert [v.history_user for v in versions] == [staff, staff]
    assert [k.keylink.name for k in versions[0].key_links.all()] == ["财产保全"]
    assert [k.keylink.name for k in versions[1].key_links.all()] == [other.name]

    page = client.get(reverse("risks:detail", args=[rp.pk])).content.decode()
    section = page[page.index('id="versions"') :]
    assert OLD in section and NEW in section and "主要表现形式" in section
    assert staff.person.full_name in section and "财产保全" in section and other.name in section

    # Submitted, the point is seen by its division's head, who sees its history too; someone out of scope
    # does not see the page at all.
    services.submit(actor=staff, risk_point=rp)
    login_as("head_demo")
    page = client.get(reverse("risks:detail", args=[rp.pk])).content.decode()
    section = page[page.index('id="versions"') :]
    assert OLD in section and NEW in section and str(State.SUBMITTED.label) in section
    login_as("hgzy_d02_s0")
    assert client.get(reverse("risks:detail", args=[rp.pk])).status_code in (403, 404)


def test_a_refused_edit_writes_no_version(client, login_as, demo_user, civil_power):
    staff = login_as("staff_demo")
    rp = _draft(staff, civil_power)
    before = RiskPoint.history.filter(id=rp.pk).count()

    # a stale page
    response = _edit(client, rp, civil_power, manifestations=NEW, version=rp.version + 5)
    assert response.status_code in (200, 400, 409)
    # blank text
    response = _edit(client, rp, civil_power, manifestations="   ")
    assert response.status_code in (200, 400)
    # someone else's point
    with pytest.raises((PermissionDenied, ValidationError)):
        services.update_risk_point(
            actor=demo_user("head_demo"),
            risk_point=rp,
            expected_version=rp.version,
            description=rp.description,
            manifestations=NEW,
            power=civil_power,
        )
    # a submitted point is no longer editable
    services.submit(actor=staff, risk_point=rp)
    after_submit = RiskPoint.history.filter(id=rp.pk).count()
    assert after_submit == before + 1
    rp.refresh_from_db()
    response = _edit(client, rp, civil_power, manifestations=NEW)
    assert response.status_code in (403, 404)

    assert RiskPoint.history.filter(id=rp.pk).count() == after_submit
    assert not RiskPoint.history.filter(id=rp.pk, manifestations=NEW).exists()


def test_importing_points_writes_their_first_version(demo_user, civil_power):
    office = demo_user("office_demo")
    staff = demo_user("staff_demo")
    link = KeyLink.objects.get(area="civil", name="财产保全")
    entries = [
        (
            RiskPoint(
                level=Level.POST,
                division=staff.person.division,
                post=staff.person.post,
                power=civil_power,
                description=f"导入的风险点{i}",
                manifestations="久拖不决",
                source=Source.ORGANISATION,
            ),
            [link],
        )
        for i in range(3)
    ]
    created = services.enter_risk_points(actor=office, court=civil_power.court, entries=entries, reason="批量导入")
    for rp in created:
        version = RiskPoint.history.get(id=rp.pk)
        assert version.history_type == "+" and version.history_user == office
        assert version.state == State.SUBMITTED and version.history_change_reason == "批量导入"
        assert [k.keylink_id for k in version.key_links.all()] == [link.pk]


def test_every_state_change_is_a_version_with_its_actor(demo_user, civil_power):
    staff, head = demo_user("staff_demo"), demo_user("head_demo")
    rp = _draft(staff, civil_power)
    services.submit(actor=staff, risk_point=rp)
    rp.refresh_from_db()
    factors = {"importance": 3, "discretion": 3, "probability": 2, "harm": 3}
    services.grade(actor=head, risk_point=rp, factors=factors, grade="high", expected_version=rp.version)
    versions = list(RiskPoint.history.filter(id=rp.pk).order_by("history_date", "history_id"))
    assert [(v.state, v.grade, v.history_user) for v in versions] == [
        (State.DRAFT, "", staff),
        (State.SUBMITTED, "", staff),
        (State.GRADED, "high", head),
    ]
    assert versions[-1].version == rp.version + 1  # the version number read back, never an F() expression


def test_a_point_without_history_keeps_its_version_before_the_first_change(client, login_as, civil_power):
    """Seeders bulk-insert points (seed_demo, seed_scale) and write no history: the first change keeps the
    version it replaces."""
    staff = login_as("staff_demo")
    rp = _draft(staff, civil_power)
    RiskPoint.history.filter(id=rp.pk).delete()  # as a bulk insert leaves it
    assert _edit(client, rp, civil_power, manifestations=NEW).status_code == 302
    versions = list(RiskPoint.history.filter(id=rp.pk).order_by("history_date", "history_id"))
    assert [(v.manifestations, v.history_user) for v in versions] == [(OLD, None), (NEW, staff)]
    page = client.get(reverse("risks:detail", args=[rp.pk])).content.decode()
    section = page[page.index('id="versions"') :]
    assert OLD in section and NEW in section and "此前的版本" in section
