"""Templates ask the permission policy; they never re-derive a rule.

{% load policy %}
{% allowed_actions risk_point as may %}{% if may.submit %}<button …>{% endif %}
{% can "risks.import_risk_points" court as may_import %}
"""

from django import template

from hkcourt.org import policy

register = template.Library()


@register.simple_tag(takes_context=True)
def allowed_actions(context, obj):
    return policy.allowed_actions(context["request"].user, obj)


@register.simple_tag(takes_context=True)
def can(context, action, obj=None):
    return policy.can(context["request"].user, action, obj)
