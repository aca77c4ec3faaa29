"""The bare baselines the benchmarks compare the real endpoints with, on the same server.

They do the least a Django view can do for the same shape of request: no authentication, no
screening, no history. They exist only under the benchmark URLconf (``bench.urls``), which only
the benchmark's settings (``bench.settings``) select; production never does.
"""

import datetime
import json
import secrets

from django.contrib.sessions.models import Session
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

CONSTANT = {"code": "FR", "name": "France", "eligible": True, "eligible_since": "2018-01-01"}


@require_GET
def constant_json(request):
    """B1's baseline: a constant JSON object, as small as the eligibility answer."""
    return JsonResponse(CONSTANT)


@csrf_exempt
@require_POST
def insert_one_row(request):
    """B2's baseline: parses the JSON body and inserts one row (a session row) in a transaction."""
    payload = json.loads(request.body or b"{}")
    Session.objects.create(
        session_key=secrets.token_hex(16),
        session_data=json.dumps(payload)[:1000],
        expire_date=timezone.now() + datetime.timedelta(minutes=5),
    )
    return JsonResponse({"created": True}, status=201)
