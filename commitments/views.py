"""Letters pages: thin. Reads come from :mod:`.selectors` (scoped: out of scope is 404), actions from
:mod:`.services`; a refused action comes back as a message and changes nothing. What a person may do is only
asked of the policy (:mod:`.policy`), here and in the templates (``{% allowed_actions %}``, ``{% can %}``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from hkcourt.org import audit, policy
from hkcourt.org import selectors as org_selectors
from hkcourt.org.models import Court, Division
from hkcourt.org.policy import STATE, Refusal
from hkcourt.org.publicurl import public_url
from hkcourt.org.ratelimit import limit_requests
from hkcourt.org.views_generic import copy_errors

from . import placeholders, selectors, services
from .filters import LetterFilter
from .forms import (
    CodeForm,
    PasswordForm,
    SigningLayersForm,
    SupersedeForm,
    SupplementForm,
    TemplateForm,
    UploadForm,
)
from .models import CommitmentLetter, Kind, LetterBundle, LetterState, LetterTemplate, SigningLayers
from .rendering import RenderError, render_document
from .uploads import HashingUploadHandler


def _verify_base(request):
    return public_url(request, "/")


def _messages_of(exc):
    if isinstance(exc, ValidationError):
        return [str(m) for m in exc.messages]
    return [str(exc.args[0]) if exc.args else _("您无权办理此事项。")]


def _refused(request, exc):
    """Flash why an action did not happen; a forbidden one answers 403 (hkcourt/org/actions.py)."""
    if isinstance(exc, Refusal) and exc.code != STATE:
        raise exc
    for text in _messages_of(exc):
        messages.error(request, text)


@login_required
def letter_list(request):
    filterset = LetterFilter(request.GET, queryset=CommitmentLetter.objects.none(), request=request)
    tab, state, kind = filterset.value("tab"), filterset.value("state"), filterset.value("kind")
    template = filterset.value("template") or selectors.current_template(request.user)
    if tab == "countersign":
        rows = selectors.to_countersign(request.user)
    else:
        rows = selectors.letter_list(request.user, template=template, state=state, kind=kind, mine=(tab == "mine"))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "commitments/list.html",
        {
            "page": page,
            "tab": tab,
            "template": template,
            "templates": selectors.templates_for(request.user).order_by("-year")[:20],
            "states": LetterState.choices,
            "kinds": Kind.choices,
            "state": state,
            "kind": kind,
            "countersign_count": selectors.to_countersign(request.user).count(),
        },
    )


@login_required
def letter_detail(request, pk):
    letter = selectors.letter_detail(request.user, pk)
    return render(
        request,
        "commitments/detail.html",
        {
            "letter": letter,
            "body": letter.body,
            "documents": selectors.documents_of(letter),
            "versions": selectors.versions_of(letter),
            "history": org_selectors.state_history(letter),
            "sign_form": PasswordForm(),
            "supplement_form": SupplementForm(initial={"supplement": letter.supplement}),
            "supersede_form": SupersedeForm(),
            "countersigner_name": services.person_name(letter.countersigner_id),
            "countersigned_by_name": services.person_name(letter.countersigned_by_id),
            "external_default": services.external_signatory_of(letter) if not letter.countersigner_id else "",
        },
    )


@login_required
def letter_pdf(request, pk):
    """A signed letter: its stored PDF (never rendered again). A drafted one: a preview marked 样稿."""
    letter = policy.get_for_action_or_404(
        CommitmentLetter.objects.select_related("court"), request.user, "commitments.download_pdf", pk=pk
    )
    name = f"letter-{letter.pk}-v{letter.version}"
    if letter.state == LetterState.DRAFTED:
        try:
            result = services.render_letter(letter, verify_base=_verify_base(request))
        except RenderError:
            messages.error(request, _("样稿生成失败，请稍后重试。"))
            return redirect("commitments:detail", pk=letter.pk)
        response = HttpResponse(result.pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{name}-draft.pdf"'
        return response
    documents = selectors.documents_of(letter)
    wanted = request.GET.get("edition", "")
    document = next((d for d in reversed(documents) if not wanted or d.edition == wanted), None)
    if document is None and not wanted:  # signed, its PDF still being rendered by the task
        messages.info(request, _("承诺书PDF正在生成，请稍后再打开。"))
        return redirect("commitments:detail", pk=letter.pk)
    if document is None:
        raise Http404(_("没有该版本的文件。"))
    audit.read(
        actor=request.user,
        action="commitments.download",
        obj=letter,
        data={"edition": document.edition, "sha256": document.sha256},
    )
    response = FileResponse(
        document.file.open("rb"), content_type="application/pdf", filename=f"{name}-{document.edition}.pdf"
    )
    response["Content-Disposition"] = response["Content-Disposition"].replace("attachment", "inline")
    response["X-Content-SHA256"] = document.sha256
    return response


def _sign_with_password(request, pk, service, incomplete, done, **extra):
    """Signing and countersigning: the same password form, the same service shape, their own messages."""
    letter = selectors.letter_detail(request.user, pk)
    form = PasswordForm(request.POST)
    if not form.is_valid():
        messages.error(request, incomplete)
        return redirect("commitments:detail", pk=letter.pk)
    try:
        service(
            actor=request.user,
            letter=letter,
            password=form.cleaned_data["password"],
            verify_base=_verify_base(request),
            **extra,
        )
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(request, done)
    return redirect("commitments:detail", pk=letter.pk)


@login_required
@require_POST
def sign(request, pk):
    return _sign_with_password(
        request,
        pk,
        services.sign_letter,
        _("请输入登录密码并勾选确认后再签订。"),
        _("承诺书已签订；PDF正在生成，完成后存档。"),
    )


@login_required
@require_POST
def countersign(request, pk):
    return _sign_with_password(
        request,
        pk,
        services.countersign_letter,
        _("请输入登录密码并勾选确认后再签字。"),
        _("监督人已签字，审核确认完成。"),
        external_signatory=request.POST.get("external_signatory", "")[:100],
    )


@login_required
@require_POST
def archive(request, pk):
    letter = selectors.letter_detail(request.user, pk)
    try:
        services.archive_letter(actor=request.user, letter=letter)
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("已归档。"))
    return redirect("commitments:detail", pk=letter.pk)


@login_required
@require_POST
def supersede(request, pk):
    letter = selectors.letter_detail(request.user, pk)
    form = SupersedeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写更正理由。"))
        return redirect("commitments:detail", pk=letter.pk)
    try:
        newer = services.supersede_letter(actor=request.user, letter=letter, reason=form.cleaned_data["reason"])
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
        return redirect("commitments:detail", pk=letter.pk)
    messages.success(request, _("已生成第%(v)d版，原版本保留备查。") % {"v": newer.version})
    return redirect("commitments:detail", pk=newer.pk)


@login_required
@require_POST
def supplement(request, pk):
    letter = selectors.letter_detail(request.user, pk)
    form = SupplementForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("补充承诺不能超过2000个字。"))
        return redirect("commitments:detail", pk=letter.pk)
    try:
        services.update_supplement(actor=request.user, letter=letter, text=form.cleaned_data["supplement"])
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("补充承诺已保存。"))
    return redirect("commitments:detail", pk=letter.pk)


# ---------------------------------------------------------------- templates (office)


@login_required
def template_list(request):
    policy.check(request.user, "commitments.manage_templates")
    return render(
        request,
        "commitments/templates.html",
        {"templates": selectors.templates_for(request.user).order_by("-year", "court__path")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request, pk=None):
    if pk:
        template = selectors.template_detail(request.user, pk)
        policy.check(request.user, "commitments.manage_templates", template)
    else:
        template = None
        policy.check(request.user, "commitments.manage_templates")
    court = template.court if template else _own_court(request.user)
    courts = None if template else selectors.manageable_courts(request.user)
    if request.method == "POST":
        form = TemplateForm(request.POST, instance=template, courts=courts)
        if form.is_valid():
            data = form.cleaned_data
            try:
                template = services.save_template(
                    actor=request.user,
                    court=data.get("court") or court,
                    year=data["year"],
                    title=data["title"],
                    personal_text=data["personal_text"],
                    division_text=data["division_text"],
                    court_text=data["court_text"],
                    sign_deadline=data["sign_deadline"],
                    campaign_id=template.campaign_id if template else None,
                    year_label=data.get("year_label", ""),
                    template=template,
                )
            except ValidationError as exc:
                copy_errors(form, exc)
            except PermissionDenied as exc:
                _refused(request, exc)
            else:
                messages.success(request, _("模板已保存。"))
                return redirect("commitments:template_edit", pk=template.pk)
    else:
        initial = {**services.new_template_defaults(), "court": court} if template is None else None
        form = TemplateForm(instance=template, initial=initial, courts=courts)
    return render(request, "commitments/template_form.html", {"form": form, "template": template, "court": court})


def _own_court(user):
    from hkcourt.org.models import Person

    person = Person.objects.filter(user=user).select_related("court").first()
    if person is None:
        court = Court.objects.visible_to(user).first()
        if court is None:
            raise Http404
        return court
    return person.court


@login_required
@require_http_methods(["GET", "POST"])
def template_preview(request, pk):
    """What the template produces for the signed-in person (or the first signer of that kind), unsigned. A POST
    previews the texts being edited without saving them."""
    template = selectors.template_detail(request.user, pk)
    policy.check(request.user, "commitments.manage_templates", template)
    kind = request.POST.get("preview_kind") or request.GET.get("kind", Kind.PERSONAL)
    kind = kind if kind in Kind.values else Kind.PERSONAL
    errors = []
    if request.method == "POST":
        template = LetterTemplate(
            pk=template.pk,
            court=template.court,
            year=template.year,
            year_label=template.year_label,
            title=template.title,
            personal_text=request.POST.get("personal_text", "")[:4000],
            division_text=request.POST.get("division_text", "")[:4000],
            court_text=request.POST.get("court_text", "")[:4000],
        )  # never saved: a preview of unsaved edits
        errors = placeholders.errors(template.text_for(kind))
    body = services.preview_body(template=template, kind=kind, user=request.user) if not errors else None
    return render(
        request,
        "commitments/template_preview.html",
        {
            "template": template,
            "body": body,
            "kind": kind,
            "kinds": Kind.choices,
            "errors": errors,
            "unsaved": request.method == "POST",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def layers(request):
    """Who supervises each layer's letters (签订层级), for a court the office or administrator may manage."""
    policy.check(request.user, "commitments.manage_layers")
    courts = selectors.manageable_courts(request.user, action="commitments.manage_layers")
    wanted = request.POST.get("court") or request.GET.get("court", "")
    court = (courts.filter(pk=wanted).first() if wanted.isdigit() else None) or _own_court(request.user)
    policy.check(request.user, "commitments.manage_layers", court)
    instance = SigningLayers.of(court)
    form = SigningLayersForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_signing_layers(actor=request.user, court=court, **form.cleaned_data)
        except ValidationError as exc:
            copy_errors(form, exc)
        else:
            messages.success(request, _("签订层级已保存；重新生成承诺书后，尚未签订的承诺书按新的层级确定监督人。"))
            return redirect(f"{request.path}?court={court.pk}")
    return render(
        request,
        "commitments/layers.html",
        {"form": form, "court": court, "courts": courts, "chain": selectors.signing_chain(court)},
    )


@login_required
@require_POST
def generate(request, pk):
    template = selectors.template_detail(request.user, pk)
    try:
        result = services.generate_letters(actor=request.user, template=template)
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(
            request,
            _("已生成：新建%(created)d份，更新%(refreshed)d份，已签订不变%(frozen)d份。") % result,
        )
    return redirect("commitments:templates")


# ---------------------------------------------------------------- progress and bundles


@login_required
def progress(request):
    policy.check(request.user, "commitments.view_progress")
    template = selectors.current_template(request.user)
    if request.GET.get("template", "").isdigit():
        template = selectors.templates_for(request.user).filter(pk=request.GET["template"]).first() or template
    groups = selectors.progress(request.user, template) if template else []
    return render(
        request,
        "commitments/progress.html",
        {
            "template": template,
            "groups": groups,
            "bundles": selectors.bundles_for(request.user)[:10],
            "total": sum(g.total for g in groups),
            "signed": sum(g.signed for g in groups),
        },
    )


@login_required
@require_POST
def bundle_request(request):
    template = selectors.template_detail(request.user, request.POST.get("template", ""))
    division = policy.get_visible_or_404(
        Division.objects.filter(court=template.court), request.user, pk=request.POST.get("division", "")
    )
    try:
        bundle = services.request_bundle(actor=request.user, template=template, division=division)
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
        return redirect("commitments:progress")
    return redirect("commitments:bundle", pk=bundle.pk)


@never_cache
@login_required
def bundle_status(request, pk):
    bundle = policy.get_visible_or_404(LetterBundle.objects.select_related("division__court"), request.user, pk=pk)
    template_name = "commitments/_bundle_status.html" if request.htmx else "commitments/bundle.html"
    return render(request, template_name, {"bundle": bundle})


@login_required
def bundle_download(request, pk):
    bundle = policy.get_for_action_or_404(
        LetterBundle.objects.select_related("division__court"), request.user, "commitments.download_zip", pk=pk
    )
    return FileResponse(bundle.file.open("rb"), as_attachment=True, filename=f"letters-{bundle.division_id}.zip")


# ---------------------------------------------------------------- post power statement (岗位权力说明书) as PDF


@login_required
def post_statement_pdf(request, pk):
    """The registry's post power statement, printed through the same guarded renderer as the letters."""
    from django.utils import timezone

    from hkcourt.org.models import Person
    from risks import selectors as registry

    post = registry.post_detail(request.user, pk)
    points = list(registry.post_risk_points(request.user, post))
    by_power = {}
    for rp in points:
        by_power.setdefault(rp.power_id, []).append(rp)
    rows = [(p, by_power.get(p.pk, [])) for p in registry.post_powers(post)]
    holders = Person.objects.visible_to(request.user).filter(post=post).order_by("full_name")
    try:
        result = render_document(
            "commitments/pdf/post_statement.html",
            {"post": post, "rows": rows, "holders": holders, "today": timezone.localdate()},
        )
    except RenderError:
        messages.error(request, _("岗位权力说明书PDF生成失败，请稍后重试。"))
        return redirect("risks:post_statement", pk=post.pk)
    response = HttpResponse(result.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="post-{post.pk}.pdf"'
    return response


# ---------------------------------------------------------------- verification (public, no login)


# The whole request body of a verification: the PDF plus the form's few fields.
VERIFY_MAX_BODY = selectors.MAX_UPLOAD + 256 * 1024


@csrf_exempt  # the CSRF check reads the body: it runs in _verify, after the upload handler is set
@never_cache
@require_http_methods(["GET", "POST"])
@limit_requests("verify", max_body=VERIFY_MAX_BODY)
def verify(request):
    """Public. The uploaded PDF is hashed as it streams in and never kept (a body over the cap is refused
    before it is read, a visitor over the rate limit waits)."""
    request.upload_handlers = [HashingUploadHandler(request, limit=selectors.MAX_UPLOAD)]
    return _verify(request)


@csrf_protect
def _verify(request):
    verdict = None
    code_form = CodeForm(request.GET or None)
    upload_form = UploadForm()
    if request.method == "POST":
        upload_form = UploadForm(request.POST, request.FILES)
        if upload_form.is_valid():
            verdict = selectors.verify_upload(upload_form.cleaned_data["file"])
        else:
            verdict = selectors.Verdict(False, message=_("请选择要验证的PDF文件。"))
    elif code_form.is_bound:
        verdict = (
            selectors.verify_code(code_form.cleaned_data["code"])
            if code_form.is_valid()
            else selectors.Verdict(False, message=_("请输入验证码。"))
        )
    return render(
        request,
        "commitments/verify.html",
        {"code_form": code_form, "upload_form": upload_form, "verdict": verdict},
        status=200,
    )
