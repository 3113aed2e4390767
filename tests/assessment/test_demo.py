"""The demo round: a finished questionnaire answered by 20 people with one item under its line, an open one
with a token waiting for staff_demo (and a public link), an interview; a second run changes nothing."""

import pytest

from workflow.assessment import demo, selectors
from workflow.assessment.models import Interview, Invitation, Questionnaire, Response

pytestmark = pytest.mark.django_db


def test_the_demo_round(demo_user):
    demo.seed(log=lambda *_: None)
    closed = Questionnaire.objects.get(title=demo.CLOSED_TITLE)
    assert closed.finished and closed.responses.count() == 20
    data = selectors.results(closed)
    below = [s.item.number for s in data["stats"] if s.below]
    assert below == [3]
    assert any(g.label == "鹤岗中院·民事审判庭" for g in data["stats"][0].groups)
    opened = Questionnaire.objects.get(title=demo.OPEN_TITLE)
    assert opened.accepting and opened.public_code
    staff = demo_user("staff_demo")
    assert Invitation.objects.filter(questionnaire=opened, recipient=staff, used=False).exists()
    assert [i.questionnaire for i in selectors.my_invitations(staff)] == [opened]
    assert Interview.objects.count() == 1
    counts = (Questionnaire.objects.count(), Response.objects.count(), Invitation.objects.count())
    demo.seed(log=lambda *_: None)
    assert (Questionnaire.objects.count(), Response.objects.count(), Invitation.objects.count()) == counts
