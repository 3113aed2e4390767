import pytest
from django.contrib.auth import get_user_model

from tests.requires import services_required


def pytest_configure(config):
    # In CI (CI or HKCOURT_REQUIRE_SERVICES set) the real services must be there: a test run on SQLite would
    # hide what PostgreSQL does. Tests that need a tool or another service ask through tests/requires.py.
    if services_required():
        from django.conf import settings

        engine = settings.DATABASES["default"]["ENGINE"]
        assert "postgresql" in engine, f"CI must run on PostgreSQL, got {engine}"


def _seed_demo_org():
    from hkcourt.org.demo import seed

    seed(log=lambda *_: None)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Seed the demo organisation once per test database, committed, instead of once per test.

    Tests run inside a transaction that is rolled back, so the seed stays as it is. pytest-django runs
    transactional tests last; they flush the database, and ``demo_org`` seeds again where needed.
    """
    with django_db_blocker.unblock():
        _seed_demo_org()


@pytest.fixture
def demo_org(db):
    """The demo organisation (courts, divisions, posts, people, demo accounts)."""
    if not get_user_model().objects.filter(username="staff_demo").exists():
        _seed_demo_org()
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


@pytest.fixture(autouse=True)
def _chinese_and_fresh_content_types(request):
    """Every test starts in the default language (Chinese): a request made by an earlier test with the
    English cookie leaves its language active in the thread. Transactional tests flush the database,
    so Django's content-type cache must not outlive them (stale ids would break the audit log)."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import translation

    transactional = "transactional_db" in request.fixturenames or "live_server" in request.fixturenames
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        transactional = True
    translation.activate("zh-hans")
    if transactional:
        ContentType.objects.clear_cache()
    yield
    translation.deactivate()
    if transactional:
        ContentType.objects.clear_cache()
