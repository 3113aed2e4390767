"""The early-warning work becomes its own app (label ``oversight``, issue 10). Its tables were created by
``workflow`` 0003/0005 and keep their names: this migration takes the models into this app's state and
renames their content types, so the audit log, permissions and grants keep pointing at the same rows."""

import django.db.models.deletion
import workflow.oversight.models
from django.conf import settings
from django.db import migrations, models

from hkcourt.org.app_moves import move_content_types


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('measures', '0001_initial'),
        ('org', '0001_initial'),
        ('risks', '0006_list_indexes'),
        ('workflow', '0005_oversight_warning_event_handling'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables stay where they are (db_table kept): only Django's model state moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Handling',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('reminder', '风险提示'), ('talk', '诫勉谈话'), ('order', '责令纠错')], max_length=10, verbose_name='处置方式')),
                        ('state', models.CharField(choices=[('open', '待回告'), ('reported', '已回告'), ('closed', '已办结')], default='open', max_length=10, verbose_name='状态')),
                        ('content', models.TextField(max_length=4000, verbose_name='提示或纠错内容')),
                        ('talk_date', models.DateField(blank=True, null=True, verbose_name='谈话日期')),
                        ('talker_level', models.CharField(blank=True, choices=[('division_head', '庭室负责人'), ('deputy_leader', '分管院领导'), ('president', '院长')], max_length=16, verbose_name='谈话人层级')),
                        ('talkers', models.CharField(blank=True, max_length=120, verbose_name='谈话人')),
                        ('talk_record', models.TextField(blank=True, max_length=4000, verbose_name='谈话记录')),
                        ('report_deadline', models.DateField(blank=True, null=True, verbose_name='回告期限')),
                        ('delivered_at', models.DateTimeField(blank=True, null=True, verbose_name='送达时间')),
                        ('outcome', models.TextField(blank=True, max_length=4000, verbose_name='处置结果')),
                        ('closed_at', models.DateTimeField(blank=True, null=True, verbose_name='办结时间')),
                        ('next_rung_proposed', models.CharField(blank=True, choices=[('reminder', '风险提示'), ('talk', '诫勉谈话'), ('order', '责令纠错')], max_length=10, verbose_name='建议升级为')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='登记时间')),
                        ('court', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.court', verbose_name='法院')),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='登记人')),
                        ('division', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.division', verbose_name='庭室')),
                        ('person', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='处置对象')),
                    ],
                    options={
                        'verbose_name': '处置',
                        'verbose_name_plural': '处置',
                        'db_table': 'workflow_handling',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='Rectification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('problem', models.TextField(max_length=4000, verbose_name='问题')),
                        ('plan', models.TextField(blank=True, max_length=4000, verbose_name='整改方案')),
                        ('deadline', models.DateField(db_index=True, verbose_name='整改期限')),
                        ('state', models.CharField(choices=[('open', '整改中'), ('closed', '已验收')], default='open', max_length=8, verbose_name='状态')),
                        ('closing_check', models.TextField(blank=True, max_length=4000, verbose_name='验收意见')),
                        ('closed_at', models.DateTimeField(blank=True, null=True, verbose_name='验收时间')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='下达时间')),
                        ('closed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('court', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.court', verbose_name='法院')),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('division', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.division', verbose_name='庭室')),
                        ('handling', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='rectification', to='oversight.handling', verbose_name='责令纠错')),
                        ('owner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='整改责任人')),
                    ],
                    options={
                        'verbose_name': '整改',
                        'verbose_name_plural': '整改',
                        'db_table': 'workflow_rectification',
                        'ordering': ['state', 'deadline', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='RectificationProgress',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('text', models.TextField(max_length=4000, verbose_name='进展情况')),
                        ('at', models.DateTimeField(auto_now_add=True)),
                        ('by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('rectification', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='progress', to='oversight.rectification')),
                    ],
                    options={
                        'db_table': 'workflow_rectificationprogress',
                        'ordering': ['at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='ReportBack',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('analysis', models.TextField(max_length=4000, verbose_name='原因分析')),
                        ('commitment', models.TextField(max_length=4000, verbose_name='整改承诺')),
                        ('submitted_at', models.DateTimeField(auto_now_add=True, verbose_name='回告时间')),
                        ('late', models.BooleanField(default=False, verbose_name='逾期回告')),
                        ('handling', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='report_back', to='oversight.handling')),
                    ],
                    options={
                        'verbose_name': '回告',
                        'verbose_name_plural': '回告',
                        'db_table': 'workflow_reportback',
                    },
                ),
                migrations.CreateModel(
                    name='Signal',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('channel', models.CharField(choices=[('inspection', '司法巡查'), ('audit_check', '审务督察'), ('trial_supervision', '审判监督'), ('case_review', '案件评查'), ('petition', '信访举报'), ('conduct_review', '纠风评议'), ('survey', '问卷调查'), ('cadre_assessment', '干部考核'), ('audit', '审计监督'), ('media', '新闻媒体'), ('public', '群众提')], db_index=True, max_length=20, verbose_name='渠道')),
                        ('severity', models.CharField(choices=[('minor', '一般'), ('serious', '较重'), ('grave', '严重')], default='minor', max_length=10, verbose_name='严重程度')),
                        ('title', models.CharField(max_length=120, verbose_name='标题')),
                        ('content', models.TextField(max_length=4000, verbose_name='内容')),
                        ('received_on', models.DateField(db_index=True, verbose_name='收到日期')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='登记时间')),
                        ('court', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.court', verbose_name='法院')),
                        ('division', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.division', verbose_name='庭室')),
                        ('feedback', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='signal', to='risks.publicfeedback', verbose_name='来源群众意见')),
                        ('person', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='涉及人员')),
                        ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='登记人')),
                        ('risk_point', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='risks.riskpoint', verbose_name='涉及风险点')),
                    ],
                    options={
                        'verbose_name': '风险信息',
                        'verbose_name_plural': '风险信息',
                        'db_table': 'workflow_signal',
                        'ordering': ['-received_on', '-id'],
                    },
                ),
                migrations.AddField(
                    model_name='handling',
                    name='signal',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='handlings', to='oversight.signal', verbose_name='风险信息'),
                ),
                migrations.CreateModel(
                    name='SignalAttachment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('file', models.FileField(max_length=300, upload_to=workflow.oversight.models.signal_file_path, verbose_name='文件')),
                        ('name', models.CharField(max_length=120, verbose_name='文件名')),
                        ('size', models.PositiveIntegerField(verbose_name='大小')),
                        ('uploaded_at', models.DateTimeField(auto_now_add=True)),
                        ('signal', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attachments', to='oversight.signal')),
                        ('uploaded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': '风险信息附件',
                        'verbose_name_plural': '风险信息附件',
                        'db_table': 'workflow_signalattachment',
                        'ordering': ['id'],
                    },
                ),
                migrations.CreateModel(
                    name='Warning',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('level', models.CharField(choices=[('red', '红色'), ('orange', '橙色'), ('yellow', '黄色')], db_index=True, max_length=8, verbose_name='预警等级')),
                        ('state', models.CharField(choices=[('open', '待处置'), ('handled', '处置中'), ('closed', '已办结')], db_index=True, default='open', max_length=8, verbose_name='状态')),
                        ('key', models.CharField(max_length=120, verbose_name='条件标识')),
                        ('summary', models.CharField(max_length=300, verbose_name='预警内容')),
                        ('proposed_rung', models.CharField(blank=True, max_length=10, verbose_name='建议处置')),
                        ('raised_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='预警时间')),
                        ('closed_at', models.DateTimeField(blank=True, null=True, verbose_name='办结时间')),
                        ('court', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.court', verbose_name='法院')),
                        ('division', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.division', verbose_name='庭室')),
                        ('measure', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='measures.measure', verbose_name='防控措施')),
                        ('person', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='涉及人员')),
                        ('rectification', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='oversight.rectification', verbose_name='整改')),
                        ('risk_point', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='risks.riskpoint', verbose_name='风险点')),
                        ('signals', models.ManyToManyField(blank=True, related_name='warnings', to='oversight.signal', verbose_name='相关风险信息')),
                    ],
                    options={
                        'verbose_name': '预警',
                        'verbose_name_plural': '预警',
                        'db_table': 'workflow_warning',
                        'ordering': ['-raised_at', '-id'],
                    },
                ),
                migrations.AddField(
                    model_name='handling',
                    name='warning',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='handlings', to='oversight.warning', verbose_name='预警'),
                ),
                migrations.CreateModel(
                    name='WarningEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('at', models.DateTimeField(auto_now_add=True, verbose_name='时间')),
                        ('action', models.CharField(max_length=40, verbose_name='操作')),
                        ('note', models.TextField(blank=True, max_length=4000, verbose_name='说明')),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('handling', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='oversight.handling', verbose_name='处置')),
                        ('warning', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='oversight.warning')),
                    ],
                    options={
                        'db_table': 'workflow_warningevent',
                        'ordering': ['at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='WarningRule',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('division_signals', '同一庭室一定期间内风险信息达到条数'), ('high_risk_signal', '高等级风险点出现风险信息'), ('measure_overdue', '防控措施逾期超过天数'), ('rectification_overdue', '整改逾期达到天数'), ('no_confirmed_points', '排查阶段结束时庭室确定的风险点不足')], max_length=24, unique=True, verbose_name='规则')),
                        ('name', models.CharField(max_length=80, verbose_name='名称')),
                        ('level', models.CharField(choices=[('red', '红色'), ('orange', '橙色'), ('yellow', '黄色')], max_length=8, verbose_name='预警等级')),
                        ('threshold', models.PositiveIntegerField(verbose_name='阈值')),
                        ('window_days', models.PositiveIntegerField(blank=True, null=True, verbose_name='统计期间（天）')),
                        ('enabled', models.BooleanField(default=True, verbose_name='启用')),
                        ('description', models.TextField(blank=True, max_length=1000, verbose_name='说明')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='修改时间')),
                        ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': '预警规则',
                        'verbose_name_plural': '预警规则',
                        'db_table': 'workflow_warningrule',
                        'ordering': ['id'],
                    },
                ),
                migrations.AddField(
                    model_name='warning',
                    name='rule',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='warnings', to='oversight.warningrule', verbose_name='规则'),
                ),
                migrations.AddConstraint(
                    model_name='warningrule',
                    constraint=models.CheckConstraint(condition=models.Q(('threshold__gt', 0)), name='warning_rule_threshold_positive'),
                ),
                migrations.AddConstraint(
                    model_name='warning',
                    constraint=models.UniqueConstraint(condition=models.Q(('state', 'closed'), _negated=True), fields=('key',), name='warning_one_active_per_condition'),
                ),
            ],
        ),
        move_content_types(
            'workflow',
            'oversight',
            ['signal', 'signalattachment', 'warningrule', 'warning', 'warningevent', 'handling', 'reportback',
             'rectification', 'rectificationprogress'],
        ),
    ]
