import datetime

import pytest
from django.utils import timezone

from hkcourt.org.models import Court, Division, Post
from risks.models import Power, PowerStep


@pytest.fixture(autouse=True)
def key_links(request):
    """The key links the data migration ships. A transactional test (here or in another app) flushes
    tables at its end, and a reused test database then lacks them: load them again when missing."""
    if "db" not in request.fixturenames and "transactional_db" not in request.fixturenames:
        marker = request.node.get_closest_marker("django_db")
        if marker is None:
            return
        request.getfixturevalue("transactional_db" if marker.kwargs.get("transaction") else "db")
    import importlib

    from django.apps import apps

    from risks.models import KeyLink

    if not KeyLink.objects.exists():
        importlib.import_module("risks.migrations.0002_key_links").load(apps, None)


@pytest.fixture
def hgzy(demo_org):
    return Court.objects.get(code="hgzy")


@pytest.fixture
def civil(hgzy):
    return Division.objects.get(court=hgzy, name="民事审判庭")


@pytest.fixture
def civil_power(civil):
    """A power of the civil division with a three-step flowchart."""
    power = Power.objects.create(
        court=civil.court,
        division=civil,
        name="诉讼保全裁定",
        content="对诉讼中的财产保全申请作出裁定。",
        time_limit_days=5,
        business_area="civil",
    )
    power.posts.set(Post.objects.filter(division=civil))
    for order, name in enumerate(["审查申请与担保", "作出保全裁定", "实施查封冻结"], start=1):
        PowerStep.objects.create(power=power, order=order, name=name, actor="承办法官", time_limit_days=2)
    return power


@pytest.fixture
def later():
    return timezone.localdate() + datetime.timedelta(days=30)
