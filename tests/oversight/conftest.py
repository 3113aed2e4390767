import datetime

import pytest
from django.utils import timezone

from hkcourt.org.models import Court, Division


@pytest.fixture
def hgzy(demo_org):
    return Court.objects.get(code="hgzy")


@pytest.fixture
def civil(hgzy):
    return Division.objects.get(court=hgzy, name="民事审判庭")


@pytest.fixture
def world(demo_user, hgzy, civil):
    """A signal, a warning, a reminder delivered to staff_demo, an undelivered talk, an order with its
    rectification owned by head_demo — all recorded by the office through the services."""
    from workflow.oversight import services
    from workflow.oversight.models import Warning

    office, staff, head = demo_user("office_demo"), demo_user("staff_demo"), demo_user("head_demo")
    today = timezone.localdate()
    s1 = services.record_signal(
        actor=office,
        court=hgzy,
        channel="petition",
        title="来信反映审判员接受吃请",
        content="匿名来信……",
        received_on=today,
        person=staff,
    )
    services.record_signal(
        actor=office,
        court=hgzy,
        channel="inspection",
        title="巡查发现保全卷宗缺页",
        content="……",
        received_on=today,
        division=civil,
    )
    services.evaluate_warnings()
    warning = Warning.objects.get(division=civil)
    reminder = services.create_handling(
        actor=office, kind="reminder", person=staff, content="请注意八小时外交往", signal=s1
    )
    talk = services.create_handling(
        actor=office,
        kind="talk",
        person=staff,
        content="诫勉谈话",
        warning=warning,
        talk_date=today,
        talker_level="division_head",
        talkers="李建国",
        talk_record="谈话记录……",
    )
    order = services.create_handling(
        actor=office,
        kind="order",
        person=head,
        content="保全卷宗管理不规范，限期整改",
        warning=warning,
        rect_deadline=today + datetime.timedelta(days=10),
    )
    return {
        "signal": s1,
        "warning": warning,
        "reminder": reminder,
        "talk": talk,
        "order": order,
        "rect": order.rectification,
    }
