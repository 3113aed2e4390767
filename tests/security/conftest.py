# The letters' fixtures (a template, generated letters, signing) for the verification tests.
from tests.commitments.conftest import city, civil, judge_post, letter_of, letters, sign, template  # noqa: F401
