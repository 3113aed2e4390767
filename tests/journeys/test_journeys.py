"""Every role's journey in Chromium against the demo, in the order a campaign runs (issue 15, part 2).

Assertions are on what a person sees: headings, state badges, messages, table rows. Selectors use visible
text, labels, roles and the ``data-action`` attributes the pages carry for every action. The journeys share
one seeded demo and build on each other (``SEEN`` carries what one person made to the next).
"""

import datetime
import re

import pytest
from playwright.sync_api import expect

from tests.journeys.conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.slow]

SEEN = {}
DESCRIPTION = "庭审中对当事人申请调取证据不予回应，选择性调取证据"
PROPOSAL = "会见当事人登记备查"
TODAY = datetime.date.today()


@pytest.mark.django_db
def test_the_demo_holds_what_the_journeys_use():
    """Also makes pytest-django create the test database when the journeys run alone (they use no db fixture:
    the live server shares one seeded database across them)."""
    from django.contrib.auth import get_user_model

    assert get_user_model().objects.filter(username__in=["staff_demo", "head_demo", "office_demo"]).count() == 3


def _state_badge(page):
    return page.locator("h1 ~ .hk-state").first.inner_text()


def _flash(page):
    return page.locator(".hk-messages").inner_text()


def test_staff_submits_a_risk_point_on_a_flowchart_step_and_resubmits_it_when_returned(journey):
    staff = journey("staff_demo")
    page = staff.page
    assert page.get_by_role("heading", name="我的待办").is_visible()
    assert page.get_by_role("link", name="签订个人廉政风险防范承诺书").is_visible()
    staff.shot("staff-todo")

    page = staff.go("/risks/new/")
    page.get_by_placeholder("输入文字搜索职权").fill("民事")
    page.wait_for_timeout(700)
    power = page.locator("#id_power option", has_text="民事审判庭·").first.get_attribute("value")
    page.get_by_label("所涉职权").select_option(power)
    steps = page.locator("#id_step option:not([value=''])")
    expect(steps.nth(1)).to_be_attached()  # the power's flowchart steps, loaded by htmx
    page.get_by_label("所在环节").select_option(steps.nth(1).get_attribute("value"))
    page.get_by_label("风险点描述").fill(DESCRIPTION)
    page.get_by_label("主要表现形式").fill("对有利一方的调取申请及时办理，对另一方的申请拖延不办")
    staff.shot("staff-risk-form", full_page=True)
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_load_state("networkidle")
    assert DESCRIPTION in page.locator("main").inner_text()
    assert _state_badge(page) == "待审核"
    SEEN["risk_url"] = page.url.removeprefix(staff.base)
    SEEN["risk_code"] = page.locator("h1").inner_text().split(" ")[0]
    staff.shot("staff-risk-submitted")

    head = journey("head_demo")
    page = head.go("/risks/?review=true")
    assert page.get_by_role("link", name=SEEN["risk_code"]).is_visible()  # in the review queue
    page = head.go(SEEN["risk_url"])
    page.locator("form[data-action=return] textarea").fill("请写明不予回应的具体情形和所在环节。")
    page.locator("form[data-action=return] button").click()
    page.wait_for_load_state("networkidle")
    assert _state_badge(page) == "已退回"

    page = staff.go("/")
    page.get_by_role("link", name="我被退回的风险点，请修改后重新提交").click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name=SEEN["risk_code"]).click()
    page.wait_for_load_state("networkidle")
    assert "请写明不予回应的具体情形和所在环节。" in page.locator("main").inner_text()  # the reason, in the history
    page.locator("a[data-action=edit]").click()
    page.wait_for_load_state("networkidle")
    page.get_by_label("主要表现形式").fill("对有利一方的调取申请及时办理，对另一方的申请拖延不办；庭审中不回应调取申请")
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_load_state("networkidle")
    assert _state_badge(page) == "待审核"
    assert "庭审中不回应调取申请" in page.locator("main").inner_text()


def test_staff_signs_the_letter_reports_back_answers_the_questionnaire_reports_and_proposes_a_measure(journey):
    staff = journey("staff_demo")
    page = staff.page
    page.get_by_role("link", name="签订个人廉政风险防范承诺书").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="个人廉政风险防范承诺书").is_visible()
    staff.shot("staff-letter")
    form = page.locator("form[action$='/sign/']")
    form.locator("input[name=password]").fill("hegang2012")
    form.locator("input[name=confirm]").check()
    form.get_by_role("button", name="签订").click()
    page.wait_for_load_state("networkidle")
    assert "已签订" in page.locator("main").inner_text()
    SEEN["letter_url"] = page.url.removeprefix(staff.base)
    SEEN["letter_code"] = page.locator("dt:has-text('验证码') + dd code").inner_text().strip()
    assert SEEN["letter_code"], "a signed letter shows its verification code"

    page = staff.go("/")
    page.get_by_role("link", name="请按期回告（原因分析和整改承诺）").click()
    page.wait_for_load_state("networkidle")
    page.locator("table tbody a").first.click()
    page.wait_for_load_state("networkidle")
    page.locator("form[data-action=report_back] textarea[name=analysis]").fill("调解中急于结案，方式方法简单。")
    page.locator("form[data-action=report_back] textarea[name=commitment]").fill("今后严格依法自愿调解，不以判压调。")
    staff.shot("staff-report-back", full_page=True)
    page.get_by_role("button", name="提交回告").click()
    page.wait_for_load_state("networkidle")
    assert "调解中急于结案，方式方法简单。" in page.locator("main").inner_text()
    assert "已回告" in page.locator("main").inner_text()

    page = staff.go("/")
    page.get_by_role("link", name=re.compile("^答问卷")).click()
    page.wait_for_load_state("networkidle")
    first_choices = (
        "[...new Set([...document.querySelectorAll('input[type=radio]')].map(i => i.name))]"
        ".map(n => document.querySelector(`input[name=${n}]`).id)"
    )
    for choice in page.evaluate(first_choices):
        page.locator(f"label[for='{choice}']").click()  # the choice as a person clicks it (rating buttons too)
    for box in page.locator("textarea").all():
        box.fill("建议加强对调解工作的监督。")
    staff.shot("staff-questionnaire", full_page=True)
    page.get_by_role("button", name="提交答卷").click()
    page.wait_for_load_state("networkidle")
    assert "感谢" in page.locator("main").inner_text()

    page = staff.go("/")
    page.get_by_role("link", name="我负责落实的防控措施").click()
    page.wait_for_load_state("networkidle")
    page.locator("table tbody a").first.click()
    page.wait_for_load_state("networkidle")
    page.locator("form[data-action=put_in_place] button").click()
    page.wait_for_load_state("networkidle")
    assert "已落实" in page.locator("main").inner_text()

    # 岗位定措施: a measure of his own for a published point of his post, approved by the head (next journey)
    page = staff.go("/risks/?state=published&size=100")
    for href in page.locator("main table tbody td a").evaluate_all("links => links.map(a => a.getAttribute('href'))"):
        page = staff.go(href)
        if page.locator("a[data-action=propose]").count():
            break
    page.locator("a[data-action=propose]").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="提出岗位防控措施").is_visible()
    page.get_by_label("类别").select_option(label="监督")
    page.get_by_label("措施", exact=True).fill(PROPOSAL)
    page.get_by_label("具体内容").fill("接待当事人及其代理人一律在法院接待室进行，书记员在场并登记。")
    page.get_by_label("完成期限").fill((TODAY + datetime.timedelta(days=60)).isoformat())
    staff.shot("staff-propose-measure", full_page=True)
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")
    assert "待庭室负责人审批" in _flash(page)
    assert page.get_by_role("heading", name=re.compile(PROPOSAL)).is_visible()
    assert "待审批" in page.locator("main").inner_text()
    assert not page.locator("form[data-action=approve]").count()  # never by the proposer


def _factors(form, importance, discretion, probability, harm):
    values = {"importance": importance, "discretion": discretion, "probability": probability, "harm": harm}
    for name, value in values.items():
        form.locator(f"select[name={name}]").select_option(str(value))


def test_division_head_reviews_grades_bulk_grades_acknowledges_and_approves_measures_and_countersigns(journey):
    head = journey("head_demo")
    page = head.go("/risks/?review=true")
    assert page.get_by_role("link", name=SEEN["risk_code"]).is_visible()
    head.shot("head-review-queue")

    page = head.go(SEEN["risk_url"])
    grading = page.locator("#grading")
    _factors(grading, 3, 3, 2, 3)
    expect(grading.locator(".hk-suggest-slot")).to_contain_text("建议等级：高")  # computed by the server, live
    _factors(grading, 1, 2, 1, 2)
    expect(grading.locator(".hk-suggest-slot")).to_contain_text("建议等级：低")  # follows the factors
    head.shot("head-grading", locator=grading)
    grading.locator("select[name=grade]").select_option("low")
    grading.get_by_role("button", name="评定").click()
    page.wait_for_load_state("networkidle")
    assert _state_badge(page) == "已评级"

    page = head.go("/risks/?review=true&size=100")
    checks = page.locator("input.hk-row-check")
    assert checks.count() >= 1  # the demo's other submitted points
    codes = [c.strip() for c in page.locator("table tbody tr td:nth-child(2)").all_inner_texts()]
    for box in checks.all():
        box.check()
    page.click("#hk-bulk summary")
    bulk = page.locator("#hk-bulk")
    bulk.locator("select[name=action]").select_option("grade")
    _factors(bulk, 2, 2, 2, 2)
    bulk.locator("select[name=grade]").select_option("medium")
    head.shot("head-bulk-grade")
    bulk.get_by_role("button", name="执行").click()
    page.wait_for_load_state("networkidle")
    page = head.go("/risks/?state=graded&size=100")
    graded = page.locator("main table").inner_text()
    assert all(code in graded for code in codes if code)

    page = head.go(SEEN["risk_url"])
    page.locator("a[data-action=create]").click()
    page.wait_for_load_state("networkidle")
    page.get_by_label("类型").select_option(label="岗位定措施")
    page.get_by_label("类别").select_option(label="监督")
    page.get_by_label("措施", exact=True).fill("调取证据申请登记备查")
    page.get_by_label("具体内容").fill("当事人申请调取证据的，书记员当日登记，合议庭三日内答复。")
    owner = page.get_by_label("落实责任人")
    owner.select_option(owner.locator("option", has_text="王晓东").first.get_attribute("value"))
    page.get_by_label("完成期限").fill((TODAY + datetime.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name=re.compile("调取证据申请登记备查")).is_visible()
    page.locator("form[data-action=acknowledge] button").click()
    page.wait_for_load_state("networkidle")
    assert "已确认" in page.locator("main").inner_text()
    head.shot("head-measure")

    page = head.go("/")
    page.get_by_role("link", name="干警提出的岗位措施待我审批").click()  # staff_demo's proposal
    page.wait_for_load_state("networkidle")
    page.locator("main tr", has_text=PROPOSAL).locator("a[href^='/measures/']").click()
    page.wait_for_load_state("networkidle")
    approve = page.locator("form[data-action=approve]")
    approve.locator("textarea[name=note]").fill("同意，按期落实。")
    head.shot("head-approve-measure")
    approve.get_by_role("button", name="同意").click()
    page.wait_for_load_state("networkidle")
    assert "已同意，该措施列入计划" in _flash(page)
    assert "计划中" in page.locator("main").inner_text()

    page = head.go(SEEN["letter_url"])
    form = page.locator("form[data-action=countersign]")
    form.get_by_label("请再次输入您的登录密码").fill("hegang2012")
    form.get_by_label("我已审阅该承诺书，作为监督人签字确认").check()
    form.get_by_role("button", name="签字确认").click()
    page.wait_for_load_state("networkidle")
    assert "监督人已签字" in page.locator("main").inner_text()
    head.shot("head-countersigned")


def _bulk(office, state, code, action, fill):
    page = office.go(f"/risks/?state={state}&size=100")
    page.locator("tr", has=page.get_by_role("link", name=code, exact=True)).locator("input.hk-row-check").check()
    page.click("#hk-bulk summary")
    page.select_option("#hk-bulk select[name=action]", action)
    fill(page.locator("#hk-bulk"))
    page.locator("#hk-bulk").get_by_role("button", name="执行").click()
    page.wait_for_load_state("networkidle")
    return page


def test_office_confirms_in_collective_decision_and_publishes(journey):
    office = journey("office_demo")

    def decision(form):
        form.locator("input[name=date]").fill(TODAY.isoformat())
        form.locator("textarea[name=participants]").fill("院长、分管院领导、领导小组办公室")
        form.locator("textarea[name=minutes]").fill("集体研究确定等级，同意公示。")
        office.shot("office-collective-decision", locator=form.locator("details"))

    _bulk(office, "graded", SEEN["risk_code"], "confirm", decision)

    def publicity(form):
        form.locator("input[name=publicity_ends]").fill((TODAY + datetime.timedelta(days=30)).isoformat())

    _bulk(office, "confirmed", SEEN["risk_code"], "publish", publicity)
    page = office.go(SEEN["risk_url"])
    assert _state_badge(page) == "公示中"


def test_the_public_on_a_phone_reads_the_publication_leaves_feedback_and_verifies_a_letter(journey):
    public = journey(viewport=PHONE)
    page = public.go("/public/hgzy/")
    assert page.get_by_role("heading", name=re.compile("廉政风险点公示")).is_visible()
    card = page.locator("tr", has_text=DESCRIPTION)
    expect(card).to_be_visible()
    assert card.bounding_box()["width"] <= PHONE["width"]  # a card, not a squeezed table row
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    assert "王晓东" not in page.content()  # no names on the public page
    public.shot("public-page", full_page=False)
    target = page.get_by_label("针对的风险点（可不选）")
    target.select_option(target.locator("option", has_text=SEEN["risk_code"]).first.get_attribute("value"))
    page.get_by_label("意见内容").fill("建议公开调取证据申请的办理时限。")
    page.get_by_role("button", name="提交意见").click()
    page.wait_for_load_state("networkidle")
    assert "感谢" in page.locator("main").inner_text()
    public.shot("public-feedback-sent")

    page = public.go("/verify/")
    page.get_by_label("验证码").fill(SEEN["letter_code"])
    page.get_by_role("button", name="验证", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert "验证通过" in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    public.shot("public-verify")


def test_office_turns_feedback_into_a_signal_orders_a_correction_closes_a_rectification_and_handles_letters(
    journey,
):
    office = journey("office_demo")
    page = office.go("/signals/")
    row = page.locator("tr", has_text="建议公开调取证据申请的办理时限。")
    row.locator("input[name=title]").fill("群众建议公开调取证据办理时限")
    row.get_by_role("button", name="转为风险信息").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".hk-messages")).to_contain_text("已转为风险信息")
    assert "群众建议公开调取证据办理时限" in page.locator("main").inner_text()
    office.shot("office-signals")

    page = office.go("/warnings/?state=open")
    office.shot("office-warnings")
    page.locator("main table tbody a").first.click()
    page.wait_for_load_state("networkidle")
    form = page.locator("form[data-action=handle_warning]")
    form.get_by_label("处置方式").select_option("order")
    form.get_by_label("处置对象").select_option(index=1)
    form.get_by_label("提示或纠错内容").fill("责令对预警所涉问题立即纠正，并书面报告。")
    form.get_by_label("整改期限").fill((TODAY + datetime.timedelta(days=15)).isoformat())
    form.get_by_label("整改要求").fill("十五日内完成整改并提交整改报告。")
    form.get_by_role("button", name="登记").click()
    page.wait_for_load_state("networkidle")
    assert "责令纠错" in page.locator("main").inner_text()

    page = office.go("/rectifications/")
    closed = False
    for href in [a.get_attribute("href") for a in page.locator("main table tbody a").all()]:
        page = office.go(href)
        form = page.locator("form[data-action=close_rectification]")
        if form.count():
            form.locator("textarea").fill("经检查，整改措施已落实到位。")
            form.get_by_role("button", name="验收通过").click()
            page.wait_for_load_state("networkidle")
            assert "已验收" in page.locator("main").inner_text() or "已办结" in page.locator("main").inner_text()
            closed = True
            break
    assert closed, "the demo holds a rectification the office can close"

    page = office.go("/letters/templates/")
    page.locator("form[action$='/generate/'] button").first.click()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".hk-messages")).to_contain_text("已生成")
    page = office.go("/letters/progress/?template=1")
    office.shot("office-letter-progress")
    division = page.locator("section, div", has=page.get_by_role("heading", name="民事审判庭", exact=True)).last
    division.get_by_role("button", name="打包下载已签订承诺书").click()
    page.wait_for_load_state("networkidle")
    with page.expect_download() as download:
        page.locator("[data-action=download_zip]").click()
    assert download.value.suggested_filename.endswith(".zip")


def test_deputy_and_president_see_their_scope_and_the_dashboard(journey):
    deputy = journey("deputy_demo")
    page = deputy.go("/risks/")
    rows = page.locator("main table tbody tr").all_inner_texts()
    assert rows and all("鹤岗中院" in row for row in rows)  # the divisions the deputy oversees, no other court
    deputy.shot("deputy-risks")
    page = deputy.go("/dashboard/")
    assert page.get_by_role("heading", name="领导驾驶舱").is_visible()

    president = journey("president_demo")
    page = president.go("/risks/?level=court")
    rows = page.locator("main table tbody tr")
    assert rows.count() >= 1 and "单位" in rows.first.inner_text()  # a court-level point
    president.shot("president-court-level")
    page.locator("main table tbody a").first.click()
    page.wait_for_load_state("networkidle")
    page.emulate_media(media="print")  # the risk page on paper: the record, without menus and action forms
    assert page.locator("header").first.is_hidden() and page.locator(".breadcrumb").is_hidden()
    assert page.get_by_text("风险点描述").first.is_visible()
    president.shot("president-risk-print", full_page=True)
    page.emulate_media(media="screen")
    page = president.go("/dashboard/")
    assert page.get_by_role("heading", name="领导驾驶舱").is_visible()


INSIDE_POINT = """path => {
  const box = path.getBBox(), ctm = path.getScreenCTM();
  for (let i = 1; i < 20; i++) for (let j = 1; j < 20; j++) {
    const p = new DOMPoint(box.x + box.width * i / 20, box.y + box.height * j / 20);
    if (!path.isPointInFill(p)) continue;
    const s = p.matrixTransform(ctm);
    if (document.elementFromPoint(s.x, s.y) === path) return [s.x, s.y];
  }
  throw new Error("no visible point inside the slice");
}"""


def test_leading_group_dashboard_chart_click_lands_on_the_filtered_list_and_prints(journey):
    leader = journey("leader_demo")
    page = leader.go("/dashboard/")
    leader.shot("leader-dashboard")
    index = page.get_by_role("navigation", name="驾驶舱目录")
    index.get_by_role("link", name="承诺书").click()
    assert page.url.endswith("#dash-letters")
    leader.shot("leader-dashboard-letters")
    high = page.locator("[data-chart=grades] svg path[fill='#c62828']")  # the 高 slice of the grades pie
    high.scroll_into_view_if_needed()
    x, y = high.evaluate(INSIDE_POINT)
    with page.expect_navigation():
        page.mouse.click(x, y)  # where a person clicks: a point inside the slice
    page.wait_for_load_state("networkidle")
    assert "/risks/" in page.url and "grade=high" in page.url
    assert page.get_by_role("heading", name="廉政风险点").is_visible()
    leader.shot("leader-filtered-list")
    page = leader.go("/dashboard/?print=1")
    print_button = page.get_by_role("button", name="打印")
    assert print_button.is_visible() and page.locator("#dash-risks").is_visible()
    page.emulate_media(media="print")
    assert print_button.is_hidden()  # the paper shows the figures, not the controls
    leader.shot("leader-print", full_page=False)


# The main pages each role uses, checked with axe-core (issue 15, part 5). Paths with {risk} use the journeys'
# risk point; every page must have no serious or critical violation.
AXE_PAGES = [
    (None, PHONE, "/accounts/login/", "login"),
    (None, PHONE, "/public/hgzy/", "public"),
    (None, PHONE, "/verify/", "verify"),
    ("staff_demo", PHONE, "/", "todo-phone"),
    ("staff_demo", DESKTOP, "/", "todo"),
    ("staff_demo", PHONE, "/risks/new/", "risk-form-phone"),
    ("staff_demo", DESKTOP, "/risks/new/", "risk-form"),
    ("staff_demo", DESKTOP, "/letters/", "letters"),
    ("head_demo", DESKTOP, "/risks/", "risk-list"),
    ("head_demo", DESKTOP, "{risk}", "risk-detail"),
    ("head_demo", DESKTOP, "/measures/", "measures"),
    ("office_demo", DESKTOP, "/signals/", "signals"),
    ("office_demo", DESKTOP, "/warnings/", "warnings"),
    ("office_demo", DESKTOP, "/handling/", "handling"),
    ("office_demo", DESKTOP, "/letters/progress/?template=1", "letter-progress"),
    ("leader_demo", DESKTOP, "/dashboard/", "dashboard"),
    # the catalogue and its flowcharts, phase four's assessment pages: (list page, link pattern, suffix) is the
    # first link on the list page matching the pattern, plus the suffix
    ("office_demo", DESKTOP, "/catalogue/", "catalogue"),
    ("office_demo", DESKTOP, ("/catalogue/", r"^/catalogue/powers/\d+/$", ""), "power-flowchart"),
    ("office_demo", DESKTOP, ("/catalogue/", r"^/catalogue/powers/\d+/$", "steps/"), "power-steps"),
    ("staff_demo", DESKTOP, "/catalogue/", "catalogue-staff"),
    ("office_demo", DESKTOP, "/surveys/", "surveys"),
    ("office_demo", DESKTOP, ("/surveys/", r"^/surveys/\d+/$", ""), "survey"),
    ("office_demo", DESKTOP, ("/surveys/", r"^/surveys/\d+/$", "results/"), "survey-results"),
    ("office_demo", DESKTOP, ("/surveys/interviews/", r"^/surveys/interviews/\d+/$", ""), "interview"),
    ("office_demo", DESKTOP, "/assessment/", "assessment"),
    ("office_demo", DESKTOP, ("/assessment/", r"^/assessment/\d+/weights/$", ""), "assessment-weights"),
    ("office_demo", DESKTOP, ("/assessment/", r"^/assessment/\d+/manual/$", ""), "assessment-manual"),
    ("office_demo", DESKTOP, ("/assessment/", r"^/assessment/\d+/report/$", ""), "assessment-report"),
    ("office_demo", DESKTOP, ("/assessment/", r"^/assessment/\d+/figures/", ""), "assessment-figure"),
    ("office_demo", DESKTOP, ("/assessment/acceptance/", r"^/assessment/acceptance/\d+/$", ""), "acceptance"),
    ("office_demo", DESKTOP, "/assessment/summaries/", "summaries"),
]


def _linked(person, path):
    """A path as given, or the first link on a list page matching a pattern (plus a suffix)."""
    if isinstance(path, str):
        return path.format(risk=SEEN.get("risk_url", "/risks/"))
    listing, pattern, suffix = path
    page = person.go(listing)
    hrefs = page.evaluate("[...document.querySelectorAll('main a[href]')].map(a => a.getAttribute('href'))")
    found = next((h for h in hrefs if re.match(pattern, h)), None)
    assert found, f"no link matching {pattern} on {listing}"
    return found + suffix


def test_main_pages_have_no_serious_or_critical_accessibility_violations(journey):
    found, too_wide = {}, {}
    people = {}
    for username, viewport, path, name in AXE_PAGES:
        key = (username, viewport["width"])
        if key not in people:
            people[key] = journey(username, viewport=viewport)
        person = people[key]
        person.go(_linked(person, path))
        if name in ("login", "todo-phone", "risk-form-phone"):
            person.shot(name, full_page=name != "login")
        serious = person.axe(name)
        if serious:
            found[name] = serious
        wide = person.page.evaluate("document.documentElement.scrollWidth")
        if wide > viewport["width"]:
            too_wide[name] = wide  # a list or form that scrolls sideways at 1366 px (or on a phone)
    assert not found, found
    assert not too_wide, too_wide
