from django.db import migrations

KEY_LINKS = [
    ("criminal", ["从轻处罚", "减轻处罚", "免除处罚", "发回重审", "再审改判"]),
    ("civil", ["立案审查", "财产保全", "调解和解", "发回重审", "指令再审", "上级提审"]),
    ("enforcement", ["委托评估", "拍卖", "变卖", "执行财产分割"]),
    ("personnel", ["干部任用", "资产管理", "财务报销", "物资采购", "工程建设"]),
    ("leadership", ["重大事项决策", "重要干部任免", "重大项目安排", "大额资金使用"]),
]


def load(apps, schema_editor):
    KeyLink = apps.get_model("risks", "KeyLink")
    order = 0
    for area, names in KEY_LINKS:
        for name in names:
            order += 10
            KeyLink.objects.update_or_create(area=area, name=name, defaults={"sort_order": order})


def unload(apps, schema_editor):
    KeyLink = apps.get_model("risks", "KeyLink")
    for area, names in KEY_LINKS:
        KeyLink.objects.filter(area=area, name__in=names, risk_points__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("risks", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
