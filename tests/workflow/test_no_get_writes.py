"""A GET writes nothing: no campaign or dashboard page inserts, updates or deletes a row. The built-in template
comes from data migration 0002 (and the demo's seeding), never from a page being looked at."""

import importlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, reverse

from hkcourt.org.models import Division
from workflow import services, template_2012
from workflow import urls as workflow_urls
from workflow.dashboard.views import SECTIONS
from workflow.models import Campaign, PhaseTask

WRITES = ("INSERT", "UPDATE", "DELETE")
# The pages of this part of the app (the oversight pages have tests of their own).
OWN_VIEWS = ("workflow.views", "workflow.dashboard.views")
POST_ONLY = {"task_complete", "task_urge", "completion_undo"}


def _patterns(patterns):
    """The URL patterns, with the sub-apps' include()s (no namespace of their own) opened."""
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p.url_patterns)
        elif isinstance(p, URLPattern):
            yield p


def writes_of(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response, [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)]


@pytest.fixture
def urls(campaign, template, demo_user, settings, tmp_path):
    """Every GET-able URL of the campaign and dashboard pages, with real objects behind them."""
    settings.MEDIA_ROOT = tmp_path
    task = PhaseTask.objects.select_related("phase__campaign__court").get(phase__campaign=campaign, code="powers")
    civil = Division.objects.get(court__code="hgzy", name="民事审判庭")
    minutes = SimpleUploadedFile("会议纪要.pdf", b"%PDF-1.4 minutes", content_type="application/pdf")
    completion = services.record_completion(
        actor=demo_user("office_demo"), task=task, unit_id=civil.pk, note="已报送", attachment=minutes
    )
    by_name = {
        "campaigns": [reverse("workflow:campaigns")],
        "campaign_new": [reverse("workflow:campaign_new"), reverse("workflow:campaign_new") + f"?source={template.pk}"],
        "campaign": [reverse("workflow:campaign", args=[c.pk]) for c in (campaign, template)],
        "campaign_schedule": [reverse("workflow:campaign_schedule", args=[campaign.pk])],
        "task": [reverse("workflow:task", args=[task.pk])],
        "task_complete": [reverse("workflow:task_complete", args=[task.pk])],
        "task_urge": [reverse("workflow:task_urge", args=[task.pk])],
        "completion_undo": [reverse("workflow:completion_undo", args=[completion.pk])],
        "completion_attachment": [reverse("workflow:completion_attachment", args=[completion.pk])],
        "dashboard": [reverse("workflow:dashboard"), reverse("workflow:dashboard") + "?print=1"],
        "dashboard_data": [reverse("workflow:dashboard_data")],
        "dashboard_section": [reverse("workflow:dashboard_section", args=[name]) for name in SECTIONS],
    }
    own = {p.name for p in _patterns(workflow_urls.urlpatterns) if p.callback.__module__ in OWN_VIEWS}
    assert set(by_name) == own, "a page was added or removed: list it here"
    return by_name


@pytest.mark.parametrize("username", ["office_demo", "staff_demo", "head_demo", "president_demo", "admin"])
def test_a_get_of_every_page_writes_nothing(client, login_as, urls, username):
    login_as(username)
    for name, addresses in urls.items():
        for url in addresses:
            response, writes = writes_of(client, url)
            assert not writes, (username, url, writes)
            if name in POST_ONLY:
                assert response.status_code == 405, url
            else:
                assert response.status_code in (200, 403, 404), (url, response.status_code)


def test_the_new_campaign_page_does_not_install_the_template(client, login_as, campaign):
    """Without a template (a database flushed by a test, say) the page still only reads."""
    Campaign.objects.filter(is_template=True).delete()
    login_as("office_demo")
    count = Campaign.objects.count()
    response, writes = writes_of(client, reverse("workflow:campaign_new"))
    assert response.status_code == 200 and not writes
    assert Campaign.objects.count() == count and not Campaign.objects.filter(is_template=True).exists()
    # The page offers what there is to copy: this year's campaign.
    assert list(response.context["form"].fields["source"].queryset) == [campaign]


def test_the_data_migration_installs_the_template(db):
    """Where the template comes from: data migration 0002 (idempotent, like the demo's seeding)."""
    from django.apps import apps

    migration = importlib.import_module("workflow.migrations.0002_builtin_template_and_schedule")
    Campaign.objects.filter(builtin_key=template_2012.BUILTIN_KEY).delete()
    migration.forwards(apps, None)
    migration.forwards(apps, None)
    template = Campaign.objects.get(builtin_key=template_2012.BUILTIN_KEY)
    assert template.is_template and template.phases.count() == 4
