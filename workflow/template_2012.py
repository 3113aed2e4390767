"""The built-in template: the Hegang Intermediate People's Court's 2012–2013 work plan
(鹤岗市中级人民法院2012—2013年度推进廉政风险防控工作方案), its four phases with their real dates and
the tasks each phase names. The plan gives phase dates only; task deadlines inside a phase are staged
so that the work follows the plan's order (清权确权 before 查找 before 定级).

Plain data, so that the data migration and the services install it the same way.
"""

import datetime as dt

from hkcourt.org.roles import Role

BUILTIN_KEY = "hgzy-2012-2013"
NAME = "鹤岗市中级人民法院2012—2013年度推进廉政风险防控工作方案"
YEAR = 2012

D = dt.date
S, H, OFF = Role.STAFF.value, Role.DIVISION_HEAD.value, Role.OFFICE.value

# (number, name, start, end, summary, [(code, title, deadline, role, measure_key, reminder_days, description)])
PHASES = [
    (
        1,
        "全面启动",
        D(2012, 9, 24),
        D(2012, 10, 24),
        "学习宣传、制定方案、动员部署。",
        # In the plan's order: (一)学习宣传, (二)制定方案, (三)动员部署 — deadlines staged the same way.
        [
            (
                "study",
                "学习宣传",
                D(2012, 10, 10),
                H,
                "",
                "7,1",
                "组织干警学习廉政风险防控的要求和部署，上传学习记录。",
            ),
            (
                "plan",
                "制定方案",
                D(2012, 10, 17),
                OFF,
                "",
                "7,1",
                "在原有方案基础上总结修改，使之更符合实际、更具操作性。",
            ),
            (
                "mobilise",
                "动员部署",
                D(2012, 10, 24),
                OFF,
                "",
                "7,1",
                "召开专题会议，主要领导作动员讲话，有关人员参加业务培训。",
            ),
        ],
    ),
    (
        2,
        "排查廉政风险",
        D(2012, 10, 25),
        D(2013, 2, 15),
        "清权确权、查找廉政风险（岗位、庭室、单位）、确定风险等级。",
        [
            (
                "powers",
                "清权确权",
                D(2012, 11, 30),
                H,
                "",
                "7,1",
                "编制职权目录和岗位权力说明书，绘制权力运行流程图，找出薄弱环节。",
            ),
            (
                "find-risks",
                "查找廉政风险",
                D(2013, 1, 15),
                S,
                "risk_post_submitted",
                "7,1",
                "每名干警结合岗位职责查找岗位风险点及主要表现形式（自己找、群众提、互相查、领导点）。",
            ),
            (
                "grade",
                "确定风险等级",
                D(2013, 1, 20),
                H,
                "risk_graded",
                "7,1",
                "庭室负责人按权力重要程度、自由裁量权大小、发生概率和危害程度评定高、中、低等级。",
            ),
            (
                "confirm",
                "组织评、集体定并公示",
                D(2013, 2, 15),
                OFF,
                "",
                "7,1",
                "领导小组办公室组织评定、集体确定风险点，并予以公示，接受群众监督。",
            ),
        ],
    ),
    (
        3,
        "制定防控措施",
        D(2013, 2, 16),
        D(2013, 5, 15),
        "岗位定措施、部门定流程、单位定制度。",
        [
            (
                "catalogue",
                "列出职权目录",
                D(2013, 3, 15),
                H,
                "",
                "7,1",
                "列出职权目录，分解到庭室，明确每名干警的岗位职责。",
            ),
            (
                "structure",
                "健全权力结构",
                D(2013, 3, 31),
                OFF,
                "",
                "7,1",
                "健全议事规则、决策权限和程序，完善“三重一大”防控措施。",
            ),
            (
                "process",
                "改进工作流程",
                D(2013, 4, 15),
                H,
                "",
                "7,1",
                "梳理工作程序和业务流程，编制岗位权力运行流程图。",
            ),
            (
                "tiers",
                "实施分级管理",
                D(2013, 4, 15),
                OFF,
                "",
                "7,1",
                "高级风险由主要领导负责，中级由分管领导负责，低级由庭室负责人负责。",
            ),
            (
                "supervision",
                "强化监督制约",
                D(2013, 4, 30),
                OFF,
                "",
                "7,1",
                "建立共性、个性防控机制和廉政风险分析机制。",
            ),
            (
                "handling",
                "建立处置机制",
                D(2013, 5, 15),
                OFF,
                "",
                "7,1",
                "建立评估指标体系，多渠道采集风险信息，及时预警和处置。",
            ),
            (
                "letters",
                "签订承诺书",
                D(2013, 5, 15),
                S,
                "letters_signed",
                "7,1",
                "层层签订个人和庭室廉政风险防范承诺书。",
            ),
        ],
    ),
    (
        4,
        "巩固提高",
        D(2013, 5, 16),
        D(2013, 8, 15),
        "总结、考核验收、指标评估与整改。",
        [
            ("summary", "总结", D(2013, 6, 30), H, "", "7,1", "阶段性总结与全面总结相结合，查缺补漏。"),
            (
                "acceptance",
                "考核验收",
                D(2013, 7, 31),
                OFF,
                "",
                "7,1",
                "阶段性验收与全面考核相结合，结果纳入党风廉政建设责任制考核。",
            ),
            (
                "assessment",
                "指标评估与整改",
                D(2013, 8, 15),
                OFF,
                "",
                "7,1",
                "按指标体系检查评估，广泛征询意见，限期整改。",
            ),
        ],
    ),
]


def install(Campaign, Phase, PhaseTask):
    """Create the built-in template unless it exists (by its key). Works with the real models and with
    a migration's historical models."""
    campaign, created = Campaign.objects.get_or_create(
        builtin_key=BUILTIN_KEY,
        defaults={"name": NAME + "（模板）", "year": YEAR, "is_template": True, "covers_subordinates": True},
    )
    if not created:
        _follow_the_plans_order(campaign, PhaseTask)
        return campaign
    for number, name, start, end, summary, tasks in PHASES:
        phase = Phase.objects.create(campaign=campaign, number=number, name=name, start=start, end=end, summary=summary)
        for order, (code, title, deadline, role, measure, days, description) in enumerate(tasks):
            PhaseTask.objects.create(
                phase=phase,
                code=code,
                title=title,
                deadline=deadline,
                responsible_role=role,
                measure_key=measure,
                reminder_days=days,
                description=description,
                sort_order=order,
            )
    return campaign


def _follow_the_plans_order(campaign, PhaseTask, numbers=None) -> int:
    """A template installed before phase one's tasks were put in the plan's order (学习宣传 first) gets their
    deadlines and order from PHASES; idempotent, and only the built-in template (campaigns are the office's).
    ``numbers``: only these phases. Returns how many tasks changed."""
    changed = 0
    for number, _name, _start, _end, _summary, tasks in PHASES:
        if numbers is not None and number not in numbers:
            continue
        for order, (code, _title, deadline, *_rest) in enumerate(tasks):
            changed += (
                PhaseTask.objects.filter(phase__campaign=campaign, phase__number=number, code=code)
                .exclude(deadline=deadline, sort_order=order)
                .update(deadline=deadline, sort_order=order)
            )
    return changed


def reorder_phase_one(Campaign, PhaseTask) -> int:
    """Data migration 0008: an existing database's built-in template, if it has one, gets phase one's tasks in
    the plan's order (学习宣传、制定方案、动员部署) without waiting for :func:`install`. Idempotent."""
    campaign = Campaign.objects.filter(builtin_key=BUILTIN_KEY).first()
    return _follow_the_plans_order(campaign, PhaseTask, numbers=(1,)) if campaign else 0
