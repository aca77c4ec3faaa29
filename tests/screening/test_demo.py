"""On the demo data, the seeded sample list matches the demo parties that carry its names."""

import io

import pytest
from django.core.management import call_command

from screening.models import MatchStatus, PartyMatch

pytestmark = pytest.mark.django_db


def test_the_demo_case_waits_on_two_matches_from_the_sample_list(settings, documents_folder):
    settings.DEBUG = True
    call_command("seed", demo=True, stdout=io.StringIO())
    matches = PartyMatch.objects.select_related("party__application")
    assert sorted((m.party.name, m.entry_name, m.status) for m in matches) == [
        ("Nightjar Signal Systems", "Nightjar Signal Systems LLC", MatchStatus.OPEN),
        ("ООО Восток-Сигнал", "Vostok Signal Research Institute", MatchStatus.OPEN),
    ]
    assert len({m.party.application_id for m in matches}) == 1
    assert matches[0].party.application.status == "under_review"
