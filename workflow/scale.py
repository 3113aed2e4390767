"""A province's worth of data for the benchmark (issue 12): ``manage.py seed_scale``.

One high court, intermediate courts under it and basic courts under those (``/sc-h/sc-i01/sc-i01-b01/``);
the divisions, posts and catalogue of the demo (``hkcourt.org.demo``, ``risks.demo``) in every court;
people with every role; and years of campaigns' risk points (2012 to now) with the history a point in each
state has had through the services: a transition per step, the submitter's proposal and the reviewers'
gradings, key links, collective decisions, prevention measures, peer checks with their guardian grants,
and risk information (signals) from every channel.

Rows are written in bulk (``COPY`` on PostgreSQL, ``executemany`` elsewhere) with ids assigned here, in
chunks of a few tens of thousands of risk points per transaction; sequences are reset and the tables
analysed at the end. The services are bypassed on purpose (400,000 points through them would take hours),
so the generator follows their rules itself: the state paths of ``RiskPoint.TRANSITIONS``, the grade
suggestion of :func:`risks.services.suggest_grade`, the responsible-leader chain (高 → president, 中 →
deputy, 低 → head). Deterministic for a given ``seed``.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from hkcourt.org.demo import BASIC_DIVISIONS, DEMO_PASSWORD, GIVEN, INTERMEDIATE_DIVISIONS, SURNAMES
from hkcourt.org.models import Court, CourtLevel, Division, Person, Post, Role, RoleAssignment
from risks.demo import POWERS, RISKS, STEPS
from risks.measures.models import CourtRule, Measure, MeasureCategory, MeasureKind, MeasureStatus
from risks.models import (
    CollectiveDecision,
    Grade,
    GradingTier,
    KeyLink,
    Level,
    PeerCheck,
    Power,
    PowerStep,
    RiskGrading,
    RiskPoint,
    RiskPointUserObjectPermission,
    Source,
    State,
    Transition,
    campaign_label,
    campaign_year_of,
)
from risks.services import suggest_grade

from .oversight.models import Channel, Severity, Signal

User = get_user_model()

ROOT_CODE = "sc-h"
FIRST_YEAR = 2012
PROVINCE = "北江"


def _pairs(text):
    return [text[i : i + 2] for i in range(0, len(text), 2)]


CITIES = _pairs("松原临江白山通河青州安平丰宁云岭清源东阳望海西林南屏凤城北岗柳州宁远长湖")
DISTRICTS = _pairs("向阳工农南山兴安东山兴山红旗前进新华永安和平胜利友谊光明朝阳建设长安太平新兴民主团结城关东城西城")

# ------------------------------------------------------------------ distributions

LEVELS = ([Level.POST, Level.DIVISION, Level.COURT], [78, 16, 6])
SOURCES = (
    [Source.SELF, Source.LEADER, Source.PEER, Source.ORGANISATION, Source.COLLECTIVE, Source.PUBLIC],
    [50, 15, 12, 10, 8, 5],
)
_S = State
STATE_ORDER = [_S.DRAFT, _S.SUBMITTED, _S.RETURNED, _S.GRADED, _S.CONFIRMED, _S.PUBLISHED, _S.CONTROLLED, _S.RETIRED]
# The campaign running now has work in every state; last year's is mostly controlled; older ones are
# controlled or retired, with a tail of abandoned drafts and points nobody finished.
STATES_BY_AGE = {
    0: [30, 20, 6, 16, 12, 8, 5, 3],
    1: [4, 2, 1, 3, 6, 10, 64, 10],
    2: [3, 0.5, 0.5, 1, 2, 2, 77, 14],
}
# From which state a retired point was retired.
RETIRED_AFTER = ([_S.DRAFT, _S.SUBMITTED, _S.GRADED, _S.CONFIRMED, _S.CONTROLLED], [30, 25, 10, 5, 30])
GRADED_STATES = {_S.GRADED, _S.CONFIRMED, _S.PUBLISHED, _S.CONTROLLED}
CHANNELS = (
    [c.value for c in Channel],
    [8, 10, 6, 8, 20, 5, 4, 6, 5, 3, 25],
)
SEVERITIES = ([Severity.MINOR, Severity.SERIOUS, Severity.GRAVE], [65, 28, 7])

# ------------------------------------------------------------------ text

CASES = [
    "民间借贷",
    "买卖合同",
    "婚姻家庭",
    "机动车交通事故责任",
    "劳动争议",
    "房屋买卖合同",
    "建设工程施工合同",
    "金融借款合同",
    "物业服务合同",
    "刑事附带民事",
    "职务犯罪",
    "非法集资",
    "行政处罚",
    "土地征收补偿",
    "破产清算",
    "股权转让",
]
CONTEXTS = [
    "在办理{case}案件过程中，",
    "在{case}案件的{step}环节，",
    "本岗位在{step}工作中，",
    "近年来{case}案件数量增长较快，",
    "在日常工作中，",
    "",
]
DESC_TAILS = [
    "，容易导致案件处理结果不公，损害司法公信力",
    "，可能使当事人合法权益受到侵害并引发涉诉信访",
    "，存在以权谋私、利益输送的空间",
    "，现有监督制约机制难以及时发现",
    "，且相关环节缺少书面记录和全程留痕",
    "，在案多人少、审限紧张时更易发生",
    "，一旦发生将造成恶劣社会影响",
    "，与当事人及其代理人接触频繁，受请托的可能性较大",
    "，涉及财产数额较大，当事人请托意愿强烈",
    "，裁量幅度较宽，标准不够统一",
]
MANIFEST_EXTRA = [
    "接受当事人及其代理人宴请或者礼品、礼金",
    "违反规定会见当事人或其代理人",
    "利用职务便利为亲友插手案件",
    "对过问案件情况未按规定登记报告",
    "审批材料不全即予批准",
    "不按规定时限办理，人为拖延",
    "私下透露案件办理进展和合议情况",
    "应当回避而未主动申请回避",
    "办理过程缺少必要的记录和签字",
    "选择性适用裁量标准，同案不同处理",
    "与中介机构、律师不正当交往",
    "违规向当事人推荐律师或者中介",
]
ORDINALS = "一二三四五六七八"
RETURN_REASONS = [
    "表现形式写得过于笼统，请结合本岗位实际具体列明。",
    "所涉职权和环节选择有误，请核对职权目录后重新提交。",
    "风险点描述与本岗位职责关联不紧密，请补充具体情形。",
    "建议等级理由不充分，请说明评分依据。",
]
RETIRE_REASONS = [
    "该职权已调整至其他庭室，风险点撤销，另行登记。",
    "与本庭室已登记的风险点重复，予以撤销。",
    "岗位调整，原岗位风险点撤销。",
    "经集体研究，该情形已不属于廉政风险，予以撤销。",
]
GRADE_REASONS = [
    "该环节涉及大额财产处置，社会关注度高，等级上调。",
    "近年已有同类问题被信访举报，等级上调。",
    "该环节已实行网上办理、全程留痕，实际发生概率较低，等级下调。",
    "结合本院实际，裁量空间有限，等级下调。",
]
COMMENTS = [
    "风险点查找准确，建议补充与律师交往方面的表现形式。",
    "同意该风险点及等级，建议防控措施增加定期抽查。",
    "表现形式较全面，建议明确责任领导的监督方式。",
    "该环节在本庭也存在，建议统一防控措施。",
]
MEASURES = {
    MeasureKind.POST: [
        (MeasureCategory.EDUCATION, "岗位廉政谈话", "庭室负责人每季度与本岗位干警进行一次廉政谈话，并记录在案"),
        (MeasureCategory.SUPERVISION, "关键环节双人经办", "该环节实行双人经办、交叉复核，经办人与复核人分别签字"),
        (MeasureCategory.TECHNOLOGY, "网上办案全程留痕", "该环节的审批、变更一律在审判管理系统中办理，系统自动留痕"),
        (MeasureCategory.INSTITUTION, "落实回避与报告制度", "与当事人有利害关系的主动申请回避，接触当事人的当日报告"),
        (MeasureCategory.SUPERVISION, "案件质量评查", "每半年对本岗位办理的案件抽查评查，评查结果纳入考核"),
    ],
    MeasureKind.DIVISION: [
        (MeasureCategory.INSTITUTION, "优化审批流程", "明确审批层级与时限，超过时限由系统自动提示庭长"),
        (MeasureCategory.SUPERVISION, "庭务会集体研究", "涉及自由裁量的重大事项提交庭务会集体研究，会议纪要存档"),
        (MeasureCategory.TECHNOLOGY, "流程节点自动监控", "关键流程节点纳入审判管理系统监控，异常情况自动预警"),
    ],
    MeasureKind.COURT: [
        (MeasureCategory.INSTITUTION, "执行本院制度", "严格执行本院制度，领导小组办公室每季度检查落实情况"),
        (MeasureCategory.SUPERVISION, "党组集体决策", "重大事项一律提交党组会集体讨论决定，会议纪要存档备查"),
    ],
}
MEASURE_TAILS = [
    "，落实情况每季度向领导小组办公室报告。",
    "，由责任领导定期检查并签字确认。",
    "，检查结果纳入年度廉政考核。",
    "，发现问题及时整改并建立台账。",
]
RULES = [
    ("审判流程管理办法", "第一条 为规范审判流程，防止权力滥用，根据有关规定，结合本院实际，制定本办法。"),
    ("财产保全工作规定", "第一条 财产保全裁定一律经合议庭评议，执行前由庭长审批。"),
    ("委托评估拍卖工作规程", "第一条 评估、拍卖机构一律随机摇号选定，摇号过程全程录像。"),
    ("执行款物管理办法", "第一条 执行款一律进入法院专户，严禁截留、挪用。"),
    ("党组“三重一大”议事规则", "第一条 重大决策、重要人事任免、重大项目安排和大额资金使用必须集体讨论决定。"),
    ("物资采购与财务报销管理制度", "第一条 单笔五千元以上物资一律集中采购。"),
    ("干警八小时外行为规范", "第一条 严禁接受当事人及其代理人宴请、礼品。"),
]
SIGNAL_TOPICS = [
    (
        "来信反映{who}在执行款发放中拖延并暗示“意思意思”",
        "实名来信称，执行款到账两个月未发放，经办人多次以各种理由推脱。",
    ),
    ("案件评查发现评估机构选定程序不规范", "评查{n}件执行案件，其中{m}件未按规定摇号选定评估机构。"),
    ("审务督察发现庭审迟到、着装不规范", "督察组随机旁听{n}次庭审，发现{m}次庭审迟到超过十五分钟、着装不规范。"),
    ("群众反映立案窗口推诿、不一次性告知", "当事人反映到立案窗口{n}次，每次被要求补充不同材料。"),
    ("举报反映{who}与律师过从甚密", "匿名举报称{who}多次与某律师事务所律师在非工作场所聚餐。"),
    ("审计发现公务接待超标准", "专项审计发现{n}笔公务接待费用超出标准，审批手续不全。"),
    ("问卷调查显示当事人对调解满意度偏低", "回收问卷{n}份，认为调解中存在偏向一方当事人情形的占比较高。"),
    ("干部考核中群众评议反映工作作风问题", "民主测评中有{m}人反映工作推诿、办事拖拉。"),
    ("新闻媒体报道案件久拖不执", "媒体报道某{case}案件执行立案后{n}个月未采取有效执行措施。"),
]


# ------------------------------------------------------------------ bulk writing


def _copy_cell(value):
    if value is None:
        return r"\N"
    kind = type(value)
    if kind is int:
        return str(value)
    if kind is str:
        return value.translate(_ESCAPES)
    if kind is bool:
        return "t" if value else "f"
    if kind in (dt.datetime, dt.date):
        return value.isoformat()
    return str(value).translate(_ESCAPES)


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class Loader:
    """Writes rows in bulk with ids assigned here: ``COPY`` on PostgreSQL, ``executemany`` elsewhere."""

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"
        self.next_id = {}
        self.rows = defaultdict(int)
        self.seconds = defaultdict(float)
        self.models = []

    def ids(self, model, count: int) -> range:
        if model not in self.next_id:
            table = connection.ops.quote_name(model._meta.db_table)
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT MAX(id) FROM {table}")  # noqa: S608 (a model's own table name)
                self.next_id[model] = (cursor.fetchone()[0] or 0) + 1
            self.models.append(model)
        start = self.next_id[model]
        self.next_id[model] += count
        return range(start, start + count)

    def write(self, model, fields, rows):
        if not rows:
            return
        started = time.perf_counter()
        table = connection.ops.quote_name(model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(model._meta.get_field(f).column) for f in fields)
        with connection.cursor() as cursor:
            if self.postgres:
                buffer = io.StringIO()
                buffer.writelines("\t".join(map(_copy_cell, row)) + "\n" for row in rows)
                buffer.seek(0)
                cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)
            else:
                adapt = connection.ops.adapt_datetimefield_value
                rows = [
                    tuple(
                        adapt(v) if isinstance(v, dt.datetime) else v.isoformat() if type(v) is dt.date else v
                        for v in r
                    )
                    for r in rows
                ]
                marks = ", ".join(["%s"] * len(fields))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608
        self.rows[model._meta.db_table] += len(rows)
        self.seconds[model._meta.db_table] += time.perf_counter() - started

    def empty(self, models) -> bool:
        with connection.cursor() as cursor:
            for model in models:
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(model._meta.db_table)} LIMIT 1")  # noqa: S608
                if cursor.fetchone():
                    return False
        return True

    @contextmanager
    def indexes_deferred(self, models):
        """PostgreSQL, empty tables, inside one transaction: drop the tables' secondary indexes, unique
        constraints and foreign keys, copy the rows in, then build each index and check each constraint
        once over the whole table (as ``pg_restore`` does) instead of row by row. Elsewhere: nothing."""
        if not self.postgres or not self.empty(models):
            yield
            return
        quote = connection.ops.quote_name
        dropped = []  # (table, kind, name, definition)
        with connection.cursor() as cursor:
            for model in models:
                table = model._meta.db_table
                cursor.execute(
                    "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype IN ('f', 'u') ORDER BY contype DESC, conname",
                    [table],
                )
                dropped += [(table, kind, name, definition) for name, kind, definition in cursor.fetchall()]
                cursor.execute(
                    "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                    "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND NOT EXISTS "
                    "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1",
                    [table],
                )
                dropped += [(table, "i", name, definition) for name, definition in cursor.fetchall()]
            # Checks still deferred in this transaction run now: PostgreSQL refuses to alter a table that
            # has pending trigger events (rows written earlier in the same transaction, as in a test).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for table, kind, name, _definition in dropped:
                if kind == "i":
                    cursor.execute(f"DROP INDEX {name}")
                else:
                    cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
        yield
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            # Indexes first, then unique constraints, then foreign keys (checked against the new indexes).
            for table, kind, name, definition in sorted(dropped, key=lambda d: "iuf".index(d[1])):
                if kind == "i":
                    cursor.execute(definition)
                else:
                    cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
        self.seconds["(indexes and constraints)"] += time.perf_counter() - started

    def finish(self):
        """Sequences past the ids written here; fresh planner statistics."""
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), self.models):
                cursor.execute(sql)
            if self.postgres:
                for model in self.models:
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


# ------------------------------------------------------------------ the generator


@dataclass
class CourtInfo:
    id: int
    index: int
    level: str
    path: str
    name: str
    abbr: str
    people: int
    divisions: list = field(default_factory=list)  # [(id, name, kind, [(post_id, post_name)])]
    president: int | None = None
    deputies: dict = field(default_factory=dict)  # division id -> deputy user id
    heads: dict = field(default_factory=dict)  # division id -> head user id
    office: list = field(default_factory=list)  # office user ids (here or at the nearest court above)
    own_office: list = field(default_factory=list)  # office user ids of this court itself
    members: list = field(default_factory=list)  # (user_id, division_id, post_id) of division staff
    everyone: list = field(default_factory=list)  # every user id in the court
    powers: dict = field(default_factory=dict)  # division id or None -> [(power_id, name, area, major)]
    steps: dict = field(default_factory=dict)  # power id -> {step name: step id}
    rules: list = field(default_factory=list)
    decisions: dict = field(default_factory=dict)  # campaign year -> decision id
    sample_points: list = field(default_factory=list)


class ScaleSeeder:
    def __init__(
        self,
        *,
        courts=200,
        people=20000,
        risk_points=400000,
        signals=None,
        seed=2012,
        chunk=20000,
        campaigns=True,
        log=print,
    ):
        self.with_campaigns = campaigns
        self.n_courts = courts
        self.n_people = people
        self.n_points = risk_points
        self.n_signals = people // 2 if signals is None else signals
        self.rng = random.Random(seed)
        self.chunk = chunk
        self.log = log
        self.loader = Loader()
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.current_year = campaign_year_of(self.today)
        self.courts: list[CourtInfo] = []
        self.user_names = {}

    # ---------------------------------------------------------- helpers

    def pick(self, choices_weights):
        choices, weights = choices_weights
        return self.rng.choices(choices, weights)[0]

    def moment(self, year):
        """A random instant in the campaign year ``year`` (September to August), never in the future."""
        start = dt.datetime(year, 9, 1, 8, tzinfo=dt.UTC)
        end = min(dt.datetime(year + 1, 9, 1, tzinfo=dt.UTC), self.now - dt.timedelta(days=1))
        span = max((end - start).total_seconds(), 3600)
        return start + dt.timedelta(seconds=self.rng.random() * span)

    def later(self, moment, low=1, high=20):
        value = moment + dt.timedelta(days=self.rng.randint(low, high), seconds=self.rng.randint(0, 36000))
        return min(value, self.now - dt.timedelta(minutes=5))

    def name(self):
        rng = self.rng
        return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))

    # ---------------------------------------------------------- organisation

    def seed_org(self):
        load = self.loader
        n = self.n_courts
        n_mid = 0 if n < 2 else min(n - 1, max(1, round(n / 14)))
        n_basic = n - 1 - n_mid
        weights = [3] + [2] * n_mid + [1] * n_basic
        per_unit = self.n_people / sum(weights)
        sizes = [int(w * per_unit) for w in weights]
        for i in range(self.n_people - sum(sizes)):
            sizes[i % n] += 1
        ids = iter(load.ids(Court, n))
        rows = []
        root_id = next(ids)
        rows.append(
            (root_id, f"{PROVINCE}省高级人民法院", "省高院", ROOT_CODE, CourtLevel.HIGH, None, f"/{ROOT_CODE}/", 0)
        )
        self.courts.append(
            CourtInfo(root_id, 0, CourtLevel.HIGH, f"/{ROOT_CODE}/", rows[0][1], f"{PROVINCE[0]}高法", sizes[0])
        )
        mids = []
        for i in range(n_mid):
            city = CITIES[i % len(CITIES)] + (str(i // len(CITIES) + 1) if i >= len(CITIES) else "")
            code = f"sc-i{i + 1:02d}"
            path = f"/{ROOT_CODE}/{code}/"
            court_id = next(ids)
            rows.append(
                (court_id, f"{city}市中级人民法院", f"{city}中院", code, CourtLevel.INTERMEDIATE, root_id, path, i + 1)
            )
            info = CourtInfo(
                court_id, len(self.courts), CourtLevel.INTERMEDIATE, path, rows[-1][1], f"{city[0]}中法", 0
            )
            self.courts.append(info)
            mids.append((info, city, code))
        for j in range(n_basic):
            parent, city, parent_code = mids[j % n_mid]
            k = j // n_mid
            district = DISTRICTS[k % len(DISTRICTS)] + (str(k // len(DISTRICTS) + 1) if k >= len(DISTRICTS) else "")
            code = f"{parent_code}-b{k + 1:02d}"
            path = f"{parent.path}{code}/"
            court_id = next(ids)
            rows.append(
                (
                    court_id,
                    f"{city}市{district}区人民法院",
                    f"{district}区法院",
                    code,
                    CourtLevel.BASIC,
                    parent.id,
                    path,
                    k + 1,
                )
            )
            self.courts.append(CourtInfo(court_id, len(self.courts), CourtLevel.BASIC, path, rows[-1][1], "", 0))
        for info, size in zip(self.courts, sizes, strict=True):
            info.people = size
        load.write(Court, ["id", "name", "short_name", "code", "level", "parent_id", "path", "sort_order"], rows)

        division_rows, post_rows = [], []
        for court in self.courts:
            spec = BASIC_DIVISIONS if court.level == CourtLevel.BASIC else INTERMEDIATE_DIVISIONS
            for order, (name, kind, _title, posts) in enumerate(spec):
                division_id = load.ids(Division, 1)[0]
                division_rows.append((division_id, court.id, name, kind, order))
                post_list = []
                for p_order, (post_name, key) in enumerate(posts):
                    post_id = load.ids(Post, 1)[0]
                    post_rows.append((post_id, division_id, post_name, key, f"{post_name}岗位职责。", p_order))
                    post_list.append((post_id, post_name))
                court.divisions.append((division_id, name, kind, post_list))
        load.write(Division, ["id", "court_id", "name", "kind", "sort_order"], division_rows)
        load.write(Post, ["id", "division_id", "name", "is_key_post", "duties", "sort_order"], post_rows)
        self.seed_people()

    def seed_people(self):
        load = self.loader
        password = make_password(DEMO_PASSWORD)
        user_rows, person_rows, role_rows = [], [], []
        joined = self.now - dt.timedelta(days=365 * 3)

        def person(court, k, full_name, title, division_id=None, post_id=None):
            user_id = load.ids(User, 1)[0]
            username = f"sc{court.index:03d}_{k:03d}"
            user_rows.append(
                (user_id, password, False, username, "", "", f"{username}@court.local", False, True, joined)
            )
            person_rows.append((load.ids(Person, 1)[0], user_id, full_name, court.id, division_id, post_id, title))
            court.everyone.append(user_id)
            self.user_names[user_id] = full_name
            return user_id

        def role(user_id, code, court, division_id=None):
            role_rows.append((load.ids(RoleAssignment, 1)[0], user_id, code, court.id, division_id, ""))

        for court in self.courts:
            k = 0
            upper = court.level != CourtLevel.BASIC
            president = person(court, k, self.name(), "院长")
            role(president, Role.PRESIDENT, court)
            court.president = president
            if upper:
                role(president, Role.LEADING_GROUP, court)
            k += 1
            n_deputies = 2 if court.people >= 40 else (1 if court.people >= 15 else 0)
            deputies = []
            for _ in range(n_deputies):
                deputies.append(person(court, k, self.name(), "副院长"))
                k += 1
            for d, (division_id, *_rest) in enumerate(court.divisions):
                if deputies:
                    deputy = deputies[d % len(deputies)]
                    role(deputy, Role.DEPUTY_LEADER, court, division_id)
                    court.deputies[division_id] = deputy
            if upper:
                for _ in range(2):
                    role(person(court, k, self.name(), "党组成员"), Role.LEADING_GROUP, court)
                    k += 1
            remaining = court.people - k
            spec = {name: (title, kind) for name, kind, title, _posts in INTERMEDIATE_DIVISIONS + BASIC_DIVISIONS}
            for m in range(max(remaining, len(court.divisions))):
                division_id, division_name, _kind, posts = court.divisions[m % len(court.divisions)]
                post_id, post_name = posts[(m // len(court.divisions)) % len(posts)]
                first = m < len(court.divisions)
                title = spec[division_name][0] if first else post_name
                user_id = person(court, k, self.name(), title, division_id, post_id)
                k += 1
                role(user_id, Role.STAFF, court)
                if first:
                    role(user_id, Role.DIVISION_HEAD, court, division_id)
                    court.heads[division_id] = user_id
                if upper and division_name == "纪检监察室" and len(court.office) < 2:
                    role(user_id, Role.OFFICE, court)
                    court.office.append(user_id)
                court.members.append((user_id, division_id, post_id))
        by_path = {c.path: c for c in self.courts}
        for court in self.courts:  # a basic court's office work is done by the office of the court above
            court.own_office = list(court.office)
            parent = court
            while not parent.office and parent.path.count("/") > 2:
                parent = by_path[parent.path.rsplit("/", 2)[0] + "/"]
            court.office = court.office or parent.office or [court.president]
        load.write(
            User,
            ["id", "password", "is_superuser", "username", "first_name", "last_name", "email", "is_staff", "is_active"]
            + ["date_joined"],
            user_rows,
        )
        load.write(Person, ["id", "user_id", "full_name", "court_id", "division_id", "post_id", "title"], person_rows)
        load.write(RoleAssignment, ["id", "user_id", "role", "court_id", "division_id", "rank"], role_rows)

    # ---------------------------------------------------------- catalogue

    def seed_catalogue(self):
        load = self.loader
        power_rows, post_links, step_rows, next_rows, rule_rows = [], [], [], [], []
        for court in self.courts:
            by_name = {name: (division_id, posts) for division_id, name, _kind, posts in court.divisions}
            order = 0
            for division_name, specs in POWERS.items():
                if division_name is not None and division_name not in by_name:
                    continue
                division_id, posts = by_name.get(division_name, (None, []))
                for name, area, post_names, days, major, content, basis, supervision in specs:
                    order += 10
                    power_id = load.ids(Power, 1)[0]
                    power_rows.append(
                        (
                            power_id,
                            court.id,
                            division_id,
                            name,
                            content,
                            basis,
                            "符合法律规定的条件和本院工作规范的要求。",
                            "按本院工作流程和岗位职责办理，重要事项报庭室负责人或分管院领导审批。",
                            days,
                            supervision,
                            area,
                            major,
                            order,
                            True,
                        )
                    )
                    court.powers.setdefault(division_id, []).append((power_id, name, area, major))
                    for post_id, post_name in posts:
                        if post_name in post_names:
                            post_links.append((load.ids(Power.posts.through, 1)[0], power_id, post_id))
                    steps, by_order = {}, defaultdict(list)
                    for step_order, step_name, actor, step_days, _next in STEPS.get(name, []):
                        step_id = load.ids(PowerStep, 1)[0]
                        step_rows.append((step_id, power_id, step_order, step_name, actor, step_days, _next == []))
                        steps[step_name] = step_id
                        by_order[step_order].append(step_id)
                    for _order, step_name, _actor, _days, next_orders in STEPS.get(name, []):
                        for target_order in next_orders or []:
                            for target in by_order[target_order]:
                                next_rows.append(
                                    (load.ids(PowerStep.next_steps.through, 1)[0], steps[step_name], target)
                                )
                    court.steps[power_id] = steps
            if court.level != CourtLevel.BASIC:
                issuer = court.office[0]
                for n, (title, text) in enumerate(RULES):
                    rule_id = load.ids(CourtRule, 1)[0]
                    issued = dt.date(FIRST_YEAR + 1, 1, 1) + dt.timedelta(days=self.rng.randint(0, 365 * 3))
                    number = f"{court.abbr}发〔{issued.year}〕{n + 3}号"
                    body = text + "\n第二条 各庭室应当明确责任人，建立工作台账。\n第三条 本制度自印发之日起施行。"
                    rule_rows.append((rule_id, court.id, title, number, issued, body, "", "", issuer, self.now))
                    court.rules.append(rule_id)
        load.write(
            Power,
            ["id", "court_id", "division_id", "name", "content", "legal_basis", "conditions", "procedure"]
            + ["time_limit_days", "supervision", "business_area", "major_matter", "sort_order", "is_active"],
            power_rows,
        )
        load.write(Power.posts.through, ["id", "power_id", "post_id"], post_links)
        load.write(PowerStep, ["id", "power_id", "order", "name", "actor", "time_limit_days", "is_end"], step_rows)
        load.write(PowerStep.next_steps.through, ["id", "from_powerstep_id", "to_powerstep_id"], next_rows)
        load.write(
            CourtRule,
            ["id", "court_id", "title", "number", "issued_on", "text", "file", "file_name", "created_by_id"]
            + ["created_at"],
            rule_rows,
        )
        # Basic courts follow the rules of the court above them.
        by_path = {c.path: c for c in self.courts}
        for court in self.courts:
            if not court.rules and court.path.count("/") > 2:
                court.rules = by_path[court.path.rsplit("/", 2)[0] + "/"].rules

    # ---------------------------------------------------------- risk points

    def describe(self, base, step_name):
        rng = self.rng
        context = rng.choice(CONTEXTS).format(case=rng.choice(CASES), step=step_name or "办理")
        tails = rng.sample(DESC_TAILS, rng.choice((1, 2)))
        return context + base + "；".join(tail.lstrip("，") for tail in tails).join(("，", "。"))

    def manifest(self, base):
        rng = self.rng
        items = [item for item in base.split("；") if item]
        items += rng.sample(MANIFEST_EXTRA, rng.randint(1, 4))
        return "\n".join(f"{ORDINALS[i]}是{item}；" for i, item in enumerate(items[:8]))[:-1] + "。"

    def seed_points(self):
        key_links = {}
        for link_id, area, name in KeyLink.objects.values_list("id", "area", "name"):
            key_links[(area, name)] = link_id
            key_links.setdefault((None, name), link_id)
        years = list(range(FIRST_YEAR, self.current_year + 1))
        year_weights = [1 + 0.08 * (y - FIRST_YEAR) for y in years]
        court_weights = [len(c.members) for c in self.courts]
        view = Permission.objects.get(content_type__app_label="risks", codename="view_riskpoint").pk
        self.view_permission = view
        written = 0
        while written < self.n_points:
            size = min(self.chunk, self.n_points - written)
            with transaction.atomic():
                self._point_chunk(size, years, year_weights, court_weights, key_links)
            written += size
            self.log(f"  风险点 {written:,}/{self.n_points:,}")

    def _point_chunk(self, size, years, year_weights, court_weights, key_links):
        load, rng = self.loader, self.rng
        points, links, gradings, transitions, measures, checks, grants, decisions = [], [], [], [], [], [], [], []
        ids = iter(load.ids(RiskPoint, size))
        courts = rng.choices(self.courts, court_weights, k=size)
        for court in courts:
            pid = next(ids)
            year = rng.choices(years, year_weights)[0]
            age = min(self.current_year - year, 2)
            state = rng.choices(STATE_ORDER, STATES_BY_AGE[age])[0]
            level = self.pick(LEVELS)
            user_id, division_id, post_id = rng.choice(court.members)
            if level == Level.DIVISION:
                user_id, post_id = court.heads[division_id], None
            elif level == Level.COURT:
                user_id, division_id, post_id = rng.choice([*court.own_office, court.president]), None, None
            powers = court.powers.get(division_id) or court.powers.get(None) or []
            power_id = step_id = None
            area, step_name, base_desc, base_manif, link_names = None, "", None, None, []
            if powers and rng.random() < 0.9:
                power_id, power_name, area, _major = rng.choice(powers)
                risks = RISKS.get(power_name)
                if risks:
                    base_desc, base_manif, link_names, step_name = rng.choice(risks)
                    step_id = court.steps.get(power_id, {}).get(step_name) if rng.random() < 0.85 else None
            if base_desc is None:
                power_id = power_id if rng.random() < 0.5 else None
                base_desc, base_manif = rng.choice(list(RISKS.values()))[0][:2]
            created = self.moment(year)

            # The path the point took through the services.
            if state == _S.RETIRED:
                after = self.pick(RETIRED_AFTER)
                path = self._path(after) + [_S.RETIRED]
            else:
                path = self._path(state)
            reached_graded = any(s in GRADED_STATES for s in path)
            reached_confirmed = _S.CONFIRMED in path
            moments = [created]
            for _ in path[1:]:
                moments.append(self.later(moments[-1]))
            reviewer = court.heads.get(division_id) if level == Level.POST else None
            if reviewer in (None, user_id):
                reviewer = court.deputies.get(division_id) or court.president
            confirmer = rng.choice(court.office)

            factors = [rng.choice((1, 2, 2, 3)) for _ in range(4)]
            suggested = suggest_grade(
                dict(zip(("importance", "discretion", "probability", "harm"), factors, strict=True))
            )
            grade = ""
            if reached_graded:
                grade = suggested
                reason = ""
                if rng.random() < 0.12:
                    grade = rng.choice([g for g in Grade.values if g != suggested])
                    reason = rng.choice(GRADE_REASONS)
                graded_at = moments[path.index(_S.GRADED)]
                gradings.append(
                    (
                        load.ids(RiskGrading, 1)[0],
                        pid,
                        GradingTier.REVIEW,
                        *factors,
                        suggested,
                        grade,
                        reason,
                        reviewer,
                        graded_at,
                    )
                )
                if reached_confirmed and rng.random() < 0.3:
                    adjusted = rng.choice(Grade.values)
                    reason = "" if adjusted == suggested else rng.choice(GRADE_REASONS)
                    at = moments[path.index(_S.CONFIRMED)]
                    gradings.append(
                        (
                            load.ids(RiskGrading, 1)[0],
                            pid,
                            GradingTier.CONFIRMATION,
                            *factors,
                            suggested,
                            adjusted,
                            reason,
                            court.president,
                            at,
                        )
                    )
                    grade = adjusted
            if rng.random() < 0.8:
                proposal = [min(3, max(1, f + rng.choice((-1, 0, 0, 1)))) for f in factors]
                suggested_p = suggest_grade(
                    dict(zip(("importance", "discretion", "probability", "harm"), proposal, strict=True))
                )
                gradings.append(
                    (
                        load.ids(RiskGrading, 1)[0],
                        pid,
                        GradingTier.PROPOSAL,
                        *proposal,
                        suggested_p,
                        suggested_p,
                        "",
                        user_id,
                        created,
                    )
                )
            leader = None
            if grade:
                if grade == Grade.HIGH or division_id is None:
                    leader = court.president
                elif grade == Grade.MEDIUM:
                    leader = court.deputies.get(division_id) or court.president
                else:
                    leader = court.heads.get(division_id) or court.deputies.get(division_id) or court.president
            decision = None
            if reached_confirmed:
                decision = court.decisions.get(year)
                if decision is None:
                    decision = court.decisions[year] = load.ids(CollectiveDecision, 1)[0]
                    day = timezone.localtime(moments[path.index(_S.CONFIRMED)]).date()
                    decisions.append(
                        (
                            decision,
                            court.id,
                            day,
                            "院长、分管院领导、领导小组成员、领导小组办公室全体人员",
                            f"{campaign_label(year)}廉政风险点集体审议：会议对各庭室报送并经评定的廉政风险点逐项审议，"
                            "集体确定风险等级，同意按程序予以公示。",
                            confirmer,
                            moments[path.index(_S.CONFIRMED)],
                        )
                    )
            publicity_ends = None
            if _S.PUBLISHED in path:
                published = timezone.localtime(moments[path.index(_S.PUBLISHED)]).date()
                publicity_ends = published + dt.timedelta(days=rng.choice((15, 20, 30)))

            previous = ""
            for to, at in zip(path, moments, strict=True):
                actor, reason = user_id, ""
                if to in (_S.RETURNED, _S.GRADED):
                    actor = reviewer
                    reason = rng.choice(RETURN_REASONS) if to == _S.RETURNED else ""
                elif to in (_S.CONFIRMED, _S.PUBLISHED, _S.CONTROLLED, _S.RETIRED):
                    actor = confirmer
                    if to == _S.RETIRED:
                        reason = rng.choice(RETIRE_REASONS)
                    elif to == _S.PUBLISHED:
                        reason = f"公示至{publicity_ends}"
                    elif to == _S.CONFIRMED:
                        reason = "集体决定确定"
                    else:
                        reason = "已制定防控措施并落实。"
                transitions.append((load.ids(Transition, 1)[0], pid, actor, at, previous, to, reason))
                previous = to
            updated = moments[-1]
            description = self.describe(base_desc, step_name)
            points.append(
                (
                    pid,
                    court.id,
                    division_id,
                    post_id,
                    user_id,
                    level,
                    power_id,
                    step_id,
                    description,
                    self.manifest(base_manif),
                    self.pick(SOURCES),
                    state,
                    grade,
                    leader,
                    decision,
                    publicity_ends,
                    year,
                    len(path),
                    created,
                    updated,
                )
            )
            chosen = [key_links.get((area, n)) or key_links.get((None, n)) for n in link_names]
            for link in {c for c in chosen if c}:
                links.append((load.ids(RiskPoint.key_links.through, 1)[0], pid, link))
            if len(court.sample_points) < 40 and state != _S.DRAFT:
                court.sample_points.append((pid, user_id, division_id))

            # Prevention measures once a point is confirmed.
            if reached_confirmed and state != _S.RETIRED or (state == _S.RETIRED and _S.CONTROLLED in path):
                count = {_S.CONFIRMED: rng.random() < 0.5, _S.PUBLISHED: 1}.get(state, rng.choice((1, 1, 2)))
                kind = {Level.POST: MeasureKind.POST, Level.DIVISION: MeasureKind.DIVISION}.get(
                    level, MeasureKind.COURT
                )
                for _ in range(int(count)):
                    measures.append(self._measure(pid, court, division_id, kind, user_id, state, moments, path, leader))
            # 互相查: a colleague checks a few points, with a guardian view grant.
            if state != _S.DRAFT and rng.random() < 0.01 and len(court.everyone) > 2:
                reviewer_id = rng.choice(court.everyone)
                if reviewer_id != user_id:
                    requested = moments[1] if len(moments) > 1 else created
                    commented = self.later(requested, 1, 10) if rng.random() < 0.7 else None
                    checks.append(
                        (
                            load.ids(PeerCheck, 1)[0],
                            pid,
                            reviewer_id,
                            court.heads.get(division_id) or court.office[0],
                            requested,
                            rng.choice(COMMENTS) if commented else "",
                            commented,
                        )
                    )
                    grants.append(
                        (load.ids(RiskPointUserObjectPermission, 1)[0], pid, self.view_permission, reviewer_id)
                    )

        load.write(
            CollectiveDecision,
            ["id", "court_id", "date", "participants", "minutes", "created_by_id", "created_at"],
            decisions,
        )
        load.write(
            RiskPoint,
            ["id", "court_id", "division_id", "post_id", "owner_id", "level", "power_id", "step_id", "description"]
            + ["manifestations", "source", "state", "grade", "responsible_leader_id", "decision_id", "publicity_ends"]
            + ["campaign_year", "version", "created_at", "updated_at"],
            points,
        )
        load.write(RiskPoint.key_links.through, ["id", "riskpoint_id", "keylink_id"], links)
        load.write(
            RiskGrading,
            ["id", "risk_point_id", "tier", "importance", "discretion", "probability", "harm", "suggested", "grade"]
            + ["reason", "graded_by_id", "graded_at"],
            gradings,
        )
        load.write(
            Transition,
            ["id", "risk_point_id", "actor_id", "created_at", "from_state", "to_state", "reason"],
            transitions,
        )
        load.write(
            Measure,
            ["id", "risk_point_id", "court_id", "division_id", "kind", "category", "title", "description", "rule_id"]
            + ["owner_id", "deadline", "status", "in_place_at", "in_place_note", "checked_at", "checked_by_id"]
            + ["check_note", "acknowledged_by_id", "acknowledged_at", "created_by_id", "created_at", "updated_at"],
            measures,
        )
        load.write(
            PeerCheck,
            ["id", "risk_point_id", "reviewer_id", "requested_by_id", "requested_at", "comment", "commented_at"],
            checks,
        )
        load.write(RiskPointUserObjectPermission, ["id", "content_object_id", "permission_id", "user_id"], grants)

    def _path(self, state):
        """The states a point went through to reach ``state``; one in ten was returned once on the way."""
        order = [_S.DRAFT, _S.SUBMITTED, _S.GRADED, _S.CONFIRMED, _S.PUBLISHED, _S.CONTROLLED]
        if state == _S.RETURNED:
            return [_S.DRAFT, _S.SUBMITTED, _S.RETURNED]
        path = order[: order.index(state) + 1]
        if len(path) > 2 and self.rng.random() < 0.1:
            path[2:2] = [_S.RETURNED, _S.SUBMITTED]
        return path

    def _measure(self, pid, court, division_id, kind, owner, state, moments, path, leader):
        rng = self.rng
        category, title, text = rng.choice(MEASURES[kind])
        created = moments[path.index(_S.CONFIRMED)]
        deadline = timezone.localtime(created).date() + dt.timedelta(days=rng.randint(20, 90))
        rule = rng.choice(court.rules) if kind == MeasureKind.COURT and court.rules and rng.random() < 0.8 else None
        in_place_at = checked_at = checker = acknowledged_by = acknowledged_at = None
        in_place_note = check_note = ""
        done = state == _S.CONTROLLED or (state == _S.RETIRED and _S.CONTROLLED in path)
        status = MeasureStatus.PLANNED
        if done or (state == _S.PUBLISHED and rng.random() < 0.5):
            status = MeasureStatus.IN_PLACE
            in_place_at = self.later(created, 5, 60)
            in_place_note = "已按要求落实，相关记录已存档。"
            if done and rng.random() < 0.7:
                status = MeasureStatus.CHECKED
                checked_at = self.later(in_place_at, 3, 30)
                checker = rng.choice(court.office)
                check_note = "经检查，措施落实到位。"
            if leader and rng.random() < 0.6:
                acknowledged_by, acknowledged_at = leader, self.later(in_place_at, 1, 10)
        updated = checked_at or in_place_at or created
        return (
            self.loader.ids(Measure, 1)[0],
            pid,
            court.id,
            division_id,
            kind,
            category,
            title,
            text + rng.choice(MEASURE_TAILS),
            rule,
            owner,
            deadline,
            status,
            in_place_at,
            in_place_note,
            checked_at,
            checker,
            check_note,
            acknowledged_by,
            acknowledged_at,
            court.heads.get(division_id) or court.office[0],
            created,
            max(updated, acknowledged_at or updated),
        )

    # ---------------------------------------------------------- signals and campaigns

    def seed_signals(self):
        load, rng = self.loader, self.rng
        rows = []
        weights = [c.people for c in self.courts]
        for court in rng.choices(self.courts, weights, k=self.n_signals):
            title, content = rng.choice(SIGNAL_TOPICS)
            person = division = point = None
            if court.sample_points and rng.random() < 0.3:
                point, person, division = rng.choice(court.sample_points)
            elif rng.random() < 0.6:
                person, division, _post = rng.choice(court.members)
            else:
                division = rng.choice(court.divisions)[0]
            who = self.user_names.get(person, "某干警")
            fill = {"who": who, "n": rng.randint(3, 30), "m": rng.randint(1, 3), "case": rng.choice(CASES)}
            received = self.today - dt.timedelta(days=rng.randint(0, 365 * 3))
            created = dt.datetime.combine(received, dt.time(9), tzinfo=dt.UTC) + dt.timedelta(hours=rng.randint(0, 30))
            rows.append(
                (
                    load.ids(Signal, 1)[0],
                    court.id,
                    division,
                    person,
                    point,
                    self.pick(CHANNELS),
                    self.pick(SEVERITIES),
                    title.format(**fill)[:120],
                    content.format(**fill) + "请领导小组办公室核查处理。",
                    received,
                    None,
                    rng.choice(court.office),
                    min(created, self.now),
                )
            )
        with transaction.atomic():
            load.write(
                Signal,
                ["id", "court_id", "division_id", "person_id", "risk_point_id", "channel", "severity", "title"]
                + ["content", "received_on", "feedback_id", "recorded_by_id", "created_at"],
                rows,
            )

    def seed_campaigns(self):
        """One province-wide campaign per year from the 2012–2013 template, through the service."""
        from . import services
        from .models import Campaign, Phase, PhaseState

        template = services.ensure_builtin_template()
        root = Court.objects.get(code=ROOT_CODE)
        office = User.objects.get(pk=self.courts[0].office[0])
        created = 0
        for year in range(FIRST_YEAR, self.current_year + 1):
            name = f"{PROVINCE}省法院{campaign_label(year)}廉政风险防控工作方案"
            if not Campaign.objects.filter(court=root, name=name).exists():
                services.copy_campaign(actor=office, source=template, court=root, name=name, start=dt.date(year, 9, 1))
                created += 1
        # Phases as the daily sweep would have left them (without its notices to every person).
        phases = Phase.objects.filter(campaign__court=root, campaign__is_template=False)
        phases.filter(end__lt=self.today).update(state=PhaseState.CLOSED)
        phases.filter(start__lte=self.today, end__gte=self.today).update(state=PhaseState.OPEN)
        return created

    # ---------------------------------------------------------- run

    BULK = (
        RiskPoint,
        RiskPoint.key_links.through,
        RiskGrading,
        Transition,
        Measure,
        PeerCheck,
        RiskPointUserObjectPermission,
    )

    def run(self):
        started = time.perf_counter()

        def timed(label, step):
            t = time.perf_counter()
            step()
            self.log(f"{label}: {time.perf_counter() - t:.1f} s")

        with transaction.atomic():
            timed("组织机构", self.seed_org)
            timed("职权目录", self.seed_catalogue)
        if self.loader.postgres and self.loader.empty(self.BULK):
            # One transaction: the indexes and constraints are dropped and rebuilt inside it.
            with transaction.atomic(), self.loader.indexes_deferred(self.BULK):
                timed("风险点", self.seed_points)
                timed("风险信息", self.seed_signals)
            self.log(f"索引与约束重建: {self.loader.seconds['(indexes and constraints)']:.1f} s")
        else:  # a transaction per chunk
            timed("风险点", self.seed_points)
            timed("风险信息", self.seed_signals)
        timed("序列与统计信息", self.loader.finish)
        if self.with_campaigns:
            self.log(f"工作方案: {self.seed_campaigns()} 个")
        return time.perf_counter() - started
