"""Demo registry: a power catalogue for the Hegang intermediate court (and three basic courts), power
flowcharts, and risk points in every state, owned by the demo people. Idempotent: a court that already
has powers or risk points is left alone. The catalogue is bulk-inserted; the risk points are written by
``risks.services.record_risk_points`` (the bulk variant of the per-action services: every point gets the
transitions, versions, gradings and audit entries a real one has); one power is edited by its division head
through ``services.save_power``."""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from hkcourt.org.models import Court, Division, Person, Post, Role, RoleAssignment

from . import services
from .models import (
    CollectiveDecision,
    Grade,
    GradingTier,
    KeyLink,
    Level,
    Power,
    PowerStep,
    RiskGrading,
    RiskPoint,
    Source,
    State,
    campaign_year_of,
)
from .services import FACTORS, suggest_grade

CIVIL, CRIMINAL, ENF, PERS, LEAD, OTHER = "civil", "criminal", "enforcement", "personnel", "leadership", "other"
MSF = "《中华人民共和国民事诉讼法》"
XSF = "《中华人民共和国刑事诉讼法》"
XZF = "《中华人民共和国行政诉讼法》"

# division -> [(power, area, [posts], statutory days, 三重一大, content, legal basis, supervision)]
POWERS = {
    "立案庭": [
        (
            "立案审查",
            CIVIL,
            ["立案审查岗"],
            7,
            False,
            "对起诉、上诉、申请再审等材料进行审查，决定是否立案受理。",
            f"{MSF}第一百二十二条至第一百二十六条",
            "立案信息网上公开；立案监督；群众评议",
        ),
        (
            "诉讼费缓减免审批",
            CIVIL,
            ["立案审查岗"],
            7,
            False,
            "审查当事人缓交、减交、免交诉讼费用的申请并提出意见。",
            "《诉讼费用交纳办法》第四十四条至第五十一条",
            "庭长审批；计划财务装备处定期核查",
        ),
        (
            "诉前财产保全审查",
            CIVIL,
            ["立案审查岗"],
            2,
            False,
            "审查利害关系人在起诉前提出的财产保全申请，决定是否采取保全措施。",
            f"{MSF}第一百零四条",
            "保全裁定报庭长审批；保全情况登记备查",
        ),
        (
            "案件分配",
            CIVIL,
            ["诉讼服务岗"],
            None,
            False,
            "按照随机分案规则将立案案件分配至审判业务庭室和承办人。",
            "《人民法院审判流程管理规定》",
            "审判管理系统随机分案留痕；审判监督庭抽查",
        ),
        (
            "涉诉信访接待",
            OTHER,
            ["诉讼服务岗"],
            15,
            False,
            "接待涉诉来访群众，登记、分流和督办涉诉信访事项。",
            "《人民法院涉诉信访工作规定》",
            "信访登记系统；纪检监察室督办",
        ),
    ],
    "刑事审判庭": [
        (
            "刑事二审案件审理",
            CRIMINAL,
            ["审判长", "审判员"],
            60,
            False,
            "审理不服基层人民法院刑事判决、裁定的上诉和抗诉案件。",
            f"{XSF}第二百二十七条至第二百四十三条",
            "合议庭评议；审判委员会讨论；案件评查",
        ),
        (
            "量刑（从轻、减轻、免除处罚）",
            CRIMINAL,
            ["审判长", "审判员"],
            None,
            False,
            "依法认定从轻、减轻或者免除处罚情节，确定刑罚。",
            "《中华人民共和国刑法》第六十一条至第六十四条；《人民法院量刑指导意见》",
            "量刑规范化；合议庭评议；裁判文书公开",
        ),
        (
            "刑事发回重审",
            CRIMINAL,
            ["审判长", "审判员"],
            None,
            False,
            "对事实不清、证据不足或者违反法定程序的案件裁定撤销原判、发回重审。",
            f"{XSF}第二百三十六条、第二百三十八条",
            "发回重审案件报庭长审核；季度通报",
        ),
        (
            "减刑假释案件审理",
            CRIMINAL,
            ["审判员"],
            30,
            False,
            "审理执行机关提请的减刑、假释案件。",
            "《最高人民法院关于减刑、假释案件审理程序的规定》",
            "立案、裁定双公示；检察机关同步监督",
        ),
        (
            "取保候审决定",
            CRIMINAL,
            ["审判员"],
            None,
            False,
            "对被告人决定取保候审及其保证金、保证人。",
            f"{XSF}第六十七条至第七十一条",
            "庭长审批；保证金专户管理",
        ),
    ],
    "民事审判庭": [
        (
            "民事二审案件审理",
            CIVIL,
            ["审判长", "审判员"],
            90,
            False,
            "审理不服一审民事判决、裁定的上诉案件。",
            f"{MSF}第一百七十一条至第一百八十三条",
            "合议庭评议；审限管理；案件评查",
        ),
        (
            "诉讼保全裁定",
            CIVIL,
            ["审判员"],
            5,
            False,
            "对诉讼中的财产保全、行为保全申请作出裁定并交付执行。",
            f"{MSF}第一百零三条",
            "保全担保审查；庭长审批；保全解除登记",
        ),
        (
            "调解和解",
            CIVIL,
            ["审判长", "审判员"],
            None,
            False,
            "组织当事人调解，审查和解协议，制作调解书。",
            f"{MSF}第九十六条至第一百零二条",
            "调解自愿合法审查；回访当事人",
        ),
        (
            "委托鉴定",
            CIVIL,
            ["审判员", "书记员"],
            None,
            False,
            "依当事人申请或者依职权委托鉴定机构进行鉴定。",
            f"{MSF}第七十九条",
            "鉴定机构随机摇号；司法技术部门统一管理",
        ),
        (
            "民事发回重审",
            CIVIL,
            ["审判长"],
            None,
            False,
            "对原判决认定基本事实不清或者严重违反法定程序的案件裁定发回重审。",
            f"{MSF}第一百七十七条",
            "发回重审报审判委员会备案；季度通报",
        ),
    ],
    "行政审判庭": [
        (
            "行政案件审理",
            CIVIL,
            ["审判员"],
            90,
            False,
            "审理行政诉讼一审、二审案件。",
            f"{XZF}",
            "合议庭评议；审限管理；庭审公开",
        ),
        (
            "非诉行政执行审查",
            CIVIL,
            ["审判员"],
            30,
            False,
            "审查行政机关申请强制执行其行政行为的案件。",
            f"{XZF}第九十七条",
            "审查裁定报庭长审批",
        ),
        (
            "行政赔偿调解",
            CIVIL,
            ["审判员"],
            None,
            False,
            "对行政赔偿案件组织调解。",
            "《中华人民共和国国家赔偿法》",
            "调解协议审查；回访",
        ),
    ],
    "审判监督庭": [
        (
            "申请再审审查",
            CIVIL,
            ["审判员"],
            90,
            False,
            "审查当事人的再审申请，决定是否再审。",
            f"{MSF}第二百一十条至第二百一十一条",
            "听证；合议庭评议；审判委员会讨论",
        ),
        (
            "再审改判",
            CRIMINAL,
            ["审判员"],
            None,
            False,
            "对再审案件依法改判或者维持。",
            f"{XSF}第二百五十六条",
            "审判委员会讨论；院长签发",
        ),
        (
            "指令再审与提审",
            CIVIL,
            ["审判员"],
            None,
            False,
            "对下级法院案件指令再审或者提级审理。",
            f"{MSF}第二百零九条",
            "审判委员会决定；备案审查",
        ),
    ],
    "执行局": [
        (
            "执行实施",
            ENF,
            ["执行员"],
            180,
            False,
            "对生效法律文书采取查询、冻结、扣划、查封、扣押等执行措施。",
            f"{MSF}第三编；《最高人民法院关于人民法院执行工作若干问题的规定》",
            "执行流程节点管理；执行公开；执行回访",
        ),
        (
            "委托评估",
            ENF,
            ["评估拍卖岗"],
            None,
            False,
            "对查封、扣押财产委托评估机构进行评估。",
            "《最高人民法院关于人民法院委托评估、拍卖工作的若干规定》",
            "评估机构随机摇号；当事人到场",
        ),
        (
            "司法拍卖",
            ENF,
            ["评估拍卖岗"],
            30,
            False,
            "对被执行财产通过网络司法拍卖平台公开拍卖。",
            "《最高人民法院关于人民法院网络司法拍卖若干问题的规定》",
            "网络拍卖全程公开；纪检监察室监督",
        ),
        (
            "变卖",
            ENF,
            ["评估拍卖岗"],
            None,
            False,
            "对流拍或不宜拍卖的财产依法变卖。",
            "《最高人民法院关于人民法院民事执行中拍卖、变卖财产的规定》",
            "变卖价格合议；报局长审批",
        ),
        (
            "执行款发放",
            ENF,
            ["执行款管理岗"],
            30,
            False,
            "对执行到位的款项审核后发放给申请执行人。",
            "《最高人民法院关于执行款物管理工作的规定》",
            "执行款专户；一案一账号；财务复核",
        ),
        (
            "执行财产分割",
            ENF,
            ["执行员"],
            None,
            False,
            "对共有财产、多个债权人参与分配的财产进行分割和分配。",
            "《最高人民法院关于适用〈中华人民共和国民事诉讼法〉的解释》第五百零六条至第五百一十条",
            "分配方案送达各债权人；异议之诉",
        ),
    ],
    "政治部": [
        (
            "干部选拔任用",
            PERS,
            ["干部人事岗"],
            None,
            True,
            "组织民主推荐、考察、酝酿和讨论决定干部任用。",
            "《党政领导干部选拔任用工作条例》",
            "党组集体讨论；任前公示；纪检监察室全程监督",
        ),
        (
            "人员招录",
            PERS,
            ["干部人事岗"],
            None,
            False,
            "组织公务员、聘用制书记员招录考试和考察。",
            "《中华人民共和国公务员法》",
            "考试公开；成绩公示；纪检监察室监督",
        ),
        (
            "干部考核",
            PERS,
            ["干部人事岗"],
            None,
            False,
            "组织年度考核和平时考核，评定等次。",
            "《公务员考核规定》",
            "民主测评；考核结果公示",
        ),
        (
            "教育培训组织",
            PERS,
            ["教育培训岗"],
            None,
            False,
            "制定并组织实施干警教育培训计划。",
            "《干部教育培训工作条例》",
            "培训经费审批；培训档案",
        ),
    ],
    "办公室": [
        (
            "公务用车管理",
            PERS,
            ["车辆管理岗"],
            None,
            False,
            "公务用车的派遣、维修、加油和保险管理。",
            "《党政机关公务用车管理办法》",
            "派车单；车辆定位；费用公开",
        ),
        (
            "公文审核",
            OTHER,
            ["综合文秘岗"],
            None,
            False,
            "对以本院名义制发的公文进行审核。",
            "《党政机关公文处理工作条例》",
            "分级审核签发",
        ),
        (
            "公务接待管理",
            PERS,
            ["综合文秘岗"],
            None,
            False,
            "公务接待的审批、安排和费用结算。",
            "《党政机关国内公务接待管理规定》",
            "接待清单；费用公开",
        ),
    ],
    "纪检监察室": [
        (
            "违纪线索处置",
            OTHER,
            ["纪检监察员"],
            30,
            False,
            "对信访举报等渠道反映的问题线索进行登记、初核和处置。",
            "《人民法院监察工作条例》",
            "线索集体排查；处置情况报党组",
        ),
        (
            "审务督察",
            OTHER,
            ["纪检监察员"],
            None,
            False,
            "对审判执行工作和干警作风纪律进行明察暗访。",
            "《人民法院审务督察工作暂行规定》",
            "督察通报；整改跟踪",
        ),
    ],
    "计划财务装备处": [
        (
            "财务报销审核",
            PERS,
            ["财务会计岗"],
            10,
            False,
            "对各项费用报销单据的真实性、合规性进行审核。",
            "《行政单位财务规则》",
            "分级审批；国库集中支付；审计监督",
        ),
        (
            "政府采购",
            PERS,
            ["物资采购岗"],
            None,
            True,
            "组织办公设备、信息化设备等物资的政府采购。",
            "《中华人民共和国政府采购法》",
            "采购计划公开；集体议价；验收小组验收",
        ),
        (
            "基建工程管理",
            PERS,
            ["基建管理岗"],
            None,
            True,
            "审判法庭等基建工程的招标、施工管理和结算。",
            "《中华人民共和国招标投标法》",
            "公开招标；工程审计；党组集体决策",
        ),
        (
            "固定资产管理",
            PERS,
            ["财务会计岗"],
            None,
            False,
            "固定资产的登记、调拨、处置。",
            "《行政事业单位国有资产管理办法》",
            "年度清查；处置报批",
        ),
    ],
    None: [
        (
            "党组“三重一大”集体决策",
            LEAD,
            [],
            None,
            True,
            "党组对重大事项决策、重要干部任免、重大项目安排和大额度资金使用集体讨论决定。",
            "《关于进一步推进国有企业贯彻落实“三重一大”决策制度的意见》参照执行；本院党组议事规则",
            "会议纪要；纪检组列席；决策事项公开",
        ),
        (
            "大额资金使用审批",
            LEAD,
            [],
            None,
            True,
            "单笔五万元以上资金使用的审批。",
            "本院财务管理办法",
            "党组集体研究；审计监督",
        ),
    ],
}

# power -> [(order, step, actor, days, [next orders] or None)]: the flowcharts drawn for the demo
STEPS = {
    "立案审查": [
        (1, "接收起诉材料", "诉讼服务岗", 1, None),
        (2, "形式审查", "立案审查岗", 3, None),
        (3, "登记立案", "立案审查岗", 2, [5]),
        (3, "补正材料", "立案审查岗", 1, [2]),
        (3, "裁定不予受理", "庭长审批", 2, []),
        (5, "随机分案移送", "诉讼服务岗", 1, None),
    ],
    "诉前财产保全审查": [
        (1, "接收保全申请", "立案审查岗", 1, None),
        (2, "审查担保", "立案审查岗", 1, None),
        (3, "作出保全裁定", "庭长审批", 1, None),
        (4, "移送执行", "立案审查岗", 1, None),
    ],
    "民事二审案件审理": [
        (1, "阅卷与庭前准备", "承办法官", 20, None),
        (2, "开庭审理或询问", "合议庭", 10, None),
        (3, "组织调解", "承办法官", 15, None),
        (4, "合议庭评议", "合议庭", 10, [5, 6]),
        (4, "制作调解书", "承办法官", 5, [6]),
        (5, "审判委员会讨论", "审判委员会", 15, None),
        (6, "裁判文书签发送达", "审判长", 10, None),
    ],
    "诉讼保全裁定": [
        (1, "审查保全申请与担保", "承办法官", 2, None),
        (2, "作出保全裁定", "合议庭", 1, None),
        (3, "实施查封冻结", "承办法官", 2, None),
    ],
    "刑事二审案件审理": [
        (1, "阅卷提审被告人", "承办法官", 15, None),
        (2, "开庭或不开庭审理", "合议庭", 10, None),
        (3, "合议庭评议量刑", "合议庭", 10, None),
        (4, "审判委员会讨论", "审判委员会", 10, None),
        (5, "宣判送达", "审判长", 10, None),
    ],
    "减刑假释案件审理": [
        (1, "立案公示", "书记员", 5, None),
        (2, "审查材料", "承办法官", 10, None),
        (3, "开庭审理", "合议庭", 5, None),
        (4, "评议裁定", "合议庭", 5, None),
        (5, "裁定公示送达", "书记员", 10, None),
    ],
    "申请再审审查": [
        (1, "立案登记", "立案庭", 5, None),
        (2, "阅卷听证", "承办法官", 30, None),
        (3, "合议庭评议", "合议庭", 15, None),
        (4, "审判委员会讨论", "审判委员会", 20, None),
        (5, "作出裁定", "审判长", 10, None),
    ],
    "执行实施": [
        (1, "立案与网络查控", "执行员", 10, None),
        (2, "查封扣押冻结", "执行员", 30, None),
        (3, "评估拍卖变价", "评估拍卖岗", 90, None),
        (4, "执行款发放", "执行款管理岗", 30, None),
        (5, "结案归档", "执行员", 15, None),
    ],
    "司法拍卖": [
        (1, "确定保留价", "合议庭", 5, None),
        (2, "发布拍卖公告", "评估拍卖岗", 15, None),
        (3, "网络竞价", "拍卖平台", 1, [4, 5]),
        (4, "成交裁定", "执行员", 10, [6]),
        (5, "流拍后再次拍卖或变卖", "评估拍卖岗", 15, [2]),
        (6, "交付财产", "执行员", 10, None),
    ],
    "执行款发放": [
        (1, "执行款到账登记", "执行款管理岗", 2, None),
        (2, "承办人申请发放", "执行员", 5, None),
        (3, "局长审批", "执行局局长", 5, None),
        (4, "财务复核支付", "计划财务装备处", 5, None),
    ],
    "干部选拔任用": [
        (1, "分析研判与动议", "政治部", 10, None),
        (2, "民主推荐", "政治部", 10, None),
        (3, "组织考察", "考察组", 15, None),
        (4, "党组讨论决定", "党组", 5, None),
        (5, "任前公示", "政治部", 5, None),
    ],
    "政府采购": [
        (1, "编制采购计划", "物资采购岗", 10, None),
        (2, "集体议定采购方式", "院务会", 5, None),
        (3, "组织采购", "物资采购岗", 20, None),
        (4, "验收入库", "验收小组", 5, None),
        (5, "付款结算", "财务会计岗", 10, None),
    ],
    "财务报销审核": [
        (1, "经办人填单", "经办人", 2, None),
        (2, "部门负责人签字", "庭室负责人", 2, None),
        (3, "财务审核", "财务会计岗", 3, None),
        (4, "分管领导审批", "分管院领导", 3, None),
        (5, "国库支付", "财务会计岗", 2, None),
    ],
}

# power -> [(risk, manifestations, [key links], step name or "")]
RISKS = {
    "立案审查": [
        (
            "对符合条件的起诉不予登记立案，或对关系案、人情案优先立案",
            "选择性立案；拖延立案；变相设置立案条件；为熟人插队办理",
            ["立案审查"],
            "形式审查",
        ),
        (
            "违规收取或退回当事人材料，索要好处",
            "暗示当事人请托；接受当事人宴请、礼品后加快立案",
            ["立案审查"],
            "接收起诉材料",
        ),
        ("补正材料环节反复要求补正，变相拖延立案", "一次性告知不到位；多次退回材料", ["立案审查"], "补正材料"),
    ],
    "诉讼费缓减免审批": [
        ("对不符合条件的当事人违规批准缓、减、免交诉讼费", "人情审批；审批材料不全即批准", ["立案审查"], ""),
    ],
    "诉前财产保全审查": [
        (
            "对保全担保审查不严，超标的、超范围保全",
            "担保不足即准予保全；明显超过请求数额查封",
            ["财产保全"],
            "审查担保",
        ),
        ("故意泄露保全信息，导致被申请人转移财产", "提前透露保全时间、范围；延迟移送执行", ["财产保全"], "移送执行"),
    ],
    "案件分配": [
        ("规避随机分案规则，指定承办人办理关系案", "人工干预分案系统；私下调换案件", ["立案审查"], ""),
    ],
    "涉诉信访接待": [
        ("对来访群众态度生硬、推诿，或为当事人打听案情", "信访不登记；承诺打招呼；泄露合议情况", [], ""),
    ],
    "刑事二审案件审理": [
        ("违反规定私自会见被告人亲属、辩护人", "私下见面；接受吃请；在非工作场所谈案", [], "阅卷提审被告人"),
        ("泄露合议庭评议意见和审判委员会讨论情况", "向当事人亲属透露评议结果；提前告知判决", [], "合议庭评议量刑"),
    ],
    "量刑（从轻、减轻、免除处罚）": [
        (
            "滥用自由裁量权，对不符合条件的被告人从轻、减轻或免除处罚",
            "认定自首、立功证据不足；量刑明显偏离指导意见",
            ["从轻处罚", "减轻处罚", "免除处罚"],
            "",
        ),
        (
            "收受好处后在量刑建议范围内作出有利一方的判决",
            "同案不同判；量刑理由说理不充分",
            ["从轻处罚", "减轻处罚"],
            "",
        ),
    ],
    "刑事发回重审": [
        ("对事实清楚的案件违规发回重审，拖延诉讼", "以发回代替改判；发回理由不充分", ["发回重审"], ""),
    ],
    "减刑假释案件审理": [
        ("对不符合条件的罪犯违规裁定减刑、假释", "审查立功材料不严；未公示即裁定；收受罪犯亲属财物", [], "审查材料"),
        ("减刑假释案件应开庭而不开庭，规避监督", "书面审理替代开庭；公示流于形式", [], "开庭审理"),
    ],
    "取保候审决定": [
        ("对不符合条件的被告人违规决定取保候审", "保证金收取不规范；保证人资格审查不严", [], ""),
    ],
    "民事二审案件审理": [
        ("私下接触一方当事人及其代理人，偏袒一方", "单方会见；接受宴请；为一方出主意", [], "阅卷与庭前准备"),
        ("超审限办案或者违规延长审限", "审限变更手续不全；长期搁置案件", [], "合议庭评议"),
        ("审判委员会汇报时隐瞒、歪曲案件事实", "选择性汇报证据；诱导讨论结果", [], "审判委员会讨论"),
        ("裁判文书送达不及时，或者文书与评议结论不一致", "延迟送达；擅自改动裁判结果", [], "裁判文书签发送达"),
    ],
    "诉讼保全裁定": [
        (
            "对保全申请审查不严或者故意拖延，造成财产转移",
            "保全不及时；明知担保不足仍裁定保全",
            ["财产保全"],
            "审查保全申请与担保",
        ),
        ("违规解除保全措施", "未经申请人同意即解除；收受被保全人好处", ["财产保全"], "实施查封冻结"),
    ],
    "调解和解": [
        ("以拖压调、以判压调，违背当事人意愿强行调解", "久调不决；暗示不调解将败诉", ["调解和解"], "组织调解"),
        ("调解中偏袒一方，损害另一方或案外人合法权益", "虚假调解；恶意串通转移财产", ["调解和解"], "制作调解书"),
    ],
    "委托鉴定": [
        ("指定或暗示当事人选择特定鉴定机构", "绕开随机摇号；与鉴定机构人员私下往来", [], ""),
    ],
    "民事发回重审": [
        ("对可以改判的案件违规发回重审", "发回理由牵强；变相推卸责任", ["发回重审"], ""),
    ],
    "行政案件审理": [
        ("受行政机关干预，不依法公正裁判", "接受行政机关打招呼；偏向行政机关", [], ""),
        ("私下接触行政相对人或代理人", "单方会见；泄露审理情况", [], ""),
    ],
    "非诉行政执行审查": [
        ("对明显违法的行政行为准予强制执行", "审查走过场；未听取被执行人意见", [], ""),
    ],
    "行政赔偿调解": [
        ("调解中违规降低或提高赔偿数额", "不按标准计算；偏袒一方", ["调解和解"], ""),
    ],
    "申请再审审查": [
        (
            "对符合再审条件的案件不予再审，或对不符合条件的案件违规再审",
            "人情审查；听证流于形式",
            ["指令再审"],
            "阅卷听证",
        ),
        ("超期审查，长期不作出裁定", "审查期限不报延；案件积压", [], "作出裁定"),
    ],
    "再审改判": [
        ("无充分理由改判生效裁判，损害司法权威", "改判理由不充分；受人请托改判", ["再审改判"], ""),
    ],
    "指令再审与提审": [
        ("违规指令再审或者提审，干预下级法院审判", "不符合条件指令再审；提审后拖延", ["指令再审", "上级提审"], ""),
    ],
    "执行实施": [
        ("消极执行、选择性执行，有财产不执行", "查控不及时；对被执行人财产线索不核实", [], "立案与网络查控"),
        ("违规解除查封、冻结或者超标的查封", "收受好处后解封；查封价值远超债权", [], "查封扣押冻结"),
        ("违规终结本次执行程序", "未穷尽措施即终本；约谈走过场", [], "结案归档"),
    ],
    "委托评估": [
        ("指定评估机构或者与评估机构串通压低、抬高评估价", "绕开摇号；暗示评估结果", ["委托评估"], ""),
        ("对评估报告异议不审查或者审查不公", "不告知异议权利；异议长期不处理", ["委托评估"], ""),
    ],
    "司法拍卖": [
        ("保留价确定不合理，低价处置被执行财产", "保留价明显偏低；未征求当事人意见", ["拍卖"], "确定保留价"),
        ("泄露竞买人信息，与竞买人串通围标", "私下联系竞买人；打招呼劝退", ["拍卖"], "网络竞价"),
        ("流拍后违规降价变卖给关系人", "变卖不公开；变卖价格过低", ["拍卖", "变卖"], "流拍后再次拍卖或变卖"),
    ],
    "变卖": [
        ("变卖程序不公开，低价变卖给特定关系人", "不发布变卖公告；议价过程无记录", ["变卖"], ""),
    ],
    "执行款发放": [
        ("截留、挪用、迟延发放执行款", "执行款到账不登记；长期不发放；个人账户收款", [], "执行款到账登记"),
        ("审批把关不严，向不符合条件的人发放执行款", "代理权限审查不严；冒领", [], "局长审批"),
    ],
    "执行财产分割": [
        ("执行财产分配方案不公，偏袒个别债权人", "不通知其他债权人参与分配；优先受偿认定错误", ["执行财产分割"], ""),
    ],
    "干部选拔任用": [
        (
            "任人唯亲、违规提拔，或者在推荐考察中弄虚作假",
            "考察失真；民主推荐走过场；跑官要官",
            ["干部任用", "重要干部任免"],
            "组织考察",
        ),
        ("动议环节个人说了算，规避集体决定", "临时动议；会前打招呼", ["干部任用"], "分析研判与动议"),
    ],
    "人员招录": [
        ("招录中泄露试题、违规加分或者暗箱操作", "因人设岗；面试打人情分", ["干部任用"], ""),
    ],
    "干部考核": [
        ("考核评优不公，凭关系定等次", "考核指标随意调整；测评结果不公开", [], ""),
    ],
    "教育培训组织": [
        ("借培训之名公款旅游，虚列培训费用", "培训地点选择风景区；培训费报销不实", ["财务报销"], ""),
    ],
    "公务用车管理": [
        ("公车私用，虚报车辆维修、加油费用", "节假日私用公车；维修单据不实", ["资产管理"], ""),
    ],
    "公文审核": [
        ("泄露尚未公开的公文内容", "提前透露人事、案件信息", [], ""),
    ],
    "公务接待管理": [
        ("超标准接待，虚列接待费用", "无公函接待；陪餐人数超标", ["财务报销"], ""),
    ],
    "违纪线索处置": [
        ("对问题线索压案不查、瞒案不报或者跑风漏气", "线索不登记；向被反映人通风报信", [], ""),
    ],
    "审务督察": [
        ("督察中搞选择性督察，对发现的问题不通报", "督察走过场；人情放过", [], ""),
    ],
    "财务报销审核": [
        ("审核不严，虚开发票、虚列支出获得报销", "票据与事项不符；拆分报销规避审批", ["财务报销"], "财务审核"),
        ("部门负责人签字把关流于形式", "未核实即签字；代签", ["财务报销"], "部门负责人签字"),
    ],
    "政府采购": [
        (
            "规避政府采购程序，化整为零或者指定供应商",
            "拆分采购；量身定制采购条件",
            ["物资采购", "大额资金使用"],
            "组织采购",
        ),
        ("验收把关不严，以次充好", "验收不到场；签字走过场", ["物资采购"], "验收入库"),
    ],
    "基建工程管理": [
        (
            "规避招标、串标，或者在工程变更中虚增工程量",
            "肢解发包；签证随意；收受施工方好处",
            ["工程建设", "重大项目安排"],
            "",
        ),
    ],
    "固定资产管理": [
        ("违规处置国有资产，低价转让或者公物私用", "处置不评估；账实不符", ["资产管理"], ""),
    ],
    "党组“三重一大”集体决策": [
        (
            "“三重一大”事项未经集体讨论，个人或少数人决定",
            "会前定调；以传阅代替会议；事后补办手续",
            ["重大事项决策", "重要干部任免"],
            "",
        ),
        (
            "集体决策中不充分发扬民主，主要领导末位表态执行不到位",
            "主要领导先表态；不同意见不记录",
            ["重大事项决策"],
            "",
        ),
    ],
    "大额资金使用审批": [
        ("大额资金使用未经集体研究或者拆分审批规避集体决策", "化整为零；先支付后补批", ["大额资金使用"], ""),
    ],
}

DIVISION_RISKS = {
    "立案庭": ("立案工作流程中立案、分案、保全环节衔接不严，存在人为干预空间", "分案规则执行不到位；保全移送无台账"),
    "刑事审判庭": ("合议庭评议和量刑制度落实不到位，存在个人说了算的风险", "合议走过场；量刑说理不充分"),
    "民事审判庭": ("审限管理和调解制度执行不严，存在久调不决、人情调解的风险", "审限变更审批不严；调解案件回访缺失"),
    "行政审判庭": ("行政案件易受外部干预，庭室内部监督机制不健全", "过问案件不登记；监督记录缺失"),
    "审判监督庭": ("再审审查标准不统一，存在选择性启动再审的风险", "同类申请处理结果不一"),
    "执行局": ("执行款物管理和评估拍卖环节内部制约不足", "执行款账目不清；评估拍卖由同一人全程经办"),
    "政治部": ("干部选拔任用程序执行不严，存在暗箱操作的风险", "考察材料不完整；推荐结果不公开"),
    "办公室": ("公务接待和公车管理制度执行不严", "接待审批不全；派车记录缺失"),
    "纪检监察室": ("问题线索管理不规范，存在压案不查的风险", "线索台账不完整；处置超期"),
    "计划财务装备处": ("财务、采购、基建岗位分离不彻底，内部制约不足", "采购与验收同一人；会计出纳兼岗"),
}

STATE_CYCLE = [
    State.DRAFT,
    State.SUBMITTED,
    State.GRADED,
    State.CONFIRMED,
    State.PUBLISHED,
    State.RETURNED,
    State.SUBMITTED,
    State.GRADED,
    State.PUBLISHED,
    State.CONTROLLED,
    State.CONFIRMED,
    State.RETIRED,
]
PATHS = {
    State.DRAFT: [State.DRAFT],
    State.SUBMITTED: [State.DRAFT, State.SUBMITTED],
    State.RETURNED: [State.DRAFT, State.SUBMITTED, State.RETURNED],
    State.GRADED: [State.DRAFT, State.SUBMITTED, State.GRADED],
    State.CONFIRMED: [State.DRAFT, State.SUBMITTED, State.GRADED, State.CONFIRMED],
    State.PUBLISHED: [State.DRAFT, State.SUBMITTED, State.GRADED, State.CONFIRMED, State.PUBLISHED],
    State.CONTROLLED: [
        State.DRAFT,
        State.SUBMITTED,
        State.GRADED,
        State.CONFIRMED,
        State.PUBLISHED,
        State.CONTROLLED,
    ],
    State.RETIRED: [State.DRAFT, State.SUBMITTED, State.RETIRED],
}
REASONS = {
    State.RETURNED: "表现形式写得过于笼统，请结合本岗位实际具体列明。",
    State.RETIRED: "该职权已调整至其他庭室，风险点撤销，另行登记。",
    State.CONTROLLED: "已制定岗位防控措施并落实。",
}
BASIC_DEMO_COURTS = ("xiangyang", "gongnong", "nanshan")
# staff_demo holds four points: the first two give his letter a published (集体定 and 公示) point to commit to and
# a graded one awaiting the collective decision (the letter's draft note); the others give him and his head work.
STAFF_DEMO_STATES = [State.PUBLISHED, State.GRADED, State.SUBMITTED, State.RETURNED, State.DRAFT, State.CONTROLLED]


def _seed_powers(court, divisions, posts, *, only=None, with_steps=True):
    """Create the catalogue of ``court`` from POWERS (``only``: the division names to include)."""
    created = {}
    order = 0
    for division_name, specs in POWERS.items():
        if only is not None and division_name not in only:
            continue
        division = divisions.get(division_name) if division_name else None
        if division_name and division is None:
            continue
        for name, area, post_names, days, major, content, basis, supervision in specs:
            order += 10
            power = Power(
                court=court,
                division=division,
                name=name,
                content=content,
                legal_basis=basis,
                conditions="符合法律规定的条件和本院工作规范的要求。",
                procedure="按本院工作流程和岗位职责办理，重要事项报庭室负责人或分管院领导审批。",
                time_limit_days=days,
                supervision=supervision,
                business_area=area,
                major_matter=major,
                sort_order=order,
            )
            created[name] = (
                power,
                [posts[(division.pk, p)] for p in post_names if division and (division.pk, p) in posts],
            )
    Power.objects.bulk_create([p for p, _ in created.values()])
    through = Power.posts.through
    through.objects.bulk_create(
        [through(power_id=p.pk, post_id=post.pk) for p, plist in created.values() for post in plist]
    )
    steps = {}
    if with_steps:
        rows = []
        for name, spec in STEPS.items():
            if name not in created:
                continue
            power = created[name][0]
            for order_no, step_name, actor, days, next_orders in spec:
                rows.append(
                    PowerStep(
                        power=power,
                        order=order_no,
                        name=step_name,
                        actor=actor,
                        time_limit_days=days,
                        is_end=next_orders == [],
                    )
                )
        PowerStep.objects.bulk_create(rows)
        by_power_order = {}
        for step in rows:
            by_power_order.setdefault((step.power_id, step.order), []).append(step)
            steps[(step.power.name, step.name)] = step
        links = []
        nxt = PowerStep.next_steps.through
        for name, spec in STEPS.items():
            if name not in created:
                continue
            power = created[name][0]
            for _order_no, step_name, _actor, _days, next_orders in spec:
                if next_orders is None:
                    continue
                src = steps[(name, step_name)]
                for target_order in next_orders:
                    for target in by_power_order.get((power.pk, target_order), []):
                        links.append(nxt(from_powerstep_id=src.pk, to_powerstep_id=target.pk))
        nxt.objects.bulk_create(links)
    return {name: p for name, (p, _) in created.items()}, steps


def _leaders(court):
    rows = RoleAssignment.objects.filter(court=court).values_list("role", "division_id", "user_id").order_by("id")
    leaders = {}
    for role, division_id, user_id in rows:
        leaders.setdefault((role, division_id), user_id)
    return leaders


def _responsible(leaders, grade, division_id):
    """The same rule as services.responsible_leader_for, over rows read once."""
    chain = [(Role.PRESIDENT, None)]
    if division_id and grade != Grade.HIGH:
        chain.insert(0, (Role.DEPUTY_LEADER, division_id))
        if grade == Grade.LOW:
            chain.insert(0, (Role.DIVISION_HEAD, division_id))
    return next((leaders[key] for key in chain if key in leaders), None)


def _seed_points(court, powers, steps, people_by_division, rng, *, key_links, scale=1.0):
    """Risk points of ``court`` from RISKS, in every state, with history and gradings."""
    leaders = _leaders(court)
    office_user = (
        RoleAssignment.objects.filter(role=Role.OFFICE, court__path__in=_ancestors(court))
        .values_list("user_id", flat=True)
        .first()
    )
    reviewer_of = {}
    for (role, division_id), user_id in leaders.items():
        if role == Role.DIVISION_HEAD:
            reviewer_of[division_id] = user_id
    president = leaders.get((Role.PRESIDENT, None))
    deputy = _user_id("deputy2") if court.parent_id is None else None
    court_owners = [u for u in (president, deputy) if u]
    specs = []  # (owner_id, level, division, post_id, power, step, desc, manif, links)
    for power_name, risks in RISKS.items():
        power = powers.get(power_name)
        if power is None:
            continue
        people = people_by_division.get(power.division_id, []) if power.division_id else []
        post_ids = set(power.posts.values_list("id", flat=True)) if power.division_id else set()
        holders = [p for p in people if p.post_id in post_ids] or people
        for i, (desc, manif, links, step_name) in enumerate(risks):
            if scale < 1 and rng.random() > scale:
                continue
            step = steps.get((power_name, step_name)) if step_name else None
            if power.division_id is None:
                # 单位层面 (三重一大): the president finds his own, a deputy president points some out (领导点).
                owner = court_owners[i % len(court_owners)] if court_owners else office_user
                specs.append((owner, Level.COURT, None, None, power, step, desc, manif, links))
            elif holders:
                person = holders[i % len(holders)]
                specs.append(
                    (person.user_id, Level.POST, power.division_id, person.post_id, power, step, desc, manif, links)
                )
    for division_id, people in people_by_division.items():
        division_name = people[0].division.name if people else ""
        if division_name in DIVISION_RISKS and division_id in reviewer_of and (scale >= 1 or rng.random() < scale):
            desc, manif = DIVISION_RISKS[division_name]
            specs.append((reviewer_of[division_id], Level.DIVISION, division_id, None, None, None, desc, manif, []))

    forced = {
        user_id: list(states)
        for user_id, states in (
            (_user_id("staff_demo"), STAFF_DEMO_STATES),
            (_user_id("hgzy_d02_s0"), [State.SUBMITTED, State.SUBMITTED, State.GRADED]),
            (_user_id("hgzy_d02_s2"), [State.SUBMITTED, State.CONFIRMED]),
        )
        if user_id
    }
    now = timezone.now()
    today = timezone.localdate()
    decision = None
    points, meta = [], []
    for index, (owner_id, level, division_id, post_id, power, step, desc, manif, links) in enumerate(specs):
        if owner_id is None:
            continue
        state = STATE_CYCLE[(index + rng.randrange(3)) % len(STATE_CYCLE)]
        if owner_id in forced:  # the demo accounts get one of everything, so every screen has work on it
            queue = forced[owner_id]
            state = queue.pop(0) if queue else state
        factors = {f: rng.choice((1, 2, 2, 3)) for f in FACTORS}
        if power is not None and power.major_matter:
            factors["importance"] = 3
        suggested = suggest_grade(factors)
        graded = state in (State.GRADED, State.CONFIRMED, State.PUBLISHED, State.CONTROLLED)
        grade = suggested if graded else ""
        differs = graded and rng.random() < 0.12
        if differs:
            grade = Grade.HIGH if suggested != Grade.HIGH else Grade.MEDIUM
        if state in (State.CONFIRMED, State.PUBLISHED, State.CONTROLLED) and decision is None:
            decision = CollectiveDecision.objects.create(
                court=court,
                date=today - datetime.timedelta(days=20),
                participants="院长、分管院领导、领导小组成员、领导小组办公室全体人员",
                minutes="会议对各庭室报送并经评定的廉政风险点逐项审议，集体确定风险等级，同意按程序予以公示。",
                created_by_id=office_user or owner_id,
            )
        source = Source.SELF
        if level == Level.COURT:
            source = Source.SELF if owner_id == president else Source.LEADER
        elif level == Level.DIVISION:
            source = Source.LEADER if index % 2 else Source.SELF
        elif index % 7 == 3:
            source = Source.PEER
        rp = RiskPoint(
            court=court,
            division_id=division_id,
            post_id=post_id,
            owner_id=owner_id,
            level=level,
            power=power,
            step=step,
            description=desc,
            manifestations=manif,
            source=source,
            state=state,
            grade=grade,
            responsible_leader_id=_responsible(leaders, grade, division_id) if grade else None,
            decision=decision if state in (State.CONFIRMED, State.PUBLISHED, State.CONTROLLED) else None,
            publicity_ends=(today + datetime.timedelta(days=25))
            if state == State.PUBLISHED
            else ((today - datetime.timedelta(days=5)) if state == State.CONTROLLED else None),
            version=len(PATHS[state]),
        )
        points.append(rp)
        reviewer = reviewer_of.get(division_id) if level == Level.POST else None
        if reviewer in (None, owner_id):
            reviewer = leaders.get((Role.DEPUTY_LEADER, division_id)) or leaders.get((Role.PRESIDENT, None))
        if reviewer == owner_id:  # the president's own court-level point: the office grades it
            reviewer = office_user
        meta.append((rp, factors, suggested, grade, differs, links, reviewer, office_user))
    entries = []
    for n, (rp, factors, suggested, grade, differs, links, reviewer, office) in enumerate(meta):
        path = PATHS[rp.state]
        start = now - datetime.timedelta(days=40 - (n % 20), hours=n % 9)
        steps = []
        for step_no, state in enumerate(path):
            actor = rp.owner_id
            if state in (State.RETURNED, State.GRADED):
                actor = reviewer
            elif state in (State.CONFIRMED, State.PUBLISHED, State.CONTROLLED, State.RETIRED):
                actor = office
            reason = REASONS.get(state, "")
            if state == State.GRADED and differs:
                reason = "该环节涉及大额财产处置，社会关注度高，等级上调。"
            if state == State.CONFIRMED and rp.decision_id:
                reason = "集体决定确定"
            if state == State.PUBLISHED:
                reason = f"公示至{rp.publicity_ends}"
            steps.append((state, actor, reason, start + datetime.timedelta(days=step_no * 3)))
        rp.campaign_year = campaign_year_of(timezone.localtime(start).date())
        gradings = []
        if n % 3 == 0:  # the submitter proposed a grade
            gradings.append(
                RiskGrading(
                    tier=GradingTier.PROPOSAL,
                    suggested=suggested,
                    grade=suggested,
                    graded_by_id=rp.owner_id,
                    **factors,
                )
            )
        if grade:
            gradings.append(
                RiskGrading(
                    tier=GradingTier.REVIEW,
                    suggested=suggested,
                    grade=grade,
                    reason="该环节涉及大额财产处置，社会关注度高，等级上调。" if differs else "",
                    graded_by_id=reviewer or rp.owner_id,
                    **factors,
                )
            )
        entries.append((rp, [key_links[name].pk for name in links if name in key_links], steps, gradings))
    # One write path: the service writes each point with its transitions, versions, gradings and audit entries.
    services.record_risk_points(court=court, entries=entries)
    return len(points)


def _user_id(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username=username).values_list("pk", flat=True).first()


def _ancestors(court):
    parts = [p for p in court.path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def _people_by_division(court):
    result = {}
    for person in Person.objects.filter(court=court, division__isnull=False).select_related("division").order_by("id"):
        result.setdefault(person.division_id, []).append(person)
    return result


def _head_edits_a_power(city):
    """清权确权 by the divisions: head_demo (庭长 of 民事审判庭) sharpens the supervision of one of his
    division's powers through the catalogue service, so the power's page shows who changed it (the audit
    entry). Once: not again when the demo already has a head's edit."""
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType

    from hkcourt.org.models import AuditEntry

    from . import services

    head = get_user_model().objects.filter(username="head_demo").select_related("person__division").first()
    division = getattr(getattr(head, "person", None), "division", None)
    if head is None or division is None or division.court_id != city.pk:
        return None
    powers = Power.objects.filter(court=city, division=division).order_by("sort_order", "id")
    done = AuditEntry.objects.filter(
        actor=head,
        action="risks.power_save",
        content_type=ContentType.objects.get_for_model(Power),
        object_id__in=[str(pk) for pk in powers.values_list("pk", flat=True)],
    )
    power = powers.first()
    if power is None or done.exists():
        return None
    note = "每月由庭长抽查本庭办理情况并登记备查"
    return services.save_power(
        actor=head,
        court=city,
        power=power,
        name=power.name,
        content=power.content,
        division=division,
        posts=list(power.posts.all()),
        legal_basis=power.legal_basis,
        conditions=power.conditions,
        procedure=power.procedure,
        time_limit_days=power.time_limit_days,
        supervision=f"{power.supervision}；{note}" if note not in power.supervision else power.supervision,
        business_area=power.business_area,
        major_matter=power.major_matter,
    )


@transaction.atomic
def seed(log=print):
    city = Court.objects.filter(code="hgzy").first()
    if city is None:
        log("风险防控登记: 未找到演示法院，请先运行组织机构的演示数据。")
        return
    rng = random.Random(2012)
    key_links = {}
    for link in KeyLink.objects.order_by("sort_order"):
        key_links.setdefault(link.name, link)
    total_powers = total_points = 0
    for court in [city, *Court.objects.filter(code__in=BASIC_DEMO_COURTS).order_by("sort_order")]:
        if Power.objects.filter(court=court).exists() or RiskPoint.objects.filter(court=court).exists():
            continue
        divisions = {d.name: d for d in Division.objects.filter(court=court)}
        posts = {(p.division_id, p.name): p for p in Post.objects.filter(division__court=court)}
        is_city = court.pk == city.pk
        powers, steps = _seed_powers(
            court, divisions, posts, only=None if is_city else set(divisions), with_steps=is_city
        )
        total_powers += len(powers)
        total_points += _seed_points(
            court, powers, steps, _people_by_division(court), rng, key_links=key_links, scale=1.0
        )
    edited = _head_edits_a_power(city)
    log(
        f"风险防控登记: 新增 {total_powers} 项职权、{total_points} 个风险点"
        f"（共 {Power.objects.count()} 项职权、{PowerStep.objects.count()} 个流程环节、"
        f"{RiskPoint.objects.count()} 个风险点）" + (f"；庭长修改职权“{edited.name}”" if edited else "")
    )
