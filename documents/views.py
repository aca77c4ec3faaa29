"""The officials' pages for documents: download a file, accept or reject it, and the end-user
declaration's templates (senior officials publish a new version, seeing first which pending
applications it would touch)."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from documents import selectors, services
from documents.api_views import attachment
from documents.forms import DeclarationTemplateForm, DocumentReviewForm
from documents.models import DeclarationTemplate, Document
from licenses import services as licensing
from licenses.views import application_page, viewable_application
from registry.errors import DomainError
from registry.web import add_service_error


def _document(reference, key):
    application = viewable_application(reference)
    return application, get_object_or_404(Document, application=application, key=key)


class DocumentFileView(PermissionRequiredMixin, View):
    """The file, always as a download (never shown inline by the registry's own origin)."""

    permission_required = "documents.view_document"

    def get(self, request, reference, key):
        _, document = _document(reference, key)
        return attachment(document)


class DocumentReviewView(PermissionRequiredMixin, View):
    """POST only: accept a document, or reject it with a reason."""

    permission_required = "documents.review_document"
    http_method_names = ["post"]

    def post(self, request, reference, key):
        application, document = _document(reference, key)
        form = DocumentReviewForm(request.POST, auto_id=f"review-{document.key}-%s")
        if form.is_valid():
            accept = form.cleaned_data["decision"] == form.ACCEPT
            try:
                licensing.review_document(
                    application=application,
                    document=document,
                    by=request.user,
                    accept=accept,
                    reason=form.cleaned_data["reason"],
                )
            except (ValidationError, DomainError) as error:
                add_service_error(form, error)
            else:
                verdict = "accepted" if accept else "rejected"
                messages.success(
                    request, f"{document.get_kind_display()} v{document.version} is {verdict}."
                )
                return redirect("licenses:application-detail", reference=reference)
        return application_page(
            request, viewable_application(reference), review_forms={document.key: form}
        )


class TemplateListView(PermissionRequiredMixin, View):
    permission_required = "documents.view_declarationtemplate"
    template_name = "documents/template_list.html"

    def get(self, request):
        return self.page(request, DeclarationTemplateForm())

    def page(self, request, form):
        current = selectors.template_in_force()
        context = {
            "current": current,
            "templates": DeclarationTemplate.objects.order_by("-in_force_from", "-version"),
            "form": form if request.user.has_perm("documents.add_declarationtemplate") else None,
            # What a new version would do: the pending exports whose declaration it leaves
            # behind, which could then not be approved before a new declaration is filed.
            "touched": selectors.pending_on_other_templates(
                form.data.get("version", "") if form.is_bound else ""
            ),
        }
        return render(request, self.template_name, context)


class TemplateCreateView(TemplateListView):
    """POST only: a senior official publishes a new version of the declaration."""

    permission_required = "documents.add_declarationtemplate"
    http_method_names = ["post"]

    def post(self, request):
        form = DeclarationTemplateForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                template = services.publish_template(by=request.user, **data)
            except (ValidationError, DomainError) as error:
                add_service_error(form, error)
            else:
                messages.success(request, f"Declaration template {template.version} published.")
                return redirect("documents:template-list")
        return self.page(request, form)
