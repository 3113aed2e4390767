import datetime
import http.server
import threading

import pytest

from hkcourt.org.demo import DEMO_PASSWORD
from hkcourt.org.models import Court, Division, Post

VERIFY_BASE = "http://testserver/"


@pytest.fixture
def city(demo_org):
    return Court.objects.get(code="hgzy")


@pytest.fixture
def template(city, demo_user):
    from commitments import services

    return services.save_template(
        actor=demo_user("office_demo"),
        court=city,
        year=2026,
        title="2026—2027年度廉政风险防范承诺书",
        sign_deadline=datetime.date(2026, 12, 31),
        **services.default_template_texts(),
    )


def make_risk(*, court, division, post, owner, description, grade="high", state="confirmed", level="post", **extra):
    from risks.models import RiskPoint

    return RiskPoint.objects.create(
        court=court,
        division=division,
        post=post if level == "post" else None,
        owner=owner,
        level=level,
        description=description,
        manifestations=extra.pop("manifestations", "收受当事人财物，为其谋取不正当利益"),
        grade=grade,
        state=state,
        **extra,
    )


@pytest.fixture
def civil(city):
    return Division.objects.get(court=city, name="民事审判庭")


@pytest.fixture
def judge_post(civil):
    return Post.objects.get(division=civil, name="审判员")


@pytest.fixture
def letters(template, civil, judge_post, demo_user):
    """The demo organisation's letters: on staff_demo's post two confirmed risk points, a graded one awaiting
    confirmation and a draft; one confirmed division point."""
    from commitments import services

    staff = demo_user("staff_demo")
    make_risk(court=civil.court, division=civil, post=judge_post, owner=staff, description="违规采取诉讼保全措施")
    make_risk(
        court=civil.court, division=civil, post=judge_post, owner=staff, description="调解中偏向一方当事人", grade="low"
    )
    make_risk(
        court=civil.court, division=civil, post=judge_post, owner=staff, description="草稿不应出现", state="draft"
    )
    make_risk(
        court=civil.court,
        division=civil,
        post=judge_post,
        owner=staff,
        description="已评级待集体确定",
        grade="medium",
        state="graded",
    )
    make_risk(
        court=civil.court,
        division=civil,
        post=None,
        owner=demo_user("head_demo"),
        description="庭室案件分配不公开",
        grade="medium",
        level="division",
    )
    services.generate_letters(actor=demo_user("office_demo"), template=template)
    return template


@pytest.fixture
def letter_of(letters):
    from commitments.models import CommitmentLetter

    def get(username, kind="personal"):
        return CommitmentLetter.objects.current().get(template=letters, signer__username=username, kind=kind)

    return get


@pytest.fixture(autouse=True)
def celery_eager():
    """Tasks queued here run in this process, for real (the PDF task renders and stores the editions)."""
    from hkcourt.celery import app

    before = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a call as if its transaction committed: the work it queued after commit (Celery tasks) runs."""

    def run(call):
        with django_capture_on_commit_callbacks(execute=True):
            result = call()
        if hasattr(result, "refresh_from_db"):
            result.refresh_from_db()
        return result

    return run


@pytest.fixture
def sign(demo_user, committed):
    from commitments import services

    def do(letter, username=None):
        actor = demo_user(username) if username else letter.signer
        return committed(
            lambda: services.sign_letter(actor=actor, letter=letter, password=DEMO_PASSWORD, verify_base=VERIFY_BASE)
        )

    return do


@pytest.fixture
def countersign(demo_user, committed):
    from commitments import services

    def do(letter, username):
        return committed(
            lambda: services.countersign_letter(
                actor=demo_user(username), letter=letter, password=DEMO_PASSWORD, verify_base=VERIFY_BASE
            )
        )

    return do


class _Counter(http.server.BaseHTTPRequestHandler):
    requests = []

    def do_GET(self):  # noqa: N802
        type(self).requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { background: red }")

    do_POST = do_GET

    def log_message(self, *args):
        pass


@pytest.fixture
def trap_server():
    """A local HTTP server on 127.0.0.1 that must receive no request at all."""

    class Handler(_Counter):
        requests = []

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    server.requests = Handler.requests
    yield server
    server.shutdown()
    server.server_close()
