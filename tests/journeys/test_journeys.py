"""Every role's journey in Chromium against the demo, in the order a campaign runs (issue 15, part 2).

Assertions are on what a person sees: headings, state badges, messages, table rows. Selectors use visible
text, labels, roles and the ``data-action`` attributes the pages carry for every action. The journeys share
one seeded demo and build on each other (``SEEN`` carries what one person made to the next).
"""

import datetime
import re

import pytest
from playwright.sync_api import expect

from tests.journeys.conftest import PHONE

pytestmark = [pytest.mark.slow]

SEEN = {}
DESCRIPTION = "庭审中对当事人申请调取证据不予回应，选择性调取证据"
TODAY = datetime.date.today()


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


def test_staff_signs_the_letter_reports_back_answers_the_questionnaire_and_reports_a_measure(journey):
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
    code = re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", page.locator("main").inner_text())
    assert code, "a signed letter shows its verification code"
    SEEN["letter_code"] = code.group(0)

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
    first_choices = "[...new Set([...document.querySelectorAll('input[type=radio]')].map(i => i.name))].map(n => document.querySelector(`input[name=${n}]`).id)"
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
