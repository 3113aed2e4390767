"""Issue 11, audit you can use: every view of a signal, a handling or a dossier and every download of a signed
letter is logged with actor, time, address and object; the office searches the log and exports it (streamed);
nothing edits or deletes an entry — the admin is read-only and PostgreSQL refuses UPDATE and DELETE."""

import csv
import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, transaction
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from hkcourt.org import audit
from hkcourt.org.models import AuditEntry, Person

User = get_user_model()


def _entries(action):
    return list(AuditEntry.objects.filter(action=action).select_related("actor", "content_type"))


# ---------------------------------------------------------------- sensitive reads are logged


def test_opening_a_signal_a_handling_and_a_dossier_is_logged(client, login_as, world):
    office = login_as("office_demo")
    signal, talk = world["signal"], world["talk"]
    assert client.get(reverse("workflow:signal", args=[signal.pk]), REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get(reverse("workflow:handling_detail", args=[talk.pk]), REMOTE_ADDR="10.1.2.4").status_code == 200
    person = Person.objects.get(user__username="staff_demo")
    assert client.get(reverse("workflow:dossier_person", args=[person.pk])).status_code == 200

    (seen,) = _entries("oversight.signal_view")
    assert (seen.actor, seen.object_id, seen.ip, seen.court_id) == (office, str(signal.pk), "10.1.2.3", signal.court_id)
    assert seen.content_type.model == "signal"
    (handled,) = _entries("oversight.handling_view")
    assert (handled.actor, handled.object_id, handled.ip) == (office, str(talk.pk), "10.1.2.4")
    (dossier,) = _entries("oversight.dossier_view")
    assert dossier.object_id == str(person.pk) and dossier.ip == "127.0.0.1"
    assert timezone.now() - dossier.created_at < datetime.timedelta(minutes=1)


def test_a_refused_read_is_not_logged_as_a_read(client, login_as, world):
    login_as("staff_demo")
    assert client.get(reverse("workflow:signal", args=[world["signal"].pk])).status_code in (403, 404)
    assert not _entries("oversight.signal_view")


def test_downloading_a_signed_letter_is_logged_a_draft_preview_is_not(client, letter_of, sign, settings):
    draft = letter_of("head_demo")
    letter = sign(letter_of("staff_demo"))
    client.force_login(letter.signer)
    response = client.get(reverse("commitments:pdf", args=[letter.pk]), REMOTE_ADDR="10.7.7.7")
    assert response.status_code == 200
    (entry,) = _entries("commitments.download")
    assert entry.object_id == str(letter.pk) and entry.ip == "10.7.7.7" and entry.actor == letter.signer
    assert entry.data["sha256"] == letter.documents.get().sha256
    client.force_login(draft.signer)
    assert client.get(reverse("commitments:pdf", args=[draft.pk])).status_code == 200
    assert len(_entries("commitments.download")) == 1


def test_services_record_the_request_address_too(client, login_as, world):
    """An action's entry (not only a read's) carries the address: the middleware sets it per request."""
    login_as("office_demo")
    client.post(
        reverse("workflow:handling_close", args=[world["reminder"].pk]), {"text": "已办结"}, REMOTE_ADDR="10.5.5.5"
    )
    (closed,) = _entries("oversight.handling_close")
    assert closed.ip == "10.5.5.5" and closed.object_id == str(world["reminder"].pk)
    entry = audit.record(actor=None, action="org.audit_export")  # outside a request: no address
    assert AuditEntry.objects.get(pk=entry.pk).ip is None


# ---------------------------------------------------------------- nothing edits or deletes the log


@pytest.mark.parametrize(
    "change",
    [
        lambda qs: qs.update(reason="改过了"),
        lambda qs: qs.update(actor=None),
        lambda qs: qs.delete(),
        lambda qs: qs.first().save(),
    ],
    ids=["update", "null the actor", "delete", "save again"],
)
def test_the_database_refuses_to_change_or_delete_an_entry(demo_user, change):
    entry = audit.record(actor=demo_user("office_demo"), action="org.audit_export", reason="原样")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        change(AuditEntry.objects.filter(pk=entry.pk))
    entry.refresh_from_db()
    assert entry.reason == "原样" and entry.actor is not None


def test_deleting_an_account_the_log_names_is_refused(demo_user):
    user = User.objects.create_user("temp_person", password="x")
    audit.record(actor=user, action="org.audit_export")
    with pytest.raises(ProtectedError):
        user.delete()
    assert User.objects.filter(username="temp_person").exists()


def test_the_admin_shows_the_log_read_only(client, login_as, demo_user):
    entry = audit.record(actor=demo_user("office_demo"), action="org.audit_export")
    login_as("admin")
    assert client.get(reverse("admin:org_auditentry_changelist")).status_code == 200
    assert client.post(reverse("admin:org_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:org_auditentry_add")).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


# ---------------------------------------------------------------- the office searches and exports the log


@pytest.fixture
def logged(world, client, login_as):
    """A few reads by the office and one by the administrator, on record."""
    login_as("office_demo")
    client.get(reverse("workflow:signal", args=[world["signal"].pk]))
    client.get(reverse("workflow:handling_detail", args=[world["talk"].pk]))
    login_as("admin")
    assert client.get(reverse("workflow:handling_detail", args=[world["talk"].pk])).status_code == 200
    client.logout()
    return world


def _row_ids(response):
    import re

    return [int(x) for x in re.findall(r'data-entry="(\d+)"', response.content.decode())]


def test_the_office_filters_the_log_by_actor_action_type_and_dates(client, login_as, logged):
    login_as("office_demo")
    url = reverse("org:audit_log")
    everything = client.get(url)
    assert everything.status_code == 200 and len(_row_ids(everything)) >= 3
    by_action = _row_ids(client.get(url, {"action": "oversight.handling_view"}))
    assert set(by_action) == set(
        AuditEntry.objects.filter(action="oversight.handling_view").values_list("pk", flat=True)
    )
    assert len(by_action) == 2
    by_actor = _row_ids(client.get(url, {"actor": "admin", "action": "oversight.handling_view"}))
    assert len(by_actor) == 1
    from django.contrib.contenttypes.models import ContentType

    signal_type = ContentType.objects.get(app_label=logged["signal"]._meta.app_label, model="signal")
    by_type = _row_ids(client.get(url, {"object_type": signal_type.pk}))
    assert by_type and all(AuditEntry.objects.get(pk=pk).content_type_id == signal_type.pk for pk in by_type)
    today = timezone.localdate()
    assert _row_ids(client.get(url, {"date_from": today.isoformat(), "date_to": today.isoformat()}))
    assert not _row_ids(client.get(url, {"date_to": (today - datetime.timedelta(days=1)).isoformat()}))
    bad = client.get(url, {"date_from": today.isoformat(), "date_to": "2000-01-01"})
    assert bad.status_code == 400 and "起始日期不能晚于结束日期" in bad.content.decode()


def test_who_may_open_the_log(client, login_as, logged):
    for username, expected in (("staff_demo", 403), ("head_demo", 403), ("president_demo", 403), ("admin", 200)):
        login_as(username)
        assert client.get(reverse("org:audit_log")).status_code == expected, username
        assert client.get(reverse("org:audit_export", args=["csv"])).status_code == expected, username
    client.logout()
    assert client.get(reverse("org:audit_log")).status_code == 302


def test_the_log_page_reads_in_a_fixed_number_of_queries(client, login_as, logged, django_assert_max_num_queries):
    login_as("office_demo")
    client.get(reverse("org:audit_log"))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("org:audit_log"))
    assert response.status_code == 200


def test_the_export_streams_csv_and_xlsx_with_the_filter_and_is_itself_logged(client, login_as, logged):
    login_as("office_demo")
    response = client.get(reverse("org:audit_export", args=["csv"]), {"action": "oversight.handling_view"})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["时间", "操作人账号", "操作人"]
    assert len(rows) == 3 and {r[1] for r in rows[1:]} == {"office_demo", "admin"}
    assert all(r[3] == "oversight.handling_view" and r[9] for r in rows[1:])  # the address is there

    response = client.get(reverse("org:audit_export", args=["xlsx"]))
    assert response.status_code == 200 and response.streaming
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    values = list(book.worksheets[0].iter_rows(values_only=True))
    assert values[0][0] == "时间" and len(values) >= 4
    exports = _entries("org.audit_export")
    assert len(exports) == 2 and {e.data["format"] for e in exports} == {"csv", "xlsx"}


def test_exported_cells_that_would_run_as_formulas_are_neutralised(client, login_as, demo_user):
    audit.record(actor=demo_user("office_demo"), action="org.audit_export", reason='=HYPERLINK("http://x")')
    login_as("office_demo")
    text = b"".join(client.get(reverse("org:audit_export", args=["csv"])).streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in text
