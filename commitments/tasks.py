"""Celery tasks: thin, take ids, call services, idempotent. Queue them with ``delay_on_commit``."""

from celery import shared_task
from django.contrib.auth import get_user_model


@shared_task(name="commitments.build_letter_bundle", acks_late=True)
def build_letter_bundle(bundle_id):
    from .services import build_bundle

    build_bundle(bundle_id=bundle_id)


@shared_task(name="commitments.render_letter_documents", acks_late=True)
def render_letter_documents(letter_id, verify_base=""):
    """Render and store a signed letter's missing PDF editions (idempotent: nothing stored twice)."""
    from .services import store_letter_documents

    return store_letter_documents(letter_id=letter_id, verify_base=verify_base).pdf_status


@shared_task(name="commitments.render_letter", acks_late=True)
def render_letter_pdf(letter_id):
    """Render one letter (the signed-edition layout) without storing it: the benchmark's unit of work."""
    from .models import CommitmentLetter
    from .services import render_letter

    letter = CommitmentLetter.objects.get(pk=letter_id)
    return len(render_letter(letter, edition="signed" if letter.signed_at else "").pdf)


@shared_task(name="commitments.generate_letters", acks_late=True)
def generate_letters(template_id, actor_id):
    from .models import LetterTemplate
    from .services import generate_letters as generate

    actor = get_user_model().objects.get(pk=actor_id)
    return generate(actor=actor, template=LetterTemplate.objects.get(pk=template_id))


@shared_task(name="commitments.remind_unsigned")
def remind_unsigned():
    """For the campaign's beat schedule: remind everyone with an unsigned or un-countersigned letter."""
    from django.utils import timezone

    from .models import LetterTemplate
    from .services import remind_unsigned as remind
    from .services import requeue_letter_documents

    requeue_letter_documents()  # PDFs still pending after a broker outage, or failed: try again
    today = timezone.localdate()
    total = 0
    for template in LetterTemplate.objects.filter(sign_deadline__isnull=False, year__gte=today.year - 1):
        total += remind(template=template, today=today)
    return total
