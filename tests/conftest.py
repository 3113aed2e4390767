import os

import pytest
from django.contrib.auth import get_user_model


def pytest_configure(config):
    # In CI the real services must be there: a test run on SQLite would hide what PostgreSQL does.
    if os.environ.get("HKCOURT_REQUIRE_SERVICES"):
        from django.conf import settings

        engine = settings.DATABASES["default"]["ENGINE"]
        assert "postgresql" in engine, f"CI must run on PostgreSQL, got {engine}"


@pytest.fixture
def demo_org(db):
    """The demo organisation (courts, divisions, posts, people, demo accounts)."""
    from hkcourt.org.demo import seed

    seed(log=lambda *_: None)
    return get_user_model()


@pytest.fixture
def demo_user(demo_org):
    def get(username):
        return get_user_model().objects.get(username=username)

    return get


@pytest.fixture
def login_as(client, demo_user):
    """Log the test client in as a demo account and return the user."""

    def do(username):
        user = demo_user(username)
        client.force_login(user)
        return user

    return do
