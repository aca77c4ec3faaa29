"""The signature of a webhook delivery: ``Registry-Signature: t=<unix>,v1=<hex>``.

``v1`` is HMAC-SHA256 with the webhook's secret over ``"<t>.<body>"``, the body being the exact
bytes posted. A receiver recomputes it, compares in constant time, and refuses a ``t`` too far
from its own clock, so a captured delivery cannot be replayed later (docs/notifications.md has a
receiver's function that does all three).
"""

import hashlib
import hmac
import time

HEADER = "Registry-Signature"


def signature(secret: str, body: bytes, *, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else int(timestamp)
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"
