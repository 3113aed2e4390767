"""Power catalogue, flowchart and post power statement; the demo seed."""

import pytest
from django.urls import reverse

from risks import flowchart
from risks.demo import seed
from risks.models import Power, PowerStep, RiskPoint, State

from .factories import PowerStepFactory, RiskPointFactory

pytestmark = pytest.mark.django_db


def test_flowchart_marks_weak_links_by_highest_grade_and_escapes_text(client, login_as, demo_user, civil_power):
    first, second, _third = civil_power.steps.order_by("order")
    staff = demo_user("staff_demo")
    RiskPointFactory(owner=staff, power=civil_power, step=first, state=State.GRADED, grade="low")
    RiskPointFactory(owner=staff, power=civil_power, step=first, state=State.PUBLISHED, grade="high")
    RiskPointFactory(owner=staff, power=civil_power, step=second, state=State.SUBMITTED)  # not graded yet
    PowerStep.objects.filter(pk=second.pk).update(name="<b>作出</b>保全裁定")
    login_as("staff_demo")
    html = client.get(reverse("risks:power_detail", args=[civil_power.pk])).content.decode()
    assert "<svg" in html and "权力运行流程图" in html
    weak = html.split(f'data-step="{first.pk}"')[1].split("</g>")[0]
    assert "#c62828" in weak and "薄弱环节" in weak  # coloured by the highest grade (高)
    plain = html.split(f'data-step="{second.pk}"')[1].split("</g>")[0]
    assert "薄弱环节" not in plain
    assert "&lt;b&gt;作出&lt;/b&gt;" in plain and "<b>作出" not in html


def test_flowchart_flags_steps_over_the_statutory_limit(client, login_as, civil_power):
    login_as("staff_demo")
    Power.objects.filter(pk=civil_power.pk).update(time_limit_days=10)
    html = client.get(reverse("risks:power_detail", args=[civil_power.pk])).content.decode()
    assert "合计最长 6 日，在法定期限 10 日以内" in html  # three steps of 2 days
    PowerStepFactory(power=civil_power, order=9, time_limit_days=5)
    html = client.get(reverse("risks:power_detail", args=[civil_power.pk])).content.decode()
    assert "合计最长 11 日，超过法定期限 10 日" in html


def test_longest_path_follows_branches():
    class S:
        def __init__(self, id, order, days, is_end=False):
            self.id, self.order, self.time_limit_days, self.is_end = id, order, days, is_end

    steps = [S(1, 1, 2), S(2, 2, 10), S(3, 2, 1, is_end=True), S(4, 3, 3)]
    edges = flowchart.edges_of(steps, {})
    assert (3, 4) not in edges and (2, 4) in edges and (1, 3) in edges
    assert flowchart.longest_days(steps, edges) == 15


def test_catalogue_browses_court_division_post(client, login_as, civil, civil_power):
    login_as("staff_demo")
    post = civil_power.posts.first()
    html = client.get(
        reverse("risks:catalogue"), {"court": civil.court_id, "division": civil.pk, "post": post.pk}
    ).content.decode()
    assert civil_power.name in html and "岗位权力说明书" in html
    statement = client.get(reverse("risks:post_statement", args=[post.pk])).content.decode()
    assert civil_power.name in statement and "审查申请与担保 → 作出保全裁定 → 实施查封冻结" in statement


def test_step_picker_returns_the_powers_steps(client, login_as, civil_power):
    login_as("staff_demo")
    html = client.get(reverse("risks:step_options"), {"power": civil_power.pk}).content.decode()
    assert html.count("<option") == 4 and "作出保全裁定" in html


def test_suggestion_endpoint_uses_the_rule(client, login_as):
    login_as("head_demo")
    html = client.get(
        reverse("risks:suggest_grade"), {"importance": 3, "discretion": 3, "probability": 3, "harm": 2}
    ).content.decode()
    assert "bg-grade-high" in html
    html = client.get(reverse("risks:suggest_grade"), {"importance": 3}).content.decode()
    assert "四项因素都选择后" in html


def test_demo_seed_is_rich_and_idempotent(demo_org):
    seed(log=lambda *_: None)
    powers, points = Power.objects.count(), RiskPoint.objects.count()
    hgzy_powers = Power.objects.filter(court__code="hgzy")
    assert hgzy_powers.count() >= 40
    assert hgzy_powers.filter(steps__isnull=False).distinct().count() >= 10
    assert points >= 150
    assert set(RiskPoint.objects.values_list("state", flat=True)) == set(State.values)
    assert not RiskPoint.objects.exclude(state=State.DRAFT).filter(transitions__isnull=True).exists()
    seed(log=lambda *_: None)
    assert (Power.objects.count(), RiskPoint.objects.count()) == (powers, points)


def test_every_demo_point_has_the_history_and_audit_a_real_one_has(demo_org):
    """The seeder writes through risks.services.record_risk_points (one write path): per step of a point's
    path one transition, one field version (its actor, state and version number) and one audit entry with the
    per-action service's code."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Count

    from hkcourt.org.models import AuditEntry
    from risks.services import STEP_ACTIONS

    seed(log=lambda *_: None)
    ct = ContentType.objects.get_for_model(RiskPoint)
    audits = {}
    for object_id, action in AuditEntry.objects.filter(content_type=ct).values_list("object_id", "action"):
        audits.setdefault(int(object_id), []).append(action)
    versions = dict(RiskPoint.history.values("id").annotate(n=Count("history_id")).values_list("id", "n"))
    points = RiskPoint.objects.prefetch_related("transitions")
    assert points.count() >= 150
    for rp in points:
        path = sorted(rp.transitions.all(), key=lambda t: (t.created_at, t.pk))
        assert path[-1].to_state == rp.state and path[0].from_state == ""
        assert versions[rp.pk] == len(path) == rp.version
        assert sorted(audits[rp.pk]) == sorted(STEP_ACTIONS[t.to_state] for t in path)
    graded = RiskPoint.objects.filter(state=State.GRADED).first()
    first = RiskPoint.history.filter(id=graded.pk).order_by("version").first()
    last = RiskPoint.history.filter(id=graded.pk).order_by("-version").first()
    assert first.state == State.DRAFT and first.grade == "" and first.history_user_id == graded.owner_id
    assert last.state == State.GRADED and last.grade == graded.grade


def test_the_demo_shows_a_division_head_editing_a_power_of_his_division(client, login_as, demo_user):
    """清权确权 by the divisions (issue 14): the seeder edits a power through the catalogue service as head_demo,
    so the audit log has the head's entry and the power's page shows who changed it; seeding again adds none."""
    from hkcourt.org.models import AuditEntry

    seed(log=lambda *_: None)
    head = demo_user("head_demo")
    entries = AuditEntry.objects.filter(actor=head, action="risks.power_save")
    assert entries.count() == 1
    power = Power.objects.get(pk=entries.get().object_id)
    assert power.division_id == head.person.division_id and "庭长抽查" in power.supervision
    seed(log=lambda *_: None)
    assert entries.count() == 1
    login_as("staff_demo")
    html = client.get(reverse("risks:power_detail", args=[power.pk])).content.decode()
    changes = html.split('data-section="power-changes"')[1].split("</section>")[0]
    assert "修改记录" in changes and head.person.full_name in changes and "保存职权" in changes


def _steps_post(rows):
    data = {"steps-TOTAL_FORMS": str(len(rows)), "steps-INITIAL_FORMS": "0", "steps-MIN_NUM_FORMS": "0"}
    data["steps-MAX_NUM_FORMS"] = "60"
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"steps-{i}-{key}"] = value
    return data


def test_office_creates_a_power_and_draws_its_flowchart(client, login_as, civil, hgzy):
    login_as("office_demo")
    judge = civil.posts.get(name="审判员")
    response = client.post(
        reverse("risks:power_create") + f"?court={hgzy.pk}",
        {
            "division": civil.pk,
            "name": "先予执行裁定",
            "content": "对先予执行申请作出裁定。",
            "posts": [judge.pk],
            "time_limit_days": "10",
            "business_area": "civil",
        },
    )
    power = Power.objects.get(name="先予执行裁定")
    assert response.status_code == 302 and list(power.posts.all()) == [judge]
    url = reverse("risks:power_steps", args=[power.pk])
    rows = [
        {"order": "1", "name": "审查申请", "actor": "承办法官", "time_limit_days": "3"},
        {"order": "2", "name": "裁定准许", "time_limit_days": "2", "next": "3"},
        {"order": "2", "name": "裁定驳回", "is_end": "on"},
        {"order": "3", "name": "交付执行", "time_limit_days": "5"},
    ]
    assert client.post(url, _steps_post(rows)).status_code == 302
    steps = {s.name: s for s in power.steps.all()}
    assert steps["裁定驳回"].is_end and list(steps["裁定准许"].next_steps.all()) == [steps["交付执行"]]
    html = client.get(reverse("risks:power_detail", args=[power.pk])).content.decode()
    assert "合计最长 10 日，在法定期限 10 日以内" in html and html.count('class="hk-step') == 4


def test_step_editor_refuses_bad_rows_and_protects_weak_links(client, login_as, demo_user, civil_power):
    first = civil_power.steps.get(order=1)
    RiskPointFactory(owner=demo_user("staff_demo"), power=civil_power, step=first)
    login_as("office_demo")
    url = reverse("risks:power_steps", args=[civil_power.pk])
    response = client.post(url, _steps_post([{"id": str(first.pk), "order": "1", "name": first.name, "delete": "on"}]))
    assert response.status_code == 400 and "登记有风险点，不能删除" in response.content.decode()
    response = client.post(url, _steps_post([{"order": "1", "name": "甲", "next": "9"}]))
    assert response.status_code == 400 and "顺序号9不存在" in response.content.decode()
    response = client.post(url, _steps_post([{"order": "1", "name": "", "actor": "某人"}]))
    assert response.status_code == 400 and "环节名称不能为空" in response.content.decode()
    assert civil_power.steps.count() == 3


def test_power_form_refuses_bad_input(client, login_as, civil, civil_power, hgzy):
    login_as("office_demo")
    url = reverse("risks:power_create") + f"?court={hgzy.pk}"
    other_post = civil.court.divisions.get(name="刑事审判庭").posts.first()
    base = {"division": civil.pk, "name": "某职权", "content": "内容", "business_area": "civil"}
    cases = [
        ({**base, "name": "   "}, "这个字段是必填项"),
        ({**base, "posts": [other_post.pk]}, "行使岗位须属于所选庭室"),
        ({**base, "name": civil_power.name}, "该庭室已有名为"),
        ({**base, "time_limit_days": "-1"}, "大于或等于0"),
    ]
    for data, message in cases:
        response = client.post(url, data)
        assert response.status_code == 200, data
        assert message in response.content.decode() or "必填" in response.content.decode(), (data, message)
    assert not Power.objects.filter(name="某职权").exists()
