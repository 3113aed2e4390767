# The letters' fixtures (a template, generated letters, signing) and the early-warning world (a signal, a
# warning, handlings) for the verification and audit tests.
from tests.commitments.conftest import (  # noqa: F401
    celery_eager,
    city,
    civil,
    committed,
    judge_post,
    letter_of,
    letters,
    sign,
    template,
)
from tests.oversight.conftest import hgzy, world  # noqa: F401
