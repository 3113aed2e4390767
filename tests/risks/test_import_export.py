"""Import of the power catalogue (template, dry-run preview, per-row Chinese errors, all-or-nothing, GBK)
and exports that respect scope and neutralise spreadsheet formulas."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from hkcourt.org.models import AuditEntry
from risks.models import Power, State
from risks.resources import COLUMNS

from .factories import RiskPointFactory

pytestmark = pytest.mark.django_db

HEADER = list(COLUMNS.values())


def _csv(rows, encoding="utf-8-sig"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def _upload(client, content, name="职权.csv", **extra):
    file = io.BytesIO(content)
    file.name = name
    return client.post(reverse("risks:catalogue_import"), {"file": file, **extra})


GOOD = [
    [
        "民事审判庭",
        "先予执行裁定",
        "对先予执行申请作出裁定。",
        "审判员",
        "民事诉讼法第一百零九条",
        "",
        "",
        "10",
        "庭长审批",
        "民商事和行政审判",
        "否",
    ],
    [
        "",
        "机关后勤服务外包",
        "后勤服务外包的决策。",
        "",
        "",
        "",
        "",
        "",
        "党组集体决策",
        "领导班子“三重一大”决策",
        "是",
    ],
]


def test_template_has_chinese_headers(client, login_as):
    login_as("office_demo")
    response = client.get(reverse("risks:catalogue_template"), {"format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == HEADER
    gbk = client.get(reverse("risks:catalogue_template"), {"format": "gbk"}).content
    assert gbk.decode("gbk").startswith("庭室,职权名称")


def test_preview_then_confirm_imports_everything(client, login_as, hgzy):
    login_as("office_demo")
    response = _upload(client, _csv(GOOD))
    assert response.status_code == 200
    assert "确认导入" in response.content.decode()
    assert not Power.objects.filter(name="先予执行裁定").exists()  # a preview writes nothing
    payload = response.context["payload"]
    response = client.post(
        reverse("risks:catalogue_import"), {"court": hgzy.pk, "filename": "职权.csv", "payload": payload, "commit": "1"}
    )
    assert response.status_code == 302
    power = Power.objects.get(name="先予执行裁定")
    assert power.division.name == "民事审判庭" and power.time_limit_days == 10
    assert list(power.posts.values_list("name", flat=True)) == ["审判员"]
    major = Power.objects.get(name="机关后勤服务外包")
    assert major.division is None and major.major_matter and major.business_area == "leadership"
    assert AuditEntry.objects.filter(action="risks.powers_import").exists()


def test_same_name_in_same_division_updates(client, login_as, civil_power):
    login_as("office_demo")
    rows = [["民事审判庭", civil_power.name, "新的职权内容。", "", "", "", "", "3", "", "", "否"]]
    response = _upload(client, _csv(rows))
    response = client.post(
        reverse("risks:catalogue_import"),
        {"court": civil_power.court_id, "filename": "x.csv", "payload": response.context["payload"], "commit": "1"},
    )
    assert response.status_code == 302
    civil_power.refresh_from_db()
    assert civil_power.content == "新的职权内容。" and civil_power.time_limit_days == 3
    assert Power.objects.filter(name=civil_power.name).count() == 1


@pytest.mark.parametrize(
    "row,message",
    [
        (["民事审判庭", "", "内容", "", "", "", "", "", "", "", ""], "“职权名称”：不能为空"),
        (["民事审判庭", "名称", "   ", "", "", "", "", "", "", "", ""], "“职权内容”：不能为空"),
        (["不存在庭", "名称", "内容", "", "", "", "", "", "", "", ""], "本院没有“不存在庭”"),
        (["民事审判庭", "名称", "内容", "局长", "", "", "", "", "", "", ""], "没有“局长”岗位"),
        (["民事审判庭", "名称", "内容", "", "", "", "", "十天", "", "", ""], "须为0—3650之间的整数天数"),
        (["民事审判庭", "名称", "内容", "", "", "", "", "", "", "体育", ""], "须为以下之一"),
        (["民事审判庭", "名称", "内容", "", "", "", "", "", "", "", "也许"], "请填写“是”或“否”"),
        (["民事审判庭", "名" * 101, "内容", "", "", "", "", "", "", "", ""], "不能超过100个字"),
    ],
)
def test_bad_rows_are_reported_in_chinese_and_nothing_is_written(client, login_as, row, message):
    login_as("office_demo")
    before = Power.objects.count()
    response = _upload(client, _csv([GOOD[0], row]))
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html and 'name="commit"' not in html
    assert Power.objects.count() == before


def test_a_forged_commit_of_a_bad_file_writes_nothing(client, login_as, hgzy):
    import base64

    login_as("office_demo")
    payload = base64.b64encode(_csv([GOOD[0], ["不存在庭", "名称", "内容", "", "", "", "", "", "", "", ""]])).decode()
    response = client.post(
        reverse("risks:catalogue_import"), {"court": hgzy.pk, "filename": "x.csv", "payload": payload, "commit": "1"}
    )
    assert response.status_code == 400
    assert not Power.objects.filter(name="先予执行裁定").exists()


def test_gbk_and_xlsx_files_are_read(client, login_as):
    login_as("office_demo")
    assert _upload(client, _csv(GOOD, encoding="gbk")).status_code == 200
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(HEADER)
    for row in GOOD:
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    assert _upload(client, data.getvalue(), name="职权.xlsx").status_code == 200


@pytest.mark.parametrize(
    "content,name,message",
    [(b"", "a.csv", "文件是空的"), (b"x", "a.xls", "只能导入"), ("庭室,职权名称\n".encode(), "a.csv", "只有表头")],
)
def test_unusable_files_are_refused(client, login_as, content, name, message):
    login_as("office_demo")
    response = _upload(client, content, name=name)
    assert response.status_code == 400 and message in response.content.decode()


def test_only_the_office_or_admin_imports(client, login_as):
    login_as("head_demo")
    assert _upload(client, _csv(GOOD)).status_code == 403
    assert not Power.objects.filter(name="先予执行裁定").exists()


def test_risk_export_respects_scope_and_neutralises_formulas(client, login_as, demo_user):
    staff = demo_user("staff_demo")
    RiskPointFactory(
        owner=staff, description='=HYPERLINK("http://evil")', manifestations="@SUM(A1)", state=State.SUBMITTED
    )
    RiskPointFactory(owner=demo_user("hgzy_d01_s0"), description="刑事庭的风险点", state=State.SUBMITTED)
    login_as("head_demo")
    response = client.get(reverse("risks:export"), {"format": "csv"})
    text = response.getvalue().decode("utf-8-sig")  # streamed
    assert "'=HYPERLINK" in text and "'@SUM(A1)" in text
    assert "刑事庭的风险点" not in text  # out of the head's scope
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["编号", "法院", "庭室"] and len(rows) == 2
    xlsx = client.get(reverse("risks:export"), {"format": "xlsx"}).getvalue()
    sheet = load_workbook(io.BytesIO(xlsx)).worksheets[0]
    assert sheet.cell(row=2, column=8).value.startswith("'=")
    gbk = client.get(reverse("risks:export"), {"format": "gbk"}).getvalue()
    assert "风险点描述" in gbk.decode("gbk")


def test_catalogue_export_round_trips(client, login_as, civil_power):
    login_as("office_demo")
    response = client.get(reverse("risks:catalogue_export"), {"court": civil_power.court_id, "format": "csv"})
    text = response.content.decode("utf-8-sig")
    assert civil_power.name in text and text.splitlines()[0] == ",".join(HEADER)
    response = _upload(client, response.content)
    assert response.status_code == 200 and "更新" in response.content.decode()


# ---------------------------------------------------------------- risk points


RISK_HEADER = ["层面", "庭室", "岗位", "职权", "环节", "风险点描述", "主要表现形式", "查找方式", "重点环节"]


def _risk_csv(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(RISK_HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("gbk")


def _risk_upload(client, content, **extra):
    file = io.BytesIO(content)
    file.name = "风险点.csv"
    return client.post(reverse("risks:import"), {"file": file, **extra})


def test_office_imports_risk_points_as_submitted_for_the_reviewers(client, login_as, hgzy, civil_power):
    from risks.models import RiskPoint

    login_as("office_demo")
    rows = [
        [
            "岗位",
            "民事审判庭",
            "审判员",
            civil_power.name,
            "作出保全裁定",
            "保全裁定拖延作出",
            "久拖不决",
            "组织评",
            "财产保全",
        ],
        ["单位", "", "", "", "", "党组会前个人定调", "会前定调", "集体定", "重大事项决策"],
    ]
    response = _risk_upload(client, _risk_csv(rows))
    assert response.status_code == 200 and not RiskPoint.objects.exists()
    response = client.post(
        reverse("risks:import"),
        {"court": hgzy.pk, "filename": "x.csv", "payload": response.context["payload"], "commit": "1"},
    )
    assert response.status_code == 302
    post_level = RiskPoint.objects.get(description="保全裁定拖延作出")
    assert post_level.state == State.SUBMITTED and post_level.step.name == "作出保全裁定"
    assert post_level.post.name == "审判员" and post_level.source == "organisation"
    assert [k.name for k in post_level.key_links.all()] == ["财产保全"]
    assert post_level.transitions.get().reason_text == "批量导入"
    court_level = RiskPoint.objects.get(description="党组会前个人定调")
    assert court_level.level == "court" and court_level.division is None
    # the head of the civil division now has it to review
    login_as("head_demo")
    assert "保全裁定拖延作出" in client.get(reverse("risks:list"), {"state": "submitted"}).content.decode()


@pytest.mark.parametrize(
    "row,message",
    [
        (["岗位", "民事审判庭", "", "", "", "描述", "表现", "", ""], "岗位风险点必须填写岗位"),
        (["部门", "民事审判庭", "", "", "", "描述", "表现", "", ""], "须为“岗位”“庭室”或“单位”"),
        (["庭室", "民事审判庭", "", "不存在的职权", "", "描述", "表现", "", ""], "职权目录中没有"),
        (["庭室", "民事审判庭", "", "", "", "描述", "", "", ""], "“主要表现形式”：不能为空"),
        (["庭室", "民事审判庭", "", "", "", "描述", "表现", "自己编", ""], "须为以下之一"),
        (["庭室", "民事审判庭", "", "", "", "描述", "表现", "", "不存在环节"], "没有名为“不存在环节”的重点环节"),
    ],
)
def test_bad_risk_rows_are_refused(client, login_as, row, message):
    from risks.models import RiskPoint

    login_as("office_demo")
    good = ["庭室", "民事审判庭", "", "", "", "庭室制度不健全", "表现", "", ""]
    response = _risk_upload(client, _risk_csv([good, row]))
    assert response.status_code == 400 and message in response.content.decode()
    assert not RiskPoint.objects.exists()


def test_only_the_office_imports_risk_points(client, login_as):
    login_as("head_demo")
    assert client.get(reverse("risks:import")).status_code == 403
    assert client.get(reverse("risks:import_template")).status_code == 403
