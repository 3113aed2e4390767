"""The task metrics (automatic progress counts) over the other apps, through those apps' own services."""

import datetime as dt

import time_machine

from commitments import services as letters
from commitments.models import CommitmentLetter
from workflow.models import PhaseTask
from workflow.progress import CampaignUnits, progress_of
from workflow.task_metrics import TASK_METRICS

from .conftest import at, submit_post_risk

D = dt.date


def test_signed_personal_letter_counts_for_the_letters_task(campaign, demo_user, hgzy):
    office, staff = demo_user("office_demo"), demo_user("staff_demo")
    with time_machine.travel(at(D(2013, 4, 20)), tick=False):
        template = letters.save_template(
            actor=office,
            court=hgzy,
            year=2013,
            title="2013年度廉政风险防范承诺书",
            **{k: v for k, v in letters.default_template_texts().items() if k.endswith("_text")},
        )
        letters.generate_letters(actor=office, template=template)
        letter = CommitmentLetter.objects.get(template=template, kind="personal", signer=staff)
        assert staff.person.pk not in TASK_METRICS["letters_signed"].done_ids(campaign)
        letters.sign_letter(actor=staff, letter=letter, password="hegang2012")
    done = TASK_METRICS["letters_signed"].done_ids(campaign)
    assert staff.person.pk in done
    assert demo_user("head_demo").person.pk not in done
    task = PhaseTask.objects.get(phase__campaign=campaign, code="letters")
    [progress] = progress_of(CampaignUnits(campaign), [task])
    assert progress.measured and progress.done_count == 1


def test_a_risk_point_from_before_the_campaign_does_not_count(campaign, demo_user):
    staff = demo_user("staff_demo")
    with time_machine.travel(at(D(2012, 9, 1)), tick=False):  # three weeks before the campaign starts
        submit_post_risk(staff)
    assert staff.person.pk not in TASK_METRICS["risk_post_submitted"].done_ids(campaign)
    with time_machine.travel(at(D(2012, 11, 1)), tick=False):
        submit_post_risk(staff)
    assert staff.person.pk in TASK_METRICS["risk_post_submitted"].done_ids(campaign)
