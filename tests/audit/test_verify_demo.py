"""verify_audit on the demo data: it passes, and fails once one record is altered with SQL."""

import io

import pytest
from django.core.management import CommandError, call_command

from licenses.models import Licence
from tests.audit.conftest import tamper

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("seed", demo=True, force=True, stdout=io.StringIO())


def test_verify_audit_passes_on_the_demo_data(demo):
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert Licence.history.model.objects.exists()
    assert "Audit trail verified." in out.getvalue()


def test_verify_audit_fails_when_one_demo_record_is_altered_with_sql(demo):
    record = Licence.history.model.objects.filter(status="suspended").order_by("audit_seq").first()
    table = Licence.history.model._meta.db_table
    tamper(f"UPDATE {table} SET status = 'active' WHERE history_id = %s", [record.history_id])
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit", stdout=io.StringIO())
    assert f"record {record.audit_seq} ({table}, history_id {record.history_id})" in str(
        failure.value
    )
