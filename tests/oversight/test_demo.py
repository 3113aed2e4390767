"""Done-when of issue 5: with the demo data, the warning task raises at least one warning of each level
from realistic signals, and a second run raises none."""

import pytest
from celery import current_app

from hkcourt.org.demo import seed as seed_org
from risks.demo import seed as seed_risks
from risks.measures.demo import seed as seed_measures
from risks.measures.models import Measure, MeasureStatus
from workflow.oversight.demo import seed as seed_oversight
from workflow.oversight.models import Channel, Handling, Rectification, Signal, Warning

pytestmark = pytest.mark.django_db


def test_demo_raises_each_level_once(demo_org):
    quiet = lambda *_: None  # noqa: E731
    seed_org(log=quiet)
    seed_risks(log=quiet)
    seed_measures(log=quiet)
    seed_measures(log=quiet)  # idempotent
    statuses = set(Measure.objects.values_list("status", flat=True))
    assert statuses == set(MeasureStatus.values)
    seed_oversight(log=quiet)  # records the signals and runs the warning rules once
    assert set(Warning.objects.values_list("level", flat=True)) == {"red", "orange", "yellow"}
    assert set(Signal.objects.values_list("channel", flat=True)) == set(Channel.values)
    assert Handling.objects.count() >= 3 and Rectification.objects.filter(state="closed").exists()
    before = Warning.objects.count()
    current_app.loader.import_default_modules()
    result = current_app.tasks["workflow.evaluate_warnings"].apply().get()
    assert result["raised"] == 0
    seed_oversight(log=quiet)  # idempotent
    assert Warning.objects.count() == before


def test_task_raises_each_level_from_demo_signals(demo_org):
    """The same through the Celery task: the demo's signals and overdue measures, rules run by the task."""
    from workflow.oversight import demo

    quiet = lambda *_: None  # noqa: E731
    seed_risks(log=quiet)
    seed_measures(log=quiet)
    original = demo.services.evaluate_warnings
    demo.services.evaluate_warnings = lambda **kw: {"raised": 0, "red": 0, "orange": 0, "yellow": 0}
    try:
        seed_oversight(log=quiet)
    finally:
        demo.services.evaluate_warnings = original
    current_app.loader.import_default_modules()
    first = current_app.tasks["workflow.evaluate_warnings"].apply().get()
    assert first["red"] >= 1 and first["orange"] >= 1 and first["yellow"] >= 1
    second = current_app.tasks["workflow.evaluate_warnings"].apply().get()
    assert second["raised"] == 0
