"""The sub-apps are real apps (issue 10), and a database of the time before they were upgrades intact.

``risks.measures`` (label ``measures``) and ``workflow.oversight`` (label ``oversight``) took their models
from the ``risks`` and ``workflow`` labels by state-only migrations; ``workflow.dashboard`` (``dashboard``)
owns no table. The upgrade test migrates the test database back to the migrations main had before the move,
fills and reads the tables through that old state, writes what points at the old labels (an audit entry, a
django-guardian grant), migrates forward and finds every row, every id and every pointer as it was.
"""

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import resolve, reverse
from django.utils import translation

from hkcourt.org.demo import seed as seed_org
from risks.demo import seed as seed_risks
from risks.measures.demo import seed as seed_measures
from workflow.assessment.demo import seed as seed_assessment
from workflow.demo import seed as seed_workflow
from workflow.oversight.demo import seed as seed_oversight

# Each sub-app with tables: the label its models had, and its models (lower-case names).
MOVED = {
    "measures": ("risks", ["courtrule", "measure", "measureattachment"]),
    "oversight": (
        "workflow",
        [
            "signal",
            "signalattachment",
            "warningrule",
            "warning",
            "warningevent",
            "handling",
            "reportback",
            "rectification",
            "rectificationprogress",
        ],
    ),
}
# The auto-created many-to-many tables: (model label, field)
M2M = [("courtrule", "risk_points"), ("courtrule", "powers"), ("warning", "signals")]
# Main's migrations just before the move (the move: measures 0001, oversight 0001, assessment 0003, workflow
# 0006, risks 0007).
BEFORE = [
    ("measures", None),
    ("oversight", None),
    ("risks", "0006_list_indexes"),
    ("workflow", "0005_oversight_warning_event_handling"),
    ("assessment", "0002_indicator_weights"),
]


@pytest.mark.parametrize(
    ("name", "label", "table"),
    [
        ("risks.measures", "measures", "risks_measure"),
        ("workflow.oversight", "oversight", "workflow_warning"),
        ("workflow.dashboard", "dashboard", None),
        ("workflow.assessment", "assessment", "assessment_questionnaire"),
    ],
)
def test_each_sub_app_is_an_installed_app_with_its_own_label(name, label, table):
    config = apps.get_app_config(label)
    assert config.name == name
    tables = {m._meta.db_table for m in config.get_models()}
    assert (table in tables) if table else not tables
    parent = apps.get_app_config(name.split(".")[0])
    assert not {m._meta.db_table for m in parent.get_models()} & tables  # no model under two labels


def test_the_sub_apps_urls_keep_their_names_and_paths():
    """Included from the parent's urls: the names stay in the parent's namespace, the paths unchanged."""
    assert reverse("risks:measures") == "/measures/"
    assert resolve("/measures/").func.__module__ == "risks.measures.views"
    assert reverse("workflow:dashboard") == "/dashboard/"
    assert resolve("/dashboard/").func.__module__ == "workflow.dashboard.views"
    assert resolve(reverse("workflow:signals")).func.__module__ == "workflow.oversight.views"


def test_the_sub_apps_tasks_are_found_by_autodiscovery():
    from celery import current_app

    current_app.loader.import_default_modules()
    assert current_app.tasks["workflow.evaluate_warnings"].__module__ == "workflow.oversight.tasks"


def _migrate(targets):
    executor = MigrationExecutor(connection)
    return executor.migrate(targets)


# moved model → (its column a texts migration empties, what the row shows instead)
TEXT_AS_CODE = {
    "warning": {"summary": lambda w: w.display_summary},
    "warningevent": {"note": lambda e: e.display_note, "action": lambda e: str(e.get_action_display())},
    "rectification": {"problem": lambda r: r.problem_text},
}


def _rows(model):
    return {row["id"]: row for row in model._default_manager.order_by("pk").values()}


def _through_rows(model, field):
    through = model._meta.get_field(field).remote_field.through
    return sorted(tuple(sorted(row.items())) for row in through.objects.values())


@pytest.mark.django_db
def test_a_database_from_before_the_move_migrates_forward_with_every_row(demo_org, django_user_model):
    quiet = lambda *_: None  # noqa: E731
    for seed in (seed_org, seed_risks, seed_measures, seed_workflow, seed_oversight, seed_assessment):
        seed(log=quiet)

    # Back to main's state before the move (state only: the tables and their rows stay as they are). The rows
    # just seeded leave deferred foreign-key checks pending, which would forbid dropping the later tables.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    _migrate(BEFORE)
    # The state at those nodes (the executor's returned state for a backwards plan across apps is not exact:
    # it starts from the last unapplied migration's state, which may already hold later apps' models).
    loader = MigrationExecutor(connection).loader
    moved_apps = {label for label, _ in BEFORE}
    nodes = [(label, name) for label, name in BEFORE if name] + [
        node for node in loader.graph.leaf_nodes() if node[0] not in moved_apps
    ]
    old = loader.project_state(nodes).apps
    for label, (old_label, models) in MOVED.items():
        assert not [m for m in old.get_models() if m._meta.app_label == label], label
        for name in models:
            assert old.get_model(old_label, name)._meta.db_table == f"{old_label}_{name}"
    OldType = old.get_model("contenttypes", "ContentType")
    old_types = {
        (old_label, name): OldType.objects.get(app_label=old_label, model=name).pk
        for old_label, models in MOVED.values()
        for name in models
    }
    moved_names = [name for _old_label, models in MOVED.values() for name in models]
    # (Models added after the move, e.g. oversight's WarningLevelMeaning, keep their content type row.)
    assert not OldType.objects.filter(app_label__in=list(MOVED), model__in=moved_names).exists()

    # The rows as the old state reads them, and new rows written through it.
    Measure = old.get_model("risks", "Measure")
    Signal = old.get_model("workflow", "Signal")
    Rectification = old.get_model("workflow", "Rectification")
    Item = old.get_model("assessment", "Item")
    measure, signal = Measure.objects.order_by("pk").first(), Signal.objects.order_by("pk").first()
    rectification = Rectification.objects.order_by("pk").first()
    assert measure and signal and rectification
    user = old.get_model("auth", "User").objects.get(username="office_demo")
    Audit = old.get_model("org", "AuditEntry")
    audit = Audit.objects.create(
        actor=user, action="measures.update", content_type_id=old_types["risks", "measure"], object_id=str(measure.pk)
    )
    Permission = old.get_model("auth", "Permission")
    view_signal = Permission.objects.get(content_type_id=old_types["workflow", "signal"], codename="view_signal")
    grant = old.get_model("guardian", "UserObjectPermission").objects.create(
        user=user, permission=view_signal, content_type_id=old_types["workflow", "signal"], object_pk=str(signal.pk)
    )
    item = Item.objects.order_by("pk").first()
    Item.objects.filter(pk=item.pk).update(rectification=rectification)
    before = {
        (old_label, name): _rows(old.get_model(old_label, name))
        for old_label, models in MOVED.values()
        for name in models
    }
    assert all(before[key] for key in [("risks", "measure"), ("risks", "courtrule"), ("workflow", "warning")])
    old_model = {"courtrule": ("risks", "CourtRule"), "warning": ("workflow", "Warning")}
    links_before = {(m, f): _through_rows(old.get_model(*old_model[m]), f) for m, f in M2M}
    assert all(links_before.values())
    permissions_before = dict(
        Permission.objects.filter(content_type_id__in=old_types.values()).values_list("pk", "codename")
    )

    # Forward to today's migrations.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()

    for label, (old_label, models) in MOVED.items():
        for name in models:
            model = apps.get_model(label, name)
            # every row keeps the values of the columns it had (a column added since, e.g. a text code, is new);
            # a sentence the texts migrations turned into a code reads the same (in Chinese) as before
            rows = {pk: {k: row[k] for k in before[old_label, name].get(pk, row)} for pk, row in _rows(model).items()}
            expected = before[old_label, name]
            shown = TEXT_AS_CODE.get(name)
            if shown:
                objects = model._default_manager.in_bulk()
                with translation.override("zh-hans"):
                    for pk, row in rows.items():
                        for column, text in shown.items():
                            if row[column] != expected.get(pk, {}).get(column):
                                row[column] = text(objects[pk])
            assert rows == expected, f"{label}.{name}: rows changed"
            content_type = ContentType.objects.get_for_model(model)
            assert content_type.pk == old_types[old_label, name]  # the same row, renamed
    assert not ContentType.objects.filter(app_label="risks", model__in=MOVED["measures"][1]).exists()
    assert not ContentType.objects.filter(app_label="workflow", model__in=MOVED["oversight"][1]).exists()
    new_model = {
        "courtrule": apps.get_model("measures", "CourtRule"),
        "warning": apps.get_model("oversight", "Warning"),
    }
    assert {(m, f): _through_rows(new_model[m], f) for m, f in M2M} == links_before
    from django.contrib.auth.models import Permission as LivePermission

    permissions_after = dict(
        LivePermission.objects.filter(content_type_id__in=old_types.values()).values_list("pk", "codename")
    )
    assert permissions_after == permissions_before

    # What pointed at the old labels points at the same rows, through the new models.
    from hkcourt.org.models import AuditEntry
    from risks.measures.models import Measure as LiveMeasure
    from workflow.assessment.models import Item as LiveItem
    from workflow.oversight.models import Rectification as LiveRectification
    from workflow.oversight.models import Signal as LiveSignal

    assert AuditEntry.objects.get(pk=audit.pk).target == LiveMeasure.objects.get(pk=measure.pk)
    office = django_user_model.objects.get(username="office_demo")
    live_signal = LiveSignal.objects.get(pk=signal.pk)
    from guardian.shortcuts import get_perms

    assert "view_signal" in get_perms(office, live_signal)
    assert grant.pk
    assert LiveItem.objects.get(pk=item.pk).rectification == LiveRectification.objects.get(pk=rectification.pk)
