"""Signals, warnings, handling and rectification are among the most sensitive rows: for every demo role,
every URL of each model answers as the access rules say. Staff, division heads, deputy leaders and the
president can neither list (403), open (404) nor count them; the person concerned sees only what was delivered to
them; a person never sees signals or warnings about themselves. A POST on a row the person may see but
whose action the oversight policy refuses answers 403 (the leading group reads, the office acts); a
refusal only because of the state, or bad input, is flashed (302)."""

import datetime

import pytest
from django.urls import reverse

from hkcourt.notifications.models import Notification
from workflow.oversight.models import Handling, Rectification, Signal, Warning

pytestmark = pytest.mark.django_db

ROLES = ["staff_demo", "head_demo", "deputy_demo", "president_demo", "office_demo", "leader_demo", "admin"]
OVERSIGHT = {"office_demo", "leader_demo", "president_demo", "admin"}  # admin: a superuser; the president: 组长
OFFICE = {"office_demo", "admin"}


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


def _post(client, user, url, data=None):
    client.force_login(user)
    return client.post(url, data or {})


@pytest.mark.parametrize("username", ROLES)
def test_signal_urls(client, demo_user, world, username):
    user = demo_user(username)
    s = world["signal"]  # about staff_demo
    lists = [reverse("workflow:signals"), reverse("workflow:signals") + "?q=吃请"]
    details = [reverse("workflow:signal", args=[s.pk])]
    posts = [reverse("workflow:handling_create", args=["signal", s.pk])]
    sees = username in OVERSIGHT
    acts = username in OFFICE
    for url in lists:
        resp = _get(client, user, url)
        assert resp.status_code == (200 if sees else 403), url  # the page is no secret; its rows are
        if sees:
            assert s.title in resp.content.decode()
    for url in details:
        assert _get(client, user, url).status_code == (200 if sees else 404), url
    for url in posts:
        status = _post(client, user, url).status_code
        assert status == (302 if acts else 403 if sees else 404), url
    assert Signal.objects.visible_to(user).count() == (2 if sees else 0)


def test_person_never_sees_signals_about_themselves(demo_user, world, hgzy):
    from workflow.oversight import services

    office, leader = demo_user("office_demo"), demo_user("leader_demo")
    about_office = services.record_signal(
        actor=office,
        court=hgzy,
        channel="media",
        title="报道涉及纪检人员",
        content="c",
        received_on=world["signal"].received_on,
        person=office,
    )
    assert not Signal.objects.visible_to(office).filter(pk=about_office.pk).exists()
    assert Signal.objects.visible_to(leader).filter(pk=about_office.pk).exists()


@pytest.mark.parametrize("username", ROLES)
def test_warning_urls(client, demo_user, world, username):
    user = demo_user(username)
    w = world["warning"]
    sees = username in OVERSIGHT
    assert _get(client, user, reverse("workflow:warnings")).status_code == (200 if sees else 403)
    assert _get(client, user, reverse("workflow:warnings") + "?level=yellow").status_code == (200 if sees else 403)
    assert _get(client, user, reverse("workflow:warning", args=[w.pk])).status_code == (200 if sees else 404)
    for url in (
        reverse("workflow:warning_close", args=[w.pk]),
        reverse("workflow:handling_create", args=["warning", w.pk]),
    ):
        assert _post(client, user, url).status_code == (302 if username in OFFICE else 403 if sees else 404), url
    for url in (reverse("workflow:warnings_evaluate"), reverse("workflow:warning_rule", args=[w.rule_id])):
        # the rules are no secret: whoever may not run or edit them gets 403
        assert _post(client, user, url).status_code == (302 if username in OFFICE else 403), url
    assert Warning.objects.visible_to(user).count() == (1 if sees else 0)


@pytest.mark.parametrize("username", ROLES)
def test_handling_urls(client, demo_user, world, username):
    user = demo_user(username)
    sees_all = username in OVERSIGHT
    reminder, talk, order = world["reminder"], world["talk"], world["order"]
    listing = _get(client, user, reverse("workflow:handling"))
    assert listing.status_code == 200  # a person's own delivered handling is listed there
    body = listing.content.decode()
    for h in (reminder, talk, order):
        delivered_to_me = h.person_id == user.pk and h.delivered_at is not None
        expect = sees_all or delivered_to_me
        assert (h.code in body) == expect, (username, h.kind)
        assert _get(client, user, reverse("workflow:handling_detail", args=[h.pk])).status_code == (
            200 if expect else 404
        )
        for name in ("handling_report", "handling_close"):
            if name == "handling_report":  # 回告: only the person it was delivered to
                may = h.person_id == user.pk
            else:
                may = username in OFFICE
            status = _post(client, user, reverse(f"workflow:{name}", args=[h.pk])).status_code
            assert status == ((302 if may else 403) if expect else 404), (username, h.kind, name)
    expected = 3 if sees_all else sum(1 for h in (reminder, talk, order) if h.person_id == user.pk and h.delivered_at)
    assert Handling.objects.visible_to(user).count() == expected


def test_delivered_handling_hides_office_links(client, demo_user, world):
    resp = _get(client, demo_user("staff_demo"), reverse("workflow:handling_detail", args=[world["reminder"].pk]))
    body = resp.content.decode()
    assert world["signal"].title not in body and "提交回告" in body


@pytest.mark.parametrize("username", ROLES)
def test_rectification_urls(client, demo_user, world, username):
    user = demo_user(username)
    rect = world["rect"]  # owned by head_demo
    sees = username in OVERSIGHT or username == "head_demo"
    listing = _get(client, user, reverse("workflow:rectifications"))
    assert listing.status_code == 200
    assert (rect.code in listing.content.decode()) == sees
    assert _get(client, user, reverse("workflow:rectification_detail", args=[rect.pk])).status_code == (
        200 if sees else 404
    )
    may = {
        "rectification_progress": username in OFFICE or username == "head_demo",
        "rectification_close": username in OFFICE,  # never the owner
    }
    for name in ("rectification_progress", "rectification_close"):
        status = _post(client, user, reverse(f"workflow:{name}", args=[rect.pk])).status_code
        assert status == ((302 if may[name] else 403) if sees else 404), (username, name)
    assert Rectification.objects.visible_to(user).count() == (1 if sees else 0)


@pytest.mark.parametrize("username", ROLES)
def test_dossier_only_for_office(client, demo_user, world, username):
    user = demo_user(username)
    staff = demo_user("staff_demo")
    sees = username in {"office_demo", "admin"}
    assert _get(client, user, reverse("workflow:dossier")).status_code == (200 if sees else 403)
    resp = _get(client, user, reverse("workflow:dossier_person", args=[staff.person.pk]))
    assert resp.status_code == (200 if sees else 403)
    if sees:
        assert "来信反映审判员接受吃请" in resp.content.decode()


def test_notifications_reach_only_the_person_concerned(demo_user, world):
    kinds = ("oversight.reminder", "oversight.order", "oversight.talk")
    recipients = set(Notification.objects.filter(kind__in=kinds).values_list("recipient__username", flat=True))
    assert recipients == {"staff_demo", "head_demo"}
    texts = Notification.objects.filter(recipient__username="staff_demo").values_list("title", "body")
    assert all(world["signal"].title not in f"{title}{body}" for title, body in texts)


def test_navigation_hides_oversight(client, demo_user, world):
    for username in ("staff_demo", "head_demo", "deputy_demo"):
        body = _get(client, demo_user(username), reverse("home")).content.decode()
        assert reverse("workflow:signals") not in body and reverse("workflow:warnings") not in body
        assert "待处置的预警" not in body and "建议升级" not in body
    body = _get(client, demo_user("office_demo"), reverse("home")).content.decode()
    assert reverse("workflow:warnings") in body
    body = _get(client, demo_user("staff_demo"), reverse("home")).content.decode()
    assert "请按期回告" in body  # the reminder delivered to staff_demo


@pytest.mark.parametrize("username", ROLES)
def test_signal_attachment_served_only_to_oversight(client, demo_user, world, hgzy, username):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from workflow.oversight import services

    s = services.record_signal(
        actor=demo_user("office_demo"),
        court=hgzy,
        channel="audit",
        title="审计报告",
        content="见附件",
        received_on=world["signal"].received_on,
        upload=SimpleUploadedFile("审计 报告.pdf", b"%PDF-1.4"),
    )
    att = s.attachments.get()
    assert att.name == "审计_报告.pdf" and att.file.name.startswith(f"signals/{s.pk}/")
    resp = _get(client, demo_user(username), reverse("workflow:signal_attachment", args=[att.pk]))
    assert resp.status_code == (200 if username in OVERSIGHT else 404)


def test_signal_attachment_type_refused(demo_user, hgzy):
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from workflow.oversight import services

    with pytest.raises(ValidationError, match="不支持的文件类型"):
        services.record_signal(
            actor=demo_user("office_demo"),
            court=hgzy,
            channel="audit",
            title="t",
            content="c",
            received_on=datetime.date.today(),
            upload=SimpleUploadedFile("x.svg", b"<svg onload=alert(1)>"),
        )
    assert not Signal.objects.filter(title="t").exists()
