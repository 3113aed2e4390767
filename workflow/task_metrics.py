"""Task metrics: how the system counts, by itself, who has done a campaign task (系统统计).

A small registry, one function per key (``PhaseTask.measure_key`` names one). A metric answers, for one
campaign, which units (people, divisions or courts, by the task's unit) have done the task, in one query —
never a query per person. Metrics over another app's models import it at call time; when that app is not
installed the metric answers ``None`` ("cannot be counted") and the task falls back to the office's
tick-offs. Other apps may register metrics of their own.

Not to be confused with prevention measures (防控措施, ``risks/measures/``): those are what a division
does against a risk; these count progress of a campaign task.
"""

import datetime as dt
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from hkcourt.org.models import Division, Person


@dataclass(frozen=True)
class TaskMetric:
    key: str
    label: str
    unit: str  # "person" | "division" | "court"
    func: object

    def done_ids(self, campaign, only=None):
        """Ids of the units that have done it; ``only`` restricts the answer to a few unit ids."""
        return self.func(campaign, only)


TASK_METRICS: dict[str, TaskMetric] = {}


def register(key, label, unit):
    def decorator(func):
        TASK_METRICS[key] = TaskMetric(key, label, unit, func)
        return func

    return decorator


def metric_choices():
    return [("", _("（由办公室登记）"))] + [(m.key, m.label) for m in TASK_METRICS.values()]


def _model(app_label, name):
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def campaign_window(campaign):
    """Work counts for a campaign from its first day (00:00 local time) to the end of its last day."""
    from .models import deadline_end, local_zone

    start, end = campaign.start, campaign.end
    if start is None:
        return None
    return dt.datetime.combine(start, dt.time.min, tzinfo=local_zone()), deadline_end(end)


def _people(campaign, only):
    people = Person.objects.filter(court__in=campaign.courts())
    return people.filter(pk__in=only) if only is not None else people


@register("risk_post_submitted", _("每名干警至少提交一个岗位风险点"), "person")
def risk_post_submitted(campaign, only=None):
    RiskPoint = _model("risks", "RiskPoint")
    if RiskPoint is None:
        return None
    submitted = RiskPoint.objects.filter(owner=OuterRef("user"), level="post").exclude(state__in=["draft", "retired"])
    window = campaign_window(campaign)
    if window is not None:
        submitted = submitted.filter(created_at__gte=window[0], created_at__lt=window[1])
    return set(_people(campaign, only).filter(Exists(submitted)).values_list("pk", flat=True))


@register("risk_graded", _("已提交的风险点全部评定等级"), "division")
def risk_graded(campaign, only=None):
    RiskPoint = _model("risks", "RiskPoint")
    if RiskPoint is None:
        return None
    waiting = RiskPoint.objects.filter(division=OuterRef("pk"), state="submitted")
    divisions = Division.objects.filter(court__in=campaign.courts())
    if only is not None:
        divisions = divisions.filter(pk__in=only)
    return set(divisions.exclude(Exists(waiting)).values_list("pk", flat=True))


@register("letters_signed", _("每名干警签订个人承诺书"), "person")
def letters_signed(campaign, only=None):
    Letter = _model("commitments", "CommitmentLetter")
    if Letter is None:
        return None
    field_names = {f.name for f in Letter._meta.get_fields()}
    if not {"signer", "state"} <= field_names:
        return None
    signed = Letter.objects.filter(signer=OuterRef("user")).exclude(state="drafted")
    if "kind" in field_names:
        signed = signed.filter(kind="personal")
    if "superseded_at" in field_names:
        signed = signed.filter(superseded_at__isnull=True)
    window = campaign_window(campaign)
    if window is not None and "signed_at" in field_names:
        signed = signed.filter(signed_at__gte=window[0], signed_at__lt=window[1])
    return set(_people(campaign, only).filter(Exists(signed)).values_list("pk", flat=True))
