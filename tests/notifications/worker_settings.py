"""Settings for the Celery worker that the integration tests start as a subprocess: the test settings,
with e-mail written to files (a mailbox the test can read across processes) and small chunks so that a
sweep is a long batch that can be killed half-way."""

import os

from hkcourt.settings.test import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["HK_TEST_MAILDIR"]
NOTIFICATIONS_CHUNK_SIZE = int(os.environ.get("HK_TEST_CHUNK", "500"))
# Isolates this test session's tasks from anyone else's on the same Redis (see worker.KEY_PREFIX).
CELERY_BROKER_TRANSPORT_OPTIONS = {"global_keyprefix": os.environ["HK_TEST_KEY_PREFIX"]}
