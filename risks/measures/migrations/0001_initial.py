"""The prevention measures become their own app (label ``measures``, issue 10). Their tables were created by
``risks`` 0005 and keep their names: this migration takes the models into this app's state and renames their
content types, so the audit log, permissions and grants keep pointing at the same rows."""

import django.db.models.deletion
import risks.measures.models
from django.conf import settings
from django.db import migrations, models

from hkcourt.org.app_moves import move_content_types


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('org', '0001_initial'),
        ('risks', '0006_list_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables stay where they are (db_table kept): only Django's model state moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='CourtRule',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=120, verbose_name='制度名称')),
                        ('number', models.CharField(blank=True, max_length=60, verbose_name='文号')),
                        ('issued_on', models.DateField(verbose_name='印发日期')),
                        ('text', models.TextField(blank=True, max_length=20000, verbose_name='制度内容')),
                        ('file', models.FileField(blank=True, max_length=300, upload_to=risks.measures.models.rule_file_path, verbose_name='制度文件')),
                        ('file_name', models.CharField(blank=True, max_length=120, verbose_name='文件名')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='登记时间')),
                        ('court', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='court_rules', to='org.court', verbose_name='法院')),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='登记人')),
                        ('powers', models.ManyToManyField(blank=True, related_name='court_rules', to='risks.power', verbose_name='覆盖职权')),
                        ('risk_points', models.ManyToManyField(blank=True, related_name='court_rules', to='risks.riskpoint', verbose_name='覆盖风险点')),
                    ],
                    options={
                        'verbose_name': '单位制度',
                        'verbose_name_plural': '制度汇编',
                        'db_table': 'risks_courtrule',
                        'ordering': ['court__path', '-issued_on', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='Measure',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('post', '岗位定措施'), ('division', '部门定流程'), ('court', '单位定制度')], max_length=10, verbose_name='类型')),
                        ('category', models.CharField(choices=[('education', '教育'), ('institution', '制度'), ('supervision', '监督'), ('technology', '科技')], max_length=12, verbose_name='类别')),
                        ('title', models.CharField(max_length=120, verbose_name='措施')),
                        ('description', models.TextField(max_length=2000, verbose_name='具体内容')),
                        ('deadline', models.DateField(db_index=True, verbose_name='完成期限')),
                        ('status', models.CharField(choices=[('planned', '计划中'), ('in_place', '已落实'), ('checked', '已检查')], db_index=True, default='planned', max_length=10, verbose_name='状态')),
                        ('in_place_at', models.DateTimeField(blank=True, null=True, verbose_name='落实时间')),
                        ('in_place_note', models.TextField(blank=True, max_length=2000, verbose_name='落实情况')),
                        ('checked_at', models.DateTimeField(blank=True, null=True, verbose_name='检查时间')),
                        ('check_note', models.TextField(blank=True, max_length=2000, verbose_name='检查意见')),
                        ('acknowledged_at', models.DateTimeField(blank=True, null=True, verbose_name='责任领导确认时间')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='制定时间')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                        ('acknowledged_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='责任领导确认人')),
                        ('checked_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='检查人')),
                        ('court', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.court', verbose_name='法院')),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='制定人')),
                        ('division', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.division', verbose_name='庭室')),
                        ('owner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='measures', to=settings.AUTH_USER_MODEL, verbose_name='落实责任人')),
                        ('risk_point', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='measures', to='risks.riskpoint', verbose_name='风险点')),
                        ('rule', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='measures', to='measures.courtrule', verbose_name='依据制度')),
                    ],
                    options={
                        'verbose_name': '防控措施',
                        'verbose_name_plural': '防控措施',
                        'db_table': 'risks_measure',
                        'ordering': ['deadline', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='MeasureAttachment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('file', models.FileField(max_length=300, upload_to=risks.measures.models.evidence_path, verbose_name='文件')),
                        ('name', models.CharField(max_length=120, verbose_name='文件名')),
                        ('size', models.PositiveIntegerField(verbose_name='大小')),
                        ('uploaded_at', models.DateTimeField(auto_now_add=True, verbose_name='上传时间')),
                        ('measure', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attachments', to='measures.measure', verbose_name='防控措施')),
                        ('uploaded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='上传人')),
                    ],
                    options={
                        'verbose_name': '佐证材料',
                        'verbose_name_plural': '佐证材料',
                        'db_table': 'risks_measureattachment',
                        'ordering': ['uploaded_at', 'id'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='courtrule',
                    constraint=models.UniqueConstraint(fields=('court', 'title'), name='court_rule_unique_title'),
                ),
                migrations.AddIndex(
                    model_name='measure',
                    index=models.Index(fields=['court', 'status'], name='measure_court_status_idx'),
                ),
            ],
        ),
        move_content_types('risks', 'measures', ['courtrule', 'measure', 'measureattachment']),
    ]
