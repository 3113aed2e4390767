"""Demo organisation: the Hegang intermediate court, its basic courts, divisions, posts, about 60
fictional people and the documented demo accounts (password ``hegang2012``). Idempotent: every row is
found by its natural key before it is created, so running the seed twice changes nothing."""

import random

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from .models import Court, CourtLevel, Division, DivisionKind, Person, Post, Role, RoleAssignment
from .roles import GroupRank

DEMO_PASSWORD = "hegang2012"
User = get_user_model()

INTERMEDIATE = ("鹤岗市中级人民法院", "鹤岗中院", "hgzy")
BASIC_COURTS = [
    ("鹤岗市向阳区人民法院", "向阳区法院", "xiangyang"),
    ("鹤岗市工农区人民法院", "工农区法院", "gongnong"),
    ("鹤岗市南山区人民法院", "南山区法院", "nanshan"),
    ("鹤岗市兴安区人民法院", "兴安区法院", "xingan"),
    ("鹤岗市东山区人民法院", "东山区法院", "dongshan"),
    ("鹤岗市兴山区人民法院", "兴山区法院", "xingshan"),
    ("萝北县人民法院", "萝北县法院", "luobei"),
    ("绥滨县人民法院", "绥滨县法院", "suibin"),
]

T, E, A = DivisionKind.TRIAL, DivisionKind.ENFORCEMENT, DivisionKind.ADMINISTRATION
# (division, kind, head's title, [(post, key post?)])
INTERMEDIATE_DIVISIONS = [
    ("立案庭", T, "庭长", [("立案审查岗", True), ("诉讼服务岗", False)]),
    ("刑事审判庭", T, "庭长", [("审判长", True), ("审判员", True), ("书记员", False)]),
    ("民事审判庭", T, "庭长", [("审判长", True), ("审判员", True), ("书记员", False)]),
    ("行政审判庭", T, "庭长", [("审判员", True), ("书记员", False)]),
    ("审判监督庭", T, "庭长", [("审判员", True), ("书记员", False)]),
    ("执行局", E, "局长", [("执行员", True), ("评估拍卖岗", True), ("执行款管理岗", True)]),
    ("政治部", A, "主任", [("干部人事岗", True), ("教育培训岗", False)]),
    ("办公室", A, "主任", [("综合文秘岗", False), ("车辆管理岗", False)]),
    ("纪检监察室", A, "主任", [("纪检监察员", False)]),
    ("计划财务装备处", A, "处长", [("财务会计岗", True), ("物资采购岗", True), ("基建管理岗", True)]),
]
BASIC_DIVISIONS = [
    ("立案庭", T, "庭长", [("立案审查岗", True)]),
    ("刑事审判庭", T, "庭长", [("审判员", True)]),
    ("民事审判庭", T, "庭长", [("审判员", True), ("书记员", False)]),
    ("执行局", E, "局长", [("执行员", True)]),
    ("办公室", A, "主任", [("财务会计岗", True)]),
]

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"  # noqa: E501
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰晓东海波宁辉鹏飞丹婷雪梅春燕立新振华文博子涵思远浩然雨轩佳怡欣然"  # noqa: E501

# The documented demo accounts: username, name, court code (None: intermediate), division, post, title, roles.
ACCOUNTS = [
    ("staff_demo", "王晓东", None, "民事审判庭", "审判员", "审判员", [Role.STAFF]),
    ("head_demo", "李建国", None, "民事审判庭", "审判长", "庭长", [Role.STAFF, Role.DIVISION_HEAD]),
    ("deputy_demo", "赵振华", None, None, None, "副院长", [Role.DEPUTY_LEADER]),
    ("president_demo", "陈志远", None, None, None, "院长", [Role.PRESIDENT]),
    ("office_demo", "孙立新", None, "纪检监察室", "纪检监察员", "纪检监察室主任", [Role.STAFF, Role.OFFICE]),
    ("leader_demo", "周海波", None, None, None, "党组成员", [Role.LEADING_GROUP]),
    ("admin", "系统管理员", None, "办公室", "综合文秘岗", "系统管理员", [Role.ADMIN]),
]
DEPUTY_DEMO_DIVISIONS = ["民事审判庭", "行政审判庭", "立案庭"]
# The leading group (plan 三(一)): the president is 组长, a deputy president 副组长, the party group's other
# members 成员; its office is led by the head of 纪检监察室 (主任). deputy_demo keeps a deputy's reach only
# (the divisions it oversees), so the demo still shows that scope.
LEADING_GROUP_RANKS = {
    "president_demo": GroupRank.CHIEF,
    "deputy2": GroupRank.DEPUTY,
    "deputy3": GroupRank.MEMBER,
    "leader_demo": GroupRank.MEMBER,
}
OFFICE_RANKS = {"office_demo": GroupRank.CHIEF, "office_deputy": GroupRank.DEPUTY}
# The office's 副主任 (plan 五(一): its members are drawn from 监察室、政治部、机关党委): a cadre of 政治部, an
# account of its own so no documented demo account gains the office's reach.
OFFICE_DEPUTY = ("office_deputy", "马晓霞", "政治部", "干部人事岗", "政治部副主任")
OTHER_DEPUTIES = [
    ("deputy2", "吴文博", ["刑事审判庭", "审判监督庭", "执行局"]),
    ("deputy3", "郑佳怡", ["政治部", "办公室", "纪检监察室", "计划财务装备处"]),
]


def _names(seed=2012):
    rng = random.Random(seed)
    used = {a[1] for a in ACCOUNTS} | {d[1] for d in OTHER_DEPUTIES}
    while True:
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        if name not in used:
            used.add(name)
            yield name


_hashed = {}


def _user(username, *, superuser=False):
    user, created = User.objects.get_or_create(username=username)
    if created:
        # One hash for every demo account: hashing is deliberately slow, and these are demo passwords.
        if "pw" not in _hashed:
            _hashed["pw"] = make_password(DEMO_PASSWORD)
        user.password = _hashed["pw"]
        user.is_staff = superuser
        user.is_superuser = superuser
        user.email = f"{username}@court.local"
        user.save()
    return user


def _person(user, full_name, court, division=None, post=None, title=""):
    Person.objects.update_or_create(
        user=user, defaults={"full_name": full_name, "court": court, "division": division, "post": post, "title": title}
    )


def _role(user, role, court, division=None, rank=""):
    assignment, _ = RoleAssignment.objects.get_or_create(
        user=user, role=role, court=court, division=division, defaults={"rank": rank}
    )
    if rank and assignment.rank != rank:
        assignment.rank = rank
        assignment.save(update_fields=["rank"])


def _divisions(court, spec):
    result = {}
    for order, (name, kind, _title, posts) in enumerate(spec):
        division, _ = Division.objects.get_or_create(
            court=court, name=name, defaults={"kind": kind, "sort_order": order}
        )
        result[name] = division
        for post_order, (post_name, key) in enumerate(posts):
            Post.objects.get_or_create(
                division=division, name=post_name, defaults={"is_key_post": key, "sort_order": post_order}
            )
    return result


@transaction.atomic
def seed(log=print):
    name, short, code = INTERMEDIATE
    city, _ = Court.objects.get_or_create(
        code=code, defaults={"name": name, "short_name": short, "level": CourtLevel.INTERMEDIATE}
    )
    basics = []
    for order, (bname, bshort, bcode) in enumerate(BASIC_COURTS):
        court, _ = Court.objects.get_or_create(
            code=bcode,
            defaults={
                "name": bname,
                "short_name": bshort,
                "level": CourtLevel.BASIC,
                "parent": city,
                "sort_order": order,
            },
        )
        basics.append(court)

    city_divisions = _divisions(city, INTERMEDIATE_DIVISIONS)
    names = _names()

    for username, full_name, _court, division_name, post_name, title, roles in ACCOUNTS:
        user = _user(username, superuser=(username == "admin"))
        division = city_divisions.get(division_name) if division_name else None
        post = Post.objects.get(division=division, name=post_name) if division and post_name else None
        _person(user, full_name, city, division, post, title)
        for role in roles:
            if role == Role.DIVISION_HEAD:
                _role(user, role, city, division)
            elif role == Role.DEPUTY_LEADER:
                for dname in DEPUTY_DEMO_DIVISIONS:
                    _role(user, role, city, city_divisions[dname])
            elif role == Role.LEADING_GROUP:
                _role(user, role, city, rank=LEADING_GROUP_RANKS.get(username, GroupRank.MEMBER))
            elif role == Role.OFFICE:
                _role(user, role, city, rank=OFFICE_RANKS.get(username, GroupRank.MEMBER))
            else:
                _role(user, role, city)
        if username in LEADING_GROUP_RANKS and Role.LEADING_GROUP not in roles:
            _role(user, Role.LEADING_GROUP, city, rank=LEADING_GROUP_RANKS[username])

    for username, full_name, overseen in OTHER_DEPUTIES:
        user = _user(username)
        _person(user, full_name, city, None, None, "副院长")
        _role(user, Role.LEADING_GROUP, city, rank=LEADING_GROUP_RANKS.get(username, GroupRank.MEMBER))
        for dname in overseen:
            _role(user, Role.DEPUTY_LEADER, city, city_divisions[dname])

    username, full_name, dname, post_name, title = OFFICE_DEPUTY
    user = _user(username)
    division = city_divisions[dname]
    _person(user, full_name, city, division, Post.objects.get(division=division, name=post_name), title)
    _role(user, Role.STAFF, city)
    _role(user, Role.OFFICE, city, rank=OFFICE_RANKS[username])

    # Heads and staff of the intermediate court's divisions (the demo accounts fill some places).
    taken_heads = {"民事审判庭"}
    for order, (dname, _kind, head_title, _posts) in enumerate(INTERMEDIATE_DIVISIONS):
        division = city_divisions[dname]
        post_objs = list(Post.objects.filter(division=division).order_by("sort_order"))
        if dname not in taken_heads:
            user = _user(f"hgzy_d{order:02d}_head")
            _person(user, next(names), city, division, post_objs[0], head_title)
            _role(user, Role.STAFF, city)
            _role(user, Role.DIVISION_HEAD, city, division)
        for i in range(3 if dname not in ("纪检监察室", "办公室") else 2):
            user = _user(f"hgzy_d{order:02d}_s{i}")
            post = post_objs[(i + 1) % len(post_objs)]
            _person(user, next(names), city, division, post, post.name)
            _role(user, Role.STAFF, city)

    # Each basic court: a president, and a head plus staff for each of its divisions.
    for court in basics:
        divisions = _divisions(court, BASIC_DIVISIONS)
        user = _user(f"{court.code}_president")
        _person(user, next(names), court, None, None, "院长")
        _role(user, Role.PRESIDENT, court)
        for order, (dname, _kind, head_title, _posts) in enumerate(BASIC_DIVISIONS[:3]):
            division = divisions[dname]
            post = Post.objects.filter(division=division).order_by("sort_order").first()
            user = _user(f"{court.code}_d{order}_head")
            _person(user, next(names), court, division, post, head_title)
            _role(user, Role.STAFF, court)
            _role(user, Role.DIVISION_HEAD, court, division)
            if court.code in ("xiangyang", "gongnong", "nanshan"):
                user = _user(f"{court.code}_d{order}_s0")
                _person(user, next(names), court, division, post, post.name)
                _role(user, Role.STAFF, court)
    log(
        f"组织机构: {Court.objects.count()} 个法院, {Division.objects.count()} 个庭室, "
        f"{Post.objects.count()} 个岗位, {Person.objects.count()} 名人员"
    )
