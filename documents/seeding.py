"""The declaration template the seed records: the end-user declaration of December 2021."""

import datetime
import json
from pathlib import Path

from django.conf import settings

from documents import services
from documents.models import DeclarationTemplate
from registry.audit import history

TEMPLATE_FILE = Path(settings.BASE_DIR) / "fixtures" / "declaration-2021-12.json"


def seed_declaration_template(*, by) -> DeclarationTemplate | None:
    """Records the template, dated the day it came into force, unless it is on record."""
    document = json.loads(TEMPLATE_FILE.read_text(encoding="utf-8"))
    if DeclarationTemplate.objects.filter(version=document["version"]).exists():
        return None
    with history.backdating():
        return services.publish_template(
            by=by,
            version=document["version"],
            title=document["title"],
            text=document["text"],
            in_force_from=datetime.date.fromisoformat(document["in_force_from"]),
            reason=document["reason"],
            at=datetime.datetime.fromisoformat(document["recorded_at"]),
        )
