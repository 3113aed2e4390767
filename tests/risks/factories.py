"""Factories for the registry's tests."""

import factory

from risks.models import Level, Power, PowerStep, RiskPoint, Source, State
from tests.factories import DivisionFactory


class PowerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Power

    division = factory.SubFactory(DivisionFactory)
    court = factory.LazyAttribute(lambda o: o.division.court)
    name = factory.Sequence(lambda n: f"测试职权{n}")
    content = "依法行使的测试职权。"
    time_limit_days = 30


class PowerStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PowerStep

    power = factory.SubFactory(PowerFactory)
    order = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"环节{n}")
    actor = "承办人"
    time_limit_days = 5


class RiskPointFactory(factory.django.DjangoModelFactory):
    """A risk point written straight to the database (for lists and access tests). Workflow tests go
    through the services instead."""

    class Meta:
        model = RiskPoint

    owner = None  # pass a user
    court = factory.LazyAttribute(lambda o: o.owner.person.court)
    division = factory.LazyAttribute(lambda o: o.owner.person.division)
    post = factory.LazyAttribute(lambda o: o.owner.person.post)
    level = Level.POST
    description = factory.Sequence(lambda n: f"测试风险点{n}：违规会见当事人")
    manifestations = "私下会见；接受吃请"
    source = Source.SELF
    state = State.SUBMITTED
