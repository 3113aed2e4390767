"""What each warning colour means (红/橙/黄) is the top court's office's wording (issue 14, item 8): shown in the
warnings page's legend, editable by that office only, audited; a colour never worded reads today's default."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from hkcourt.org.models import AuditEntry
from workflow.oversight import services
from workflow.oversight.models import WarningLevelMeaning
from workflow.oversight.rules import LEVEL_MEANINGS, level_meanings

pytestmark = pytest.mark.django_db

DEFAULTS = {level: str(text) for level, text in LEVEL_MEANINGS}
RED = "红色预警：发现严重违纪线索，须立即核实并报告组长。"


def _post(client, **texts):
    data = {f"meaning-{level}": texts.get(level, DEFAULTS[level]) for level in DEFAULTS}
    return client.post(reverse("workflow:warning_levels"), data, follow=True)


def test_the_legend_shows_the_defaults_until_the_office_words_them(client, demo_user, demo_org):
    assert [(lv, str(t)) for lv, t in level_meanings()] == list(DEFAULTS.items())
    client.force_login(demo_user("leader_demo"))
    page = client.get(reverse("workflow:warnings")).content.decode()
    assert DEFAULTS["red"] in page and DEFAULTS["yellow"] in page
    assert 'data-action="edit_levels"' not in page


def test_the_office_words_a_colour_and_everyone_reads_it(client, demo_user, demo_org):
    office = demo_user("office_demo")
    client.force_login(office)
    page = client.get(reverse("workflow:warnings")).content.decode()
    assert 'data-action="edit_levels"' in page and 'name="meaning-red"' in page
    resp = _post(client, red=RED)
    assert "已修改预警等级的含义" in resp.content.decode()
    assert WarningLevelMeaning.objects.get(level="red").meaning == RED
    assert not WarningLevelMeaning.objects.filter(level__in=["orange", "yellow"]).exists()  # unchanged: no row
    entry = AuditEntry.objects.get(action="oversight.levels_update")
    assert (
        entry.actor == office
        and entry.data["before"] == {"red": DEFAULTS["red"]}
        and entry.data["after"] == {"red": RED}
    )
    client.force_login(demo_user("leader_demo"))
    page = client.get(reverse("workflow:warnings")).content.decode()
    assert RED in page and DEFAULTS["red"] not in page and DEFAULTS["orange"] in page


def test_only_the_top_office_words_the_colours(client, demo_user, demo_org):
    for name in ("leader_demo", "president_demo"):
        with pytest.raises(PermissionDenied):
            services.update_level_meanings(actor=demo_user(name), meanings={**DEFAULTS, "red": RED})
        client.force_login(demo_user(name))
        page = client.get(reverse("workflow:warnings")).content.decode()
        assert 'data-action="edit_levels"' not in page
        assert _post(client, red=RED).status_code == 403
    assert not WarningLevelMeaning.objects.exists()
    assert not AuditEntry.objects.filter(action="oversight.levels_update").exists()


def test_an_empty_meaning_is_refused_and_writes_nothing(client, demo_user, demo_org):
    office = demo_user("office_demo")
    with pytest.raises(ValidationError) as exc:
        services.update_level_meanings(actor=office, meanings={**DEFAULTS, "red": RED, "orange": "  "})
    assert "请填写橙色预警的含义" in str(exc.value)
    client.force_login(office)
    assert "不能超过200字" in _post(client, yellow="黄" * 201).content.decode()
    assert not WarningLevelMeaning.objects.exists()
    assert not AuditEntry.objects.filter(action="oversight.levels_update").exists()
