# The letters' fixtures (a template, generated letters, signing) and the early-warning world (a signal, a
# warning, handlings) for the verification and audit tests.
from tests.commitments.conftest import city, civil, judge_post, letter_of, letters, sign, template  # noqa: F401
from tests.oversight.conftest import hgzy, world  # noqa: F401
