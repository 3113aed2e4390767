"""清权确权 by the divisions (issue 14 item 3): a division head keeps the powers and flowcharts of the
division's posts; the office reviews and locks the catalogue when phase two ends; after the lock only the
office changes it (the head is refused with a clear message), until the office opens it again."""

import re

import pytest
from django.urls import reverse

from hkcourt.org.models import AuditEntry, Division
from hkcourt.org.policy import STATE, Refusal, can
from risks import services
from risks.models import CatalogueLock, Power

pytestmark = pytest.mark.django_db
ACTION = re.compile(r'data-action="([a-z_]+)"')


def _main(html):
    return html.split("<main", 1)[1].split("</main>", 1)[0]


@pytest.fixture
def criminal_power(hgzy):
    criminal = Division.objects.get(court=hgzy, name="刑事审判庭")
    return Power.objects.create(court=hgzy, division=criminal, name="减刑假释审查", content="审查减刑假释。")


def _form(power, **changes):
    data = {
        "name": power.name,
        "content": power.content,
        "division": power.division_id or "",
        "business_area": power.business_area,
        "time_limit_days": "",
    }
    data.update(changes)
    return data


def test_head_edits_a_power_of_the_own_division(client, login_as, civil_power):
    login_as("head_demo")
    assert client.get(reverse("risks:power_edit", args=[civil_power.pk])).status_code == 200
    response = client.post(
        reverse("risks:power_edit", args=[civil_power.pk]), _form(civil_power, content="对保全申请审查并裁定。")
    )
    assert response.status_code == 302
    civil_power.refresh_from_db()
    assert civil_power.content == "对保全申请审查并裁定。"
    assert AuditEntry.objects.filter(action="risks.power_save", object_id=str(civil_power.pk)).exists()
    # the flowchart too
    assert client.get(reverse("risks:power_steps", args=[civil_power.pk])).status_code == 200
    # and a new power for the division; the form offers only the divisions the head heads
    page = client.get(reverse("risks:power_create") + f"?court={civil_power.court_id}")
    assert page.status_code == 200
    assert list(page.context["form"].fields["division"].queryset) == [civil_power.division]


def test_head_may_not_touch_another_division_or_court_level_powers(client, login_as, demo_user, criminal_power, hgzy):
    head = login_as("head_demo")
    assert client.get(reverse("risks:power_edit", args=[criminal_power.pk])).status_code == 403
    assert client.get(reverse("risks:power_steps", args=[criminal_power.pk])).status_code == 403
    before = criminal_power.content
    response = client.post(reverse("risks:power_edit", args=[criminal_power.pk]), _form(criminal_power, content="x"))
    assert response.status_code == 403
    criminal_power.refresh_from_db()
    assert criminal_power.content == before
    with pytest.raises(Refusal):
        services.save_power(actor=head, court=hgzy, name="党组议事", content="三重一大")  # court level
    with pytest.raises(Refusal):
        services.save_power(actor=head, court=hgzy, name="新职权", content="y", division=criminal_power.division)
    # staff keep nothing
    login_as("staff_demo")
    assert client.get(reverse("risks:power_create") + f"?court={hgzy.pk}").status_code == 403


def test_office_locks_then_the_head_is_refused_with_a_clear_message(client, login_as, demo_user, civil_power, hgzy):
    office, head = demo_user("office_demo"), demo_user("head_demo")
    assert not can(head, "risks.lock_catalogue", hgzy)
    login_as("office_demo")
    page = client.get(reverse("risks:catalogue") + f"?court={hgzy.pk}")
    assert "lock_catalogue" in ACTION.findall(_main(page.content.decode()))
    response = client.post(reverse("risks:catalogue_lock", args=[hgzy.pk]), {"note": "经审核，职权目录完整"})
    assert response.status_code == 302
    lock = CatalogueLock.objects.get(court=hgzy)
    assert lock.locked_by == office and lock.note == "经审核，职权目录完整"
    assert AuditEntry.objects.filter(action="risks.catalogue_lock", court=hgzy).count() == 1
    # locking twice is refused as a state, nothing written
    with pytest.raises(Refusal) as again:
        services.lock_catalogue(actor=office, court=hgzy)
    assert again.value.code == STATE

    decision_message = "经领导小组办公室审核锁定"
    with pytest.raises(Refusal, match=decision_message) as refused:
        services.save_power(
            actor=head,
            court=hgzy,
            power=civil_power,
            name=civil_power.name,
            content="改",
            division=civil_power.division,
        )
    assert refused.value.code == STATE
    with pytest.raises(Refusal, match=decision_message):
        services.save_steps(actor=head, power=civil_power, rows=[])
    login_as("head_demo")
    # the page says so where the head came from; the edit button is gone
    response = client.get(reverse("risks:power_edit", args=[civil_power.pk]), follow=True)
    assert decision_message in response.content.decode()
    detail = client.get(reverse("risks:power_detail", args=[civil_power.pk])).content.decode()
    assert "edit_power" not in ACTION.findall(_main(detail))
    catalogue = client.get(reverse("risks:catalogue") + f"?court={hgzy.pk}&division={civil_power.division_id}")
    body = catalogue.content.decode()
    assert 'data-catalogue-lock="locked"' in body and "add_power" not in ACTION.findall(_main(body))
    # the office still changes it, and opens it again with a reason
    services.save_power(
        actor=office,
        court=hgzy,
        power=civil_power,
        name=civil_power.name,
        content="办公室修改",
        division=civil_power.division,
    )
    with pytest.raises(Exception, match="理由"):
        services.unlock_catalogue(actor=office, court=hgzy, reason=" ")
    services.unlock_catalogue(actor=office, court=hgzy, reason="新增执行裁决权")
    assert not CatalogueLock.objects.filter(court=hgzy).exists()
    assert AuditEntry.objects.get(action="risks.catalogue_unlock").reason == "新增执行裁决权"
    assert can(demo_user("head_demo"), "risks.edit_power", Power.objects.get(pk=civil_power.pk))


def test_buttons_match_the_rules(client, login_as, demo_user, civil_power, criminal_power, hgzy):
    """Policy drift: each page shows the catalogue buttons exactly when the rule allows them."""
    for username in ("staff_demo", "head_demo", "deputy_demo", "president_demo", "office_demo", "leader_demo"):
        user = login_as(username)
        for power in (civil_power, criminal_power):
            html = _main(client.get(reverse("risks:power_detail", args=[power.pk])).content.decode())
            assert ("edit_power" in ACTION.findall(html)) == can(user, "risks.edit_power", power), (username, power)
        html = _main(
            client.get(
                reverse("risks:catalogue") + f"?court={hgzy.pk}&division={civil_power.division_id}"
            ).content.decode()
        )
        shown = set(ACTION.findall(html))
        assert ("add_power" in shown) == can(user, "risks.add_power", civil_power.division), username
        assert ("lock_catalogue" in shown) == can(user, "risks.lock_catalogue", hgzy), username
