"""The organisation API goes through visible_to: a person outside the scope answers 404."""

import pytest

from hkcourt.org.models import Person

pytestmark = pytest.mark.django_db


def test_api_requires_login(client, demo_org):
    response = client.get("/api/v1/people/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_staff_lists_only_themselves(client, login_as):
    login_as("staff_demo")
    data = client.get("/api/v1/people/").json()
    assert [row["username"] for row in data["results"]] == ["staff_demo"]


def test_out_of_scope_person_is_404_not_403(client, login_as):
    login_as("head_demo")
    inside = Person.objects.get(user__username="staff_demo")
    outside = Person.objects.get(user__username="xiangyang_president")
    assert client.get(f"/api/v1/people/{inside.pk}/").status_code == 200
    assert client.get(f"/api/v1/people/{outside.pk}/").status_code == 404


def test_office_lists_every_court(client, login_as):
    login_as("office_demo")
    data = client.get("/api/v1/courts/").json()
    assert len(data["results"]) == 9


def test_schema_and_docs_are_served_without_cdn(client, login_as):
    login_as("staff_demo")
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/").content.decode()
    assert "cdn" not in docs.lower() and "unpkg" not in docs.lower()
