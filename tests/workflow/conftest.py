import datetime as dt

import pytest

from hkcourt.org.models import Court
from workflow import services

PLAN_START = dt.date(2012, 9, 24)


@pytest.fixture
def template(db):
    return services.ensure_builtin_template()


@pytest.fixture
def hgzy(demo_org):
    return Court.objects.get(code="hgzy")


@pytest.fixture
def campaign(template, hgzy, demo_user):
    """The 2012–2013 campaign for all the city's courts, on the plan's own dates."""
    return services.copy_campaign(
        actor=demo_user("office_demo"), source=template, court=hgzy, name="2012—2013年度活动", start=PLAN_START
    )


def at(day: dt.date, hour=9, minute=0, second=0):
    """An instant on ``day`` in Asia/Shanghai."""
    from zoneinfo import ZoneInfo

    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=ZoneInfo("Asia/Shanghai"))


def submit_post_risk(user):
    """Through the registry's own services: a post-level risk point, created and submitted."""
    from risks import services as risk_services

    rp = risk_services.create_risk_point(
        actor=user, level="post", description="审理期限内私自会见当事人", manifestations="接受吃请、泄露合议情况"
    )
    return risk_services.submit(actor=user, risk_point=rp)
