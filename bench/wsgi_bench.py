"""The application as gunicorn serves it for ``bench/throughput.py``: DEBUG off, plain static storage (no
collected manifest needed), and one extra URL, ``bench/bare/``, a view that returns "ok" through the whole
middleware stack (session, authentication, CSP, ...) without touching the data — the bare Django view the
pages' throughput is compared with. Never used by the application itself."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hkcourt.settings.dev")
os.environ["DEBUG"] = "False"

from django.conf import settings  # noqa: E402

settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
settings.ROOT_URLCONF = "bench.wsgi_bench"

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()  # django.setup() first: the URLconf below imports the apps' views

from django.http import HttpResponse  # noqa: E402
from django.urls import include, path  # noqa: E402


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), path("", include("hkcourt.urls"))]
