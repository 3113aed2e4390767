import datetime

import pytest
from django.core.cache import cache


def _letters():
    """This year's letters generated from the registry, a few marked signed — without the demo's PDF
    rendering (ten seconds per test): the dashboard only counts states."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from commitments import services
    from commitments.models import CommitmentLetter, LetterState
    from hkcourt.org.models import Court

    city = Court.objects.get(code="hgzy")
    office = get_user_model().objects.get(username="office_demo")
    template = services.save_template(
        actor=office,
        court=city,
        year=timezone.localdate().year,
        title="本年度廉政风险防范承诺书",
        sign_deadline=timezone.localdate() + datetime.timedelta(days=14),
        **services.default_template_texts(),
    )
    services.generate_letters(actor=office, template=template)
    ids = list(CommitmentLetter.objects.filter(template=template).order_by("id").values_list("id", flat=True))
    CommitmentLetter.objects.filter(id__in=ids[::3]).update(state=LetterState.SIGNED, signed_at=timezone.now())
    CommitmentLetter.objects.filter(id__in=ids[1::7]).update(
        state=LetterState.COUNTERSIGNED, signed_at=timezone.now(), countersigned_at=timezone.now()
    )
    return template


@pytest.fixture
def demo_all(demo_org, settings):
    """The demo registry, campaigns (and measures and signals when their seeders are installed) and letters,
    inside the test's transaction, with an empty cache so that every test computes its own figures."""
    from django.utils.module_loading import import_string

    for dotted in settings.DEMO_SEEDERS:
        if dotted.startswith(("hkcourt.org.", "commitments.")):
            continue
        import_string(dotted)(log=lambda *_: None)
    _letters()
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def fresh_cache():
    cache.clear()
    yield
    cache.clear()
