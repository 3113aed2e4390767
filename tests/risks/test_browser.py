"""The issue's "done when", in a real browser (Chromium from the distribution): staff submits in Chinese,
the head returns it once and then grades it 高 with the live suggestion, the office confirms and
publishes it, the public page shows it without names and takes a comment that reaches the office."""

import datetime
import os

import pytest

from hkcourt.org.models import Person
from risks.models import PublicFeedback, RiskPoint, State
from tests.requires import require_tool

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

DESCRIPTION = "在诉讼保全审查中对担保审查不严，超标的查封被申请人财产"


@pytest.fixture
def browser(monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setitem(os.environ, "DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=require_tool("chromium"), args=["--no-sandbox", "--headless"])
        yield chromium
        chromium.close()


def _login(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-for-tests-123")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_the_whole_workflow_in_a_browser(live_server, browser, demo_org, civil_power):
    from django.contrib.auth import get_user_model

    for user in get_user_model().objects.filter(username__in=["staff_demo", "head_demo", "office_demo"]):
        user.set_password("pw-for-tests-123")
        user.save()
    base = live_server.url
    page = browser.new_page()

    _login(page, base, "staff_demo")
    page.goto(f"{base}/risks/new/")
    page.fill("input[name=q]", "保全")
    page.wait_for_timeout(600)
    page.select_option("#id_power", label=f"民事审判庭·{civil_power.name}")
    page.wait_for_timeout(600)
    page.select_option("#id_step", index=1)
    page.fill("#id_description", DESCRIPTION)
    page.fill("#id_manifestations", "担保不足即准予保全；查封价值明显超过请求数额")
    page.check("text=财产保全")
    page.click("button[name=submit]")
    page.wait_for_load_state("networkidle")
    rp = RiskPoint.objects.get(description=DESCRIPTION)
    assert rp.state == State.SUBMITTED and rp.step is not None
    detail = f"{base}/risks/{rp.pk}/"

    _login(page, base, "head_demo")
    page.goto(detail)
    page.locator("form[action$='/return/'] textarea[name=reason]").fill("请写明超标的查封的具体情形。")
    page.locator("form[action$='/return/'] button").click()
    page.wait_for_load_state("networkidle")
    rp.refresh_from_db()
    assert rp.state == State.RETURNED

    _login(page, base, "staff_demo")
    page.goto(f"{detail}edit/")
    page.fill("#id_manifestations", "担保不足即准予保全；查封价值明显超过请求数额；对案外人财产采取保全")
    page.click("button[name=submit]")
    page.wait_for_load_state("networkidle")

    _login(page, base, "head_demo")
    page.goto(detail)
    for name, value in [("importance", "3"), ("discretion", "3"), ("probability", "2"), ("harm", "3")]:
        page.locator(f"#grading select[name={name}]").select_option(value)
    page.wait_for_timeout(600)
    assert "建议等级：高" in page.inner_text("#grading .hk-suggest-slot")  # computed on the server, live
    page.locator("#grading select[name=grade]").select_option("high")
    page.locator("#grading button").click()
    page.wait_for_load_state("networkidle")
    rp.refresh_from_db()
    assert (rp.state, rp.grade) == (State.GRADED, "high")

    _login(page, base, "office_demo")
    for state, action in (("graded", "confirm"), ("confirmed", "publish")):
        page.goto(f"{base}/risks/?state={state}&size=100")
        page.check(f"input.hk-row-check[value='{rp.pk}']")
        page.click("#hk-bulk summary")
        page.select_option("#hk-bulk select[name=action]", action)
        if action == "confirm":
            page.fill("#hk-bulk input[name=date]", datetime.date.today().isoformat())
            page.fill("#hk-bulk textarea[name=participants]", "院长、分管院领导、领导小组办公室")
            page.fill("#hk-bulk textarea[name=minutes]", "集体研究确定为高等级，同意公示。")
        else:
            later = datetime.date.today() + datetime.timedelta(days=30)
            page.fill("#hk-bulk input[name=publicity_ends]", later.isoformat())
        page.click("#hk-bulk button:has-text('执行')")
        page.wait_for_load_state("networkidle")
    rp.refresh_from_db()
    assert rp.state == State.PUBLISHED

    page.context.clear_cookies()
    page.goto(f"{base}/public/hgzy/")
    html = page.content()
    assert DESCRIPTION in html
    for username in ("staff_demo", "head_demo", "office_demo", "president_demo"):
        assert Person.objects.get(user__username=username).full_name not in html
    page.select_option("#id_risk_point", value=str(rp.pk))
    page.fill("#id_text", "建议公开保全担保的审查标准。")
    page.click("button:has-text('提交意见和建议')")
    page.wait_for_load_state("networkidle")
    assert PublicFeedback.objects.get().risk_point == rp

    _login(page, base, "office_demo")
    page.goto(f"{base}/risks/feedback/")
    assert "建议公开保全担保的审查标准。" in page.content()
