from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .models import Notification


def _own(request, pk):
    try:
        return selectors.get(request.user, pk)
    except Notification.DoesNotExist as exc:
        raise Http404(_("没有这条通知。")) from exc


@login_required
def inbox(request):
    unread_only = request.GET.get("show") == "unread"
    page = Paginator(selectors.inbox(request.user, unread_only=unread_only), 30).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page, "unread_only": unread_only})


@login_required
@require_POST
def open_notification(request, pk):
    """Mark read and follow the notification's link (only to a path on this site)."""
    notification = services.mark_read(actor=request.user, notification=_own(request, pk))
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_read(request, pk):
    services.mark_read(actor=request.user, notification=_own(request, pk))
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request):
    count = services.mark_all_read(actor=request.user)
    messages.success(request, _("已将 %(count)d 条通知标为已读。") % {"count": count})
    return redirect("notifications:inbox")
