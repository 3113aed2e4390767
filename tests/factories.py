"""Factories for test data (factory-boy). Apps add theirs in tests/<app>/factories.py."""

import factory
from django.contrib.auth import get_user_model

from hkcourt.org.models import Court, CourtLevel, Division, DivisionKind, Person, Post, Role, RoleAssignment

PASSWORD = "pw-for-tests-123"


class CourtFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Court
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"测试第{n}人民法院")
    short_name = factory.Sequence(lambda n: f"测试{n}院")
    code = factory.Sequence(lambda n: f"court{n}")
    level = CourtLevel.BASIC


class DivisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Division

    court = factory.SubFactory(CourtFactory)
    name = factory.Sequence(lambda n: f"第{n}审判庭")
    kind = DivisionKind.TRIAL


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    division = factory.SubFactory(DivisionFactory)
    name = factory.Sequence(lambda n: f"岗位{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password(PASSWORD)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    user = factory.SubFactory(UserFactory)
    full_name = factory.Sequence(lambda n: f"测试人{n}")
    division = factory.SubFactory(DivisionFactory)
    court = factory.LazyAttribute(lambda o: o.division.court if o.division else CourtFactory())
    post = None


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = Role.STAFF
    court = factory.SubFactory(CourtFactory)
    division = None


def make_person(*, username=None, division, roles=(Role.STAFF,), headed=None, overseen=(), court=None):
    """A person in ``division`` holding ``roles``; a head heads ``headed`` (default: own division), a
    deputy oversees ``overseen``."""
    court = court or (division.court if division else None)
    person = PersonFactory(**({"user__username": username} if username else {}), division=division, court=court)
    for role in roles:
        if role == Role.DIVISION_HEAD:
            RoleAssignmentFactory(user=person.user, role=role, court=court, division=headed or division)
        elif role == Role.DEPUTY_LEADER:
            for d in overseen:
                RoleAssignmentFactory(user=person.user, role=role, court=court, division=d)
        else:
            RoleAssignmentFactory(user=person.user, role=role, court=court)
    return person
