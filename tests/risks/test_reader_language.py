"""A notification is stored as a text code and parameters and reads in the reader's language, whatever language
the person who caused it was using (issue 10 item 5). What a person typed (a reason) is shown as typed."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from hkcourt.api import services as api_services
from hkcourt.notifications.models import Notification
from risks import services

pytestmark = pytest.mark.django_db

LOW = {"importance": 1, "discretion": 1, "probability": 2, "harm": 1}


def _submitted(user, power):
    rp = services.create_risk_point(
        actor=user, level="post", description="违规会见当事人", manifestations="私下会见", power=power
    )
    return services.submit(actor=user, risk_point=rp)


def _inbox(client, language=None):
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    else:
        client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 200
    return response.content.decode()


def test_written_in_english_reads_in_chinese_for_a_chinese_reader(client, login_as, demo_user, civil_power):
    staff, head = demo_user("staff_demo"), demo_user("head_demo")
    rp = _submitted(staff, civil_power)
    with translation.override("en"):  # the division head works in English
        services.return_risk_point(actor=head, risk_point=rp, reason="请补充表现形式")
    n = Notification.objects.get(recipient=staff, kind="risks.returned")
    # no sentence in the database: the code, the parameters, the reason as typed
    assert (n.message, n.title, n.body) == ("risks.returned", "", "")
    assert n.params == {"code": rp.code, "reason": "请补充表现形式"}

    login_as("staff_demo")
    chinese = _inbox(client)
    assert f"风险点{rp.code}被退回，请修改后重新提交" in chinese and "退回理由：请补充表现形式" in chinese
    assert "was returned" not in chinese
    english = _inbox(client, "en")
    assert f"Risk point {rp.code} was returned; please revise and submit it again" in english
    assert "Reason: 请补充表现形式" in english  # the reason a person typed is not translated


def test_written_in_chinese_reads_in_english_for_an_english_reader(client, login_as, demo_user, civil_power):
    staff, head = demo_user("staff_demo"), demo_user("head_demo")
    rp = _submitted(staff, civil_power)
    services.grade(actor=head, risk_point=rp, factors=LOW, grade="low", expected_version=rp.version)
    n = Notification.objects.get(recipient=staff, kind="risks.graded")
    assert n.params == {"code": rp.code, "grade": "low"}  # the grade's code, not its label

    login_as("staff_demo")
    assert f"Risk point {rp.code} was graded &quot;Low&quot;" in _inbox(client, "en")
    assert f"风险点{rp.code}已评定为“低”" in _inbox(client)

    # the API answers in the language the client asks for
    _token, raw = api_services.create_token(actor=staff, name="脚本", scope="read", days=30)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    en = client.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="en", **auth).json()
    zh = client.get("/api/v1/notifications/", **auth).json()
    rows = en["results"] if isinstance(en, dict) else en
    assert f'Risk point {rp.code} was graded "Low"' in [r["title"] for r in rows]
    rows = zh["results"] if isinstance(zh, dict) else zh
    assert f"风险点{rp.code}已评定为“低”" in [r["title"] for r in rows]


def test_the_email_goes_out_in_the_sites_language(demo_user, civil_power, mailoutbox):
    """A person has no language of their own yet: the e-mail is in the site's language (Chinese), even when the
    notification was caused by someone working in English."""
    from hkcourt.notifications.services import deliver_email

    staff, head = demo_user("staff_demo"), demo_user("head_demo")
    staff.email = "staff@example.org"
    staff.save(update_fields=["email"])
    rp = _submitted(staff, civil_power)
    with translation.override("en"):
        services.return_risk_point(actor=head, risk_point=rp, reason="请补充表现形式")
        delivery = Notification.objects.get(recipient=staff, kind="risks.returned").deliveries.get()
        deliver_email(delivery_id=delivery.pk)
    sent = [m for m in mailoutbox if m.to == ["staff@example.org"]][-1]
    assert f"风险点{rp.code}被退回" in sent.subject and "退回理由：请补充表现形式" in sent.body
