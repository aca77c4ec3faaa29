"""The Merkle log's endpoints for auditors: the latest signed checkpoint and proofs against it;
the integrity page, with the latest verification and a button that runs one in the background.

An auditor keeps checkpoints, then asks for an inclusion proof (a record is in the log of a given
size) or a consistency proof (the log of a later size extends the one they kept) and checks it
with any RFC 9162 implementation; the hashes are base64, as in the checkpoint. Same permission as
the other auditors' pages; a malformed or out-of-range query answers 400 with a JSON error.
"""

import base64
import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from registry.audit import checkpoints, kept, tasks, tree, verification
from registry.audit.views import PERMISSION


def _b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode()


class _BadQuery(ValueError):
    pass


def _number(request, name: str, *, default: int | None = None) -> int:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        if default is None:
            raise _BadQuery(f"{name} is required")
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise _BadQuery(f"{name} must be a whole number")
    return int(raw)


def _bad(message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=400)


@login_required
@require_GET
@permission_required(PERMISSION, raise_exception=True)
def checkpoint(request):
    latest = checkpoints.latest()
    if latest is None:
        return JsonResponse({"error": "no checkpoint has been signed yet"}, status=404)
    response = HttpResponse(latest.note, content_type="text/plain; charset=utf-8")
    response["X-Tree-Size"] = str(latest.tree_size)
    return response


@login_required
@require_GET
@permission_required(PERMISSION, raise_exception=True)
def inclusion(request):
    stored = tree.size()
    try:
        seq = _number(request, "seq")
        size = _number(request, "size", default=stored)
        if not 1 <= seq <= size:
            raise _BadQuery("seq must be between 1 and size")
        if size > stored:
            raise _BadQuery(f"size must be at most {stored}, the records in the log")
    except _BadQuery as error:
        return _bad(str(error))
    index = seq - 1
    return JsonResponse(
        {
            "seq": seq,
            "leaf_index": index,
            "tree_size": size,
            "leaf_hash": _b64(tree.leaf(index)),
            "root_hash": _b64(tree.root(size)),
            "proof": [_b64(h) for h in tree.inclusion_proof(index, size)],
        }
    )


@login_required
@require_GET
@permission_required(PERMISSION, raise_exception=True)
def consistency(request):
    stored = tree.size()
    try:
        first = _number(request, "from")
        second = _number(request, "to", default=stored)
        if not 1 <= first <= second:
            raise _BadQuery("from must be between 1 and to")
        if second > stored:
            raise _BadQuery(f"to must be at most {stored}, the records in the log")
    except _BadQuery as error:
        return _bad(str(error))
    return JsonResponse(
        {
            "from": first,
            "to": second,
            "from_root": _b64(tree.root(first)),
            "to_root": _b64(tree.root(second)),
            "proof": [_b64(h) for h in tree.consistency_proof(first, second)],
        }
    )


@login_required
@require_GET
@permission_required(PERMISSION, raise_exception=True)
def integrity(request):
    """The log at a glance: the latest checkpoint, what it covers, and a record's leaf."""
    latest = checkpoints.latest()
    size = tree.size()
    record = None
    error = ""
    if request.GET.get("seq"):
        try:
            seq = _number(request, "seq")
            if not 1 <= seq <= size:
                raise _BadQuery(f"seq must be between 1 and {size}")
        except _BadQuery as bad:
            error = str(bad)
        else:
            digest = tree.leaf(seq - 1)
            record = {"seq": seq, "hex": digest.hex(), "base64": _b64(digest)}
    overdue = False
    if latest is not None and latest.tree_size < size:
        period = datetime.timedelta(minutes=2 * settings.AUDIT_CHECKPOINT_MINUTES)
        overdue = timezone.now() - latest.created_at > period
    return render(
        request,
        "audit/integrity.html",
        {
            "latest": latest,
            "size": size,
            "unsigned": size - (latest.tree_size if latest else 0),
            "overdue": overdue,
            "record": record,
            "error": error,
            "public_key": _public_key(),
            "verification": verification.latest(),
            "kept": kept.compare(settings.AUDIT_CHECKPOINT_DIR)
            if settings.AUDIT_CHECKPOINT_DIR
            else None,
        },
        status=400 if error else 200,
    )


@login_required
@require_POST
@permission_required(PERMISSION, raise_exception=True)
def verify_again(request):
    """Queues the whole trail's verification (``registry.audit.tasks.verify_trail``); its result
    shows on the integrity page when it is done (at once when tasks run eagerly)."""
    try:
        tasks.verify_trail.delay(requested_by=request.user.get_username(), source="button")
    except Exception as error:  # the broker is down: say so, the page stays usable
        messages.error(request, f"The verification could not be queued: {error}")
    else:
        messages.success(
            request,
            "Verification requested. Its result shows below when it is done; reload the page.",
        )
    return redirect("audit:integrity")


def _public_key() -> str:
    try:
        return str(checkpoints.signer().verifier)
    except ImproperlyConfigured:
        return ""
