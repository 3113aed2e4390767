"""Roster import (花名册导入): .xlsx and .csv (UTF-8, UTF-8 with BOM, GBK) through a dry-run preview and a
confirmation; one bad row imports nothing and the page names the row and the problem."""

import csv
import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hkcourt.org import services
from hkcourt.org.models import AuditEntry, Court, CourtLevel, Division, DivisionKind, Person, Post, Role, RoleAssignment
from hkcourt.org.resources import COLUMNS
from tests.factories import make_person

pytestmark = pytest.mark.django_db
User = get_user_model()
URL = "/org/roster/import/"


def row(**values):
    return [values.get(column, "") for column in COLUMNS]


# Four people: a new head of a new division in the intermediate court, a person in a new basic court,
# a deputy leader over the new division and an existing one, a person in an existing division and post.
GOOD_ROWS = [
    row(
        单位代码="hgzy",
        单位名称="鹤岗市中级人民法院",
        庭室="少年审判庭",
        庭室类别="审判",
        岗位="审判长",
        姓名="钱少华",
        登录名="qian_sh",
        职务="庭长",
        角色="干警、庭室负责人",
        邮箱="qian@court.local",
    ),
    row(
        单位代码="ceshi",
        单位名称="鹤岗市测试区人民法院",
        上级单位代码="hgzy",
        庭室="立案庭",
        庭室类别="审判",
        岗位="立案审查岗",
        姓名="孙明远",
        登录名="sun_my",
        职务="审判员",
        角色="干警",
    ),
    row(
        单位代码="hgzy",
        姓名="冯国栋",
        登录名="feng_gd",
        职务="副院长",
        角色="分管院领导",
        分管庭室="少年审判庭、执行局",
    ),
    row(单位代码="hgzy", 庭室="民事审判庭", 岗位="书记员", 姓名="褚丽娟", 登录名="chu_lj", 职务="书记员"),
]


def xlsx_bytes(rows, headers=COLUMNS, blank_rows_before=()):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(headers))
    for index, values in enumerate(rows):
        if index in blank_rows_before:
            sheet.append([])
        sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, encoding="utf-8", headers=COLUMNS):
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(headers)
    writer.writerows(rows)
    return text.getvalue().encode(encoding)


def upload(client, name, content):
    return client.post(URL, {"file": SimpleUploadedFile(name, content)})


def confirm(client, response):
    token = response.context["token"]
    assert token, "a clean file must offer the confirmation"
    return client.post(URL, {"confirm": "1", "token": token}, follow=True)


def snapshot():
    return {
        model.__name__: model.objects.count() for model in (Court, Division, Post, Person, User, RoleAssignment)
    } | {"audit": AuditEntry.objects.filter(action="org.roster_import").count()}


def assert_good_rows_imported():
    head = Person.objects.select_related("court", "division", "post", "user").get(user__username="qian_sh")
    assert head.full_name == "钱少华"
    assert head.court.code == "hgzy"
    assert head.division.name == "少年审判庭" and head.division.kind == DivisionKind.TRIAL
    assert head.post.name == "审判长" and head.post.division == head.division
    assert head.title == "庭长"
    assert head.user.email == "qian@court.local"
    assert not head.user.has_usable_password()
    head_roles = set(RoleAssignment.objects.filter(user=head.user).values_list("role", "division__name"))
    assert head_roles == {(Role.STAFF, None), (Role.DIVISION_HEAD, "少年审判庭")}

    court = Court.objects.get(code="ceshi")
    assert court.name == "鹤岗市测试区人民法院"
    assert court.parent.code == "hgzy" and court.level == CourtLevel.BASIC
    assert court.path == "/hgzy/ceshi/"
    sun = Person.objects.get(user__username="sun_my")
    assert (sun.court, sun.division.name, sun.post.name) == (court, "立案庭", "立案审查岗")

    deputy = Person.objects.get(user__username="feng_gd")
    assert deputy.division is None and deputy.post is None
    overseen = set(
        RoleAssignment.objects.filter(user=deputy.user, role=Role.DEPUTY_LEADER).values_list(
            "division__name", flat=True
        )
    )
    assert overseen == {"少年审判庭", "执行局"}

    chu = Person.objects.get(user__username="chu_lj")
    assert chu.post == Post.objects.get(division__court__code="hgzy", division__name="民事审判庭", name="书记员")
    assert list(RoleAssignment.objects.filter(user=chu.user).values_list("role", flat=True)) == [Role.STAFF]


def test_xlsx_preview_writes_nothing_and_confirm_imports(client, login_as):
    admin = login_as("admin")
    before = snapshot()
    response = upload(client, "花名册.xlsx", xlsx_bytes(GOOD_ROWS))
    assert response.status_code == 200
    body = response.content.decode()
    assert "检查通过" in body and "确认导入" in body
    assert [r.status for r in response.context["outcome"].rows] == ["new", "new", "new", "new"]
    assert "新建单位“鹤岗市测试区人民法院”" in body
    assert response.context["outcome"].rows[2].roles == "分管院领导（少年审判庭、执行局）"
    assert snapshot() == before, "the preview is a dry run"

    done = confirm(client, response)
    assert done.status_code == 200
    assert "已导入" in done.content.decode()
    assert "没有可用密码" in done.content.decode()
    assert_good_rows_imported()
    entry = AuditEntry.objects.get(action="org.roster_import")
    assert entry.actor == admin
    assert entry.data["people_created"] == 4
    assert entry.data["courts_created"] == 1
    assert entry.data["divisions_created"] == 2  # 少年审判庭 in hgzy, 立案庭 in ceshi
    assert entry.data["posts_created"] == 2  # 审判长 (new division), 立案审查岗 (new court); 书记员 exists


def test_gbk_csv_imports_cleanly(client, login_as):
    login_as("admin")
    content = csv_bytes(GOOD_ROWS, encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    response = upload(client, "roster-gbk.csv", content)
    assert response.context["outcome"].has_errors is False
    confirm(client, response)
    assert_good_rows_imported()


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_encodings_are_detected(client, login_as, encoding):
    login_as("admin")
    response = upload(client, "roster.csv", csv_bytes(GOOD_ROWS, encoding=encoding))
    assert not response.context["outcome"].has_errors
    confirm(client, response)
    assert_good_rows_imported()


BAD_ROWS = {
    "unknown role": (
        row(单位代码="hgzy", 庭室="民事审判庭", 姓名="蒋文", 登录名="jiang_w", 角色="干警、院长助理"),
        ["【角色】", "“院长助理”不是可识别的角色"],
    ),
    "empty name": (row(单位代码="hgzy", 庭室="民事审判庭", 登录名="jiang_w"), ["【姓名】不能为空"]),
    "post without division": (
        row(单位代码="hgzy", 岗位="审判员", 姓名="蒋文", 登录名="jiang_w"),
        ["【岗位】", "填写了岗位“审判员”，但没有填写庭室"],
    ),
    "bad court code": (
        row(单位代码="鹤岗 中院", 单位名称="鹤岗市中级人民法院", 姓名="蒋文", 登录名="jiang_w"),
        ["【单位代码】", "“鹤岗 中院”不合规"],
    ),
    "unknown division kind": (
        row(单位代码="hgzy", 庭室="环境资源审判庭", 庭室类别="环保", 姓名="蒋文", 登录名="jiang_w"),
        ["【庭室类别】", "“环保”无法识别"],
    ),
    "new division without kind": (
        row(单位代码="hgzy", 庭室="环境资源审判庭", 姓名="蒋文", 登录名="jiang_w"),
        ["【庭室类别】", "新建庭室必须填写庭室类别"],
    ),
    "unknown overseen division": (
        row(单位代码="hgzy", 姓名="蒋文", 登录名="jiang_w", 角色="分管院领导", 分管庭室="不存在庭"),
        ["【分管庭室】", "“不存在庭”在鹤岗市中级人民法院不存在"],
    ),
    "bad email": (
        row(单位代码="hgzy", 姓名="蒋文", 登录名="jiang_w", 邮箱="not-an-email"),
        ["【邮箱】", "“not-an-email”不是有效的邮箱地址"],
    ),
    "duplicate login": (
        row(单位代码="hgzy", 姓名="蒋文", 登录名="qian_sh"),
        ["【登录名】", "“qian_sh”与第2行重复"],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_ROWS))
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_one_bad_row_imports_nothing_and_names_row_and_problem(client, login_as, case, fmt):
    login_as("admin")
    bad, expected = BAD_ROWS[case]
    rows = [*GOOD_ROWS[:2], bad, *GOOD_ROWS[2:]]  # the bad row is the 4th line of the sheet
    content = xlsx_bytes(rows) if fmt == "xlsx" else csv_bytes(rows, encoding="gbk")
    before = snapshot()
    response = upload(client, f"roster.{fmt}", content)
    assert response.status_code == 200
    body = response.content.decode()
    assert "整个文件不会导入" in body
    assert "确认导入" not in body and response.context["token"] is None
    outcome = response.context["outcome"]
    assert [r.number for r in outcome.error_rows] == [4]
    (message,) = outcome.error_rows[0].errors  # exactly the one problem, no noise from the model
    for fragment in expected:
        assert fragment in message
        assert fragment in body
    assert "null" not in body and "此字段" not in body
    assert "<strong>第4行</strong>" in body
    assert snapshot() == before

    # Committing the same file straight through the service writes nothing either: not the good rows,
    # not the court and division the rows before the bad one created.
    admin = User.objects.get(username="admin")
    result = services.import_roster(actor=admin, filename=f"roster.{fmt}", content=content, commit=True)
    assert result.committed is False and result.has_errors
    assert snapshot() == before
    assert not Court.objects.filter(code="ceshi").exists()
    assert not Division.objects.filter(name="少年审判庭").exists()


def test_every_bad_row_is_listed(client, login_as):
    login_as("admin")
    rows = [BAD_ROWS["empty name"][0], GOOD_ROWS[0], BAD_ROWS["unknown role"][0]]
    rows[2][COLUMNS.index("登录名")] = "other_login"
    response = upload(client, "roster.xlsx", xlsx_bytes(rows))
    outcome = response.context["outcome"]
    assert [r.number for r in outcome.error_rows] == [2, 4]
    assert [r.status for r in outcome.rows] == ["invalid", "new", "invalid"]


def test_row_numbers_are_the_spreadsheet_rows_even_after_blank_lines(client, login_as):
    login_as("admin")
    rows = [*GOOD_ROWS, BAD_ROWS["empty name"][0]]
    # blank rows before the 2nd and the 5th data row: the bad row sits on line 8 of the sheet
    response = upload(client, "roster.xlsx", xlsx_bytes(rows, blank_rows_before=(1, 4)))
    outcome = response.context["outcome"]
    assert [r.number for r in outcome.rows] == [2, 4, 5, 6, 8]
    assert [r.number for r in outcome.error_rows] == [8]
    assert "<strong>第8行</strong>" in response.content.decode()


def test_reimport_updates_instead_of_duplicating(client, login_as):
    login_as("admin")
    confirm(client, upload(client, "roster.xlsx", xlsx_bytes(GOOD_ROWS)))
    before = snapshot()

    changed = [list(values) for values in GOOD_ROWS]
    changed[3][COLUMNS.index("职务")] = "书记员（二级）"
    response = upload(client, "roster.xlsx", xlsx_bytes(changed))
    assert [r.status for r in response.context["outcome"].rows] == ["unchanged", "unchanged", "unchanged", "update"]
    assert response.context["outcome"].rows[3].notes == ["职务：书记员 → 书记员（二级）"]
    confirm(client, response)

    after = snapshot()
    assert after.pop("audit") == before.pop("audit") + 1
    assert after == before, "no court, division, post, person, account or role is duplicated"
    assert Person.objects.get(user__username="chu_lj").title == "书记员（二级）"


def test_reimport_moves_person_and_syncs_roles(client, login_as):
    login_as("admin")
    confirm(client, upload(client, "roster.xlsx", xlsx_bytes(GOOD_ROWS)))
    moved = [list(values) for values in GOOD_ROWS]
    # 钱少华 stops heading 少年审判庭 and becomes an ordinary judge of 刑事审判庭.
    moved[0] = row(单位代码="hgzy", 庭室="刑事审判庭", 岗位="审判员", 姓名="钱少华", 登录名="qian_sh", 角色="干警")
    response = upload(client, "roster.xlsx", xlsx_bytes(moved))
    first = response.context["outcome"].rows[0]
    assert first.status == "update"
    assert first.notes == [
        "庭室：少年审判庭 → 刑事审判庭",
        "岗位：审判长 → 审判员",
        "撤销角色：庭室负责人（少年审判庭）",
    ]
    confirm(client, response)
    head = Person.objects.get(user__username="qian_sh")
    assert (head.division.name, head.post.name, head.title) == ("刑事审判庭", "审判员", "庭长")  # blank 职务 keeps
    assert list(RoleAssignment.objects.filter(user=head.user).values_list("role", flat=True)) == [Role.STAFF]


def test_existing_account_keeps_roles_when_role_cell_is_blank(client, login_as):
    login_as("admin")
    values = row(单位代码="hgzy", 庭室="民事审判庭", 岗位="审判长", 姓名="李建国", 登录名="head_demo")
    response = upload(client, "roster.csv", csv_bytes([values]))
    assert response.context["outcome"].rows[0].status == "unchanged"
    confirm(client, response)
    head = User.objects.get(username="head_demo")
    assert set(RoleAssignment.objects.filter(user=head).values_list("role", flat=True)) == {
        Role.STAFF,
        Role.DIVISION_HEAD,
    }
    assert head.check_password("hegang2012"), "the import never touches an existing password"


def test_deputy_may_oversee_a_division_created_by_a_later_row(client, login_as):
    login_as("admin")
    rows = [GOOD_ROWS[2], GOOD_ROWS[0]]  # 冯国栋 oversees 少年审判庭, which the next row creates
    response = upload(client, "roster.xlsx", xlsx_bytes(rows))
    assert not response.context["outcome"].has_errors
    confirm(client, response)
    assert Division.objects.filter(court__code="hgzy", name="少年审判庭").count() == 1
    assert RoleAssignment.objects.filter(
        user__username="feng_gd", role=Role.DEPUTY_LEADER, division__name="少年审判庭"
    ).exists()


@pytest.mark.parametrize("username", ["staff_demo", "office_demo", "head_demo", "leader_demo"])
def test_only_admins_reach_the_page(client, login_as, username):
    login_as(username)
    before = snapshot()
    assert client.get(URL).status_code == 403
    assert upload(client, "roster.csv", csv_bytes(GOOD_ROWS)).status_code == 403
    assert client.get(reverse("org:roster_template", args=["xlsx"])).status_code == 403
    assert client.get(reverse("org:roster_export", args=["xlsx"])).status_code == 403
    assert snapshot() == before


def test_anonymous_is_sent_to_login(client, demo_org):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_service_refuses_non_admin(demo_user):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.import_roster(actor=demo_user("office_demo"), filename="r.csv", content=csv_bytes(GOOD_ROWS))


def test_admin_role_without_superuser_sees_the_page_in_navigation(client, demo_org):
    court = Court.objects.get(code="xiangyang")
    person = make_person(division=Division.objects.get(court=court, name="立案庭"), roles=(Role.ADMIN,))
    client.force_login(person.user)
    response = client.get("/")
    assert URL in [entry["url"] for entry in response.context["nav_entries"]]
    assert client.get(URL).status_code == 200


def test_court_admin_may_only_touch_own_courts(client, demo_org):
    court = Court.objects.get(code="xiangyang")
    person = make_person(division=Division.objects.get(court=court, name="立案庭"), roles=(Role.ADMIN,))
    client.force_login(person.user)
    rows = [
        row(单位代码="xiangyang", 庭室="立案庭", 姓名="韩雪", 登录名="han_x"),
        row(单位代码="hgzy", 庭室="民事审判庭", 姓名="蒋文", 登录名="jiang_w"),
        row(单位代码="xiangyang", 姓名="系统管理员", 登录名="admin"),
        row(单位代码="xiangyang", 姓名="王晓东", 登录名="staff_demo"),
    ]
    response = upload(client, "roster.xlsx", xlsx_bytes(rows))
    outcome = response.context["outcome"]
    assert [r.number for r in outcome.error_rows] == [3, 4, 5]
    body = response.content.decode()
    assert "您无权管理单位“鹤岗市中级人民法院”的人员" in body
    assert "“admin”是超级管理员账号" in body
    assert "“staff_demo”是鹤岗市中级人民法院的人员，您无权修改" in body


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("roster.txt", b"hello", "只能导入 .xlsx 或 .csv 文件"),
        ("roster.xls", b"\xd0\xcf\x11\xe0", "不支持旧版 .xls 文件"),
        ("roster.pdf", b"%PDF-1.4", "只能导入 .xlsx 或 .csv 文件"),
        ("roster.csv", b"x" * (5 * 1024 * 1024 + 1), "文件超过 5 MB"),
        ("roster.xlsx", b"this is not a zip file", "无法读取该 Excel 文件"),
        ("roster.csv", "姓名,登录名\n张三,zs\n".encode(), "缺少必需的列：单位代码"),
        ("roster.csv", "单位代码,姓名,登录名,籍贯\nhgzy,张三,zs,黑龙江\n".encode(), "无法识别的列：籍贯"),
        ("roster.csv", "单位代码,姓名,登录名\n".encode(), "没有人员数据"),
        ("roster.csv", b"", "\u6587\u4ef6\u662f\u7a7a\u7684"),
    ],
)
def test_bad_files_are_refused_with_a_message(client, login_as, name, content, message):
    login_as("admin")
    before = snapshot()
    response = upload(client, name, content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not response.context.get("token")
    assert snapshot() == before


def test_too_many_rows_are_refused(client, login_as, settings):
    from hkcourt.org import resources

    login_as("admin")
    many = [row(单位代码="hgzy", 姓名=f"人员{i}", 登录名=f"p{i}") for i in range(resources.MAX_ROWS + 1)]
    response = upload(client, "roster.csv", csv_bytes(many))
    assert f"文件超过 {resources.MAX_ROWS} 行人员" in response.content.decode()
    assert not Person.objects.filter(user__username="p0").exists()


def test_confirm_revalidates_the_stored_file(client, login_as):
    login_as("admin")
    response = upload(client, "roster.xlsx", xlsx_bytes(GOOD_ROWS))
    assert response.context["token"]
    # Meanwhile somebody registers the new court's name under another code.
    Court.objects.create(name="鹤岗市测试区人民法院", code="other", parent=Court.objects.get(code="hgzy"))
    before = snapshot()
    done = confirm(client, response)
    body = done.content.decode()
    assert "确认导入时重新检查发现错误" in body
    assert "“鹤岗市测试区人民法院”已登记，其单位代码是“other”" in body
    assert snapshot() == before


def test_confirm_needs_the_sessions_token(client, login_as):
    login_as("admin")
    upload(client, "roster.xlsx", xlsx_bytes(GOOD_ROWS))
    before = snapshot()
    response = client.post(URL, {"confirm": "1", "token": "forged"}, follow=True)
    assert "这次导入已失效" in response.content.decode()
    assert snapshot() == before


def test_confirm_twice_imports_once(client, login_as):
    login_as("admin")
    response = upload(client, "roster.xlsx", xlsx_bytes(GOOD_ROWS))
    confirm(client, response)
    again = client.post(URL, {"confirm": "1", "token": response.context["token"]}, follow=True)
    assert "这次导入已失效" in again.content.decode()
    assert AuditEntry.objects.filter(action="org.roster_import").count() == 1


def test_cancel_discards_the_pending_file(client, login_as):
    login_as("admin")
    response = upload(client, "roster.xlsx", xlsx_bytes(GOOD_ROWS))
    client.post(URL, {"cancel": "1"})
    again = client.post(URL, {"confirm": "1", "token": response.context["token"]}, follow=True)
    assert "这次导入已失效" in again.content.decode()
    assert not Person.objects.filter(user__username="qian_sh").exists()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_template_downloads_and_imports_cleanly(client, login_as, fmt):
    login_as("admin")
    response = client.get(reverse("org:roster_template", args=[fmt]))
    assert response.status_code == 200
    assert f".{fmt}" in response["Content-Disposition"]
    content = response.content
    if fmt == "csv":
        assert content.startswith(b"\xef\xbb\xbf")
        assert content.decode("utf-8-sig").splitlines()[0] == ",".join(COLUMNS)
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
        assert [c.value for c in sheet[1]] == COLUMNS
    preview = upload(client, f"template.{fmt}", content)
    assert not preview.context["outcome"].has_errors
    assert [r.username for r in preview.context["outcome"].rows] == ["zhangsan"]


def test_exported_roster_reimports_without_changes(client, login_as):
    login_as("admin")
    exported = client.get(reverse("org:roster_export", args=["xlsx"]))
    assert exported.status_code == 200
    before = snapshot()
    response = upload(client, "export.xlsx", exported.content)
    outcome = response.context["outcome"]
    assert not outcome.has_errors, outcome.error_rows[:3]
    assert len(outcome.rows) == Person.objects.count()
    assert {r.status for r in outcome.rows} == {"unchanged"}
    confirm(client, response)
    after = snapshot()
    assert after.pop("audit") == before.pop("audit") + 1
    assert after == before


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_csv_with_other_separators(client, login_as, delimiter):
    login_as("admin")
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter)
    writer.writerow(COLUMNS)
    writer.writerows(GOOD_ROWS)
    response = upload(client, "roster.csv", text.getvalue().encode("gbk"))
    assert not response.context["outcome"].has_errors
    assert [r.username for r in response.context["outcome"].rows] == ["qian_sh", "sun_my", "feng_gd", "chu_lj"]


def test_court_admin_cannot_drop_own_admin_role(client, demo_org):
    court = Court.objects.get(code="xiangyang")
    person = make_person(division=Division.objects.get(court=court, name="立案庭"), roles=(Role.ADMIN,))
    client.force_login(person.user)
    values = row(单位代码="xiangyang", 庭室="立案庭", 姓名=person.full_name, 登录名=person.user.username, 角色="干警")
    response = upload(client, "roster.csv", csv_bytes([values]))
    (bad,) = response.context["outcome"].error_rows
    assert bad.errors == ["【角色】不能撤销自己的“系统管理员”角色。"]  # the rule org.revoke_role says so
    assert RoleAssignment.objects.filter(user=person.user, role=Role.ADMIN).exists()


def test_account_without_person_is_attached_only_by_a_superuser(client, demo_org):
    User.objects.create_user(username="bare_account", password="x-secret-123")
    values = row(单位代码="xiangyang", 庭室="立案庭", 姓名="许晴", 登录名="bare_account")
    court = Court.objects.get(code="xiangyang")
    court_admin = make_person(division=Division.objects.get(court=court, name="立案庭"), roles=(Role.ADMIN,))
    client.force_login(court_admin.user)
    response = upload(client, "roster.csv", csv_bytes([values]))
    assert "账号“bare_account”已存在但没有人员信息，只有超级管理员可以导入" in response.content.decode()

    client.force_login(User.objects.get(username="admin"))
    response = upload(client, "roster.csv", csv_bytes([values]))
    assert [r.status for r in response.context["outcome"].rows] == ["new"]
    confirm(client, response)
    person = Person.objects.get(user__username="bare_account")
    assert person.court == court and person.user.check_password("x-secret-123")


def test_court_admin_exports_only_own_courts_people(client, demo_org):
    court = Court.objects.get(code="xiangyang")
    court_admin = make_person(division=Division.objects.get(court=court, name="立案庭"), roles=(Role.ADMIN,))
    client.force_login(court_admin.user)
    response = client.get(reverse("org:roster_export", args=["csv"]))
    assert response.status_code == 200
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == ",".join(COLUMNS)
    codes = {line.split(",")[0] for line in lines[1:]}
    assert codes == {"xiangyang"}
    assert len(lines) - 1 == Person.objects.filter(court=court).count()
    assert "staff_demo" not in response.content.decode()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_template_imports_while_working_in_english(client, login_as, fmt, settings):
    """The template's example row is Chinese (干警, 审判): it imports whatever the administrator's language."""
    login_as("admin")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    content = client.get(reverse("org:roster_template", args=[fmt])).content
    preview = upload(client, f"template.{fmt}", content)
    assert not preview.context["outcome"].has_errors, preview.context["outcome"].error_rows[:3]


def test_roles_and_division_kinds_in_english_import_while_working_in_chinese(client, login_as):
    from django.utils import translation

    with translation.override("en"):
        roles = f"{Role.STAFF.label}, {Role.DIVISION_HEAD.label}"
        kind = str(DivisionKind.TRIAL.label)
    assert " " in roles.split(", ")[1]  # a label of two words stays one label
    login_as("admin")
    english = row(
        单位代码="hgzy", 庭室="少年审判庭", 庭室类别=kind.upper(), 姓名="钱少华", 登录名="qian_sh", 角色=roles
    )
    response = upload(client, "roster.csv", csv_bytes([english]))
    assert not response.context["outcome"].has_errors, response.context["outcome"].error_rows[:3]
    confirm(client, response)
    person = Person.objects.get(user__username="qian_sh")
    assert set(RoleAssignment.objects.filter(user=person.user).values_list("role", flat=True)) == {
        Role.STAFF,
        Role.DIVISION_HEAD,
    }
    assert Division.objects.get(court__code="hgzy", name="少年审判庭").kind == DivisionKind.TRIAL
