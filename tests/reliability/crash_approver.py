"""Run as a separate process by test_revision_crash: approves a revision and stops dead half-way.

It approves the revision named on the command line through the real service. Once the service has
written its first licence row (its transaction still open), the process says so on stdout and waits
to be killed, as a server would be by a power cut or the OOM killer.
"""

import sys
import time

import django

django.setup()

from django.db import connection  # noqa: E402

from countries.models import WhitelistRevision  # noqa: E402
from countries.services import approve_revision  # noqa: E402
from registry.models import User  # noqa: E402


def pause_after_the_first_licence_write(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if sql.lstrip().upper().startswith("UPDATE") and '"licenses_licence"' in sql:
        print("HALFWAY", flush=True)
        time.sleep(120)  # killed here; never reached in a passing test
    return result


reference, username = sys.argv[1], sys.argv[2]
with connection.execute_wrapper(pause_after_the_first_licence_write):
    approve_revision(
        revision=WhitelistRevision.objects.get(reference=reference),
        by=User.objects.get(username=username),
        note="approved by the process that crashes",
    )
print("FINISHED", flush=True)
