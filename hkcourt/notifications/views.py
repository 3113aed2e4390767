from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hkcourt.org.policy import STATE, Refusal, get_visible_or_404

from . import selectors, services
from .filters import InboxFilter
from .models import Notification


def _own(request, pk):
    """The person's own notification, or 404: another person's inbox does not exist for them."""
    return get_visible_or_404(Notification, request.user, pk=pk)


def _back(request, target):
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:inbox")


@login_required
def inbox(request):
    unread_only = InboxFilter(request.GET, queryset=Notification.objects.none()).value("show") == "unread"
    page = Paginator(selectors.inbox(request.user, unread_only=unread_only), 30).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page, "unread_only": unread_only})


@login_required
@require_POST
def open_notification(request, pk):
    """Mark read and follow the notification's link (only to a path on this site)."""
    try:
        notification = services.open_notification(actor=request.user, notification=_own(request, pk))
    except Refusal as exc:
        if exc.code != STATE:
            raise
        return redirect("notifications:inbox")  # no link to follow
    return _back(request, notification.url)


@login_required
@require_POST
def mark_read(request, pk):
    try:
        services.mark_read(actor=request.user, notification=_own(request, pk))
    except Refusal as exc:
        if exc.code != STATE:
            raise
        # Read already (a second click, another tab): nothing to do.
    return _back(request, request.POST.get("next", ""))


@login_required
@require_POST
def mark_all_read(request):
    try:
        count = services.mark_all_read(actor=request.user)
    except Refusal as exc:
        if exc.code != STATE:
            raise
        messages.info(request, exc.message)
    else:
        messages.success(request, _("已将 %(count)d 条通知标为已读。") % {"count": count})
    return redirect("notifications:inbox")
