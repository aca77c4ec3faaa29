"""Decisions on record: criteria, conditions, the signed documents each decision issues, the
check code, and appeals (issue 12 of the contract)."""

import datetime
import hashlib
import io

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from decisions.models import DecisionCriterion
from decisions.seeding import CRITERIA
from documents import storage
from documents.models import IssuedDocument
from licenses import approvals, issuing, services
from licenses.models import Appeal, ApplicationStatus, EndUserKind, Licence
from registry.errors import DomainError, FourEyesViolation, ScreeningFailed, TransitionNotAllowed
from tests.factories import issue_licence, submit_application

pytestmark = pytest.mark.django_db


# --- Pure: the mapping and the deadline ------------------------------------------------------


def test_every_rule_maps_to_a_seeded_criterion():
    seeded = {code for code, _ in CRITERIA}
    for rule in approvals.RULES:
        assert approvals.criterion_for(rule.__name__) in seeded
    # Rule 7, added beside this mapping, refuses on a restricted-party match.
    assert approvals.criterion_for("no_unresolved_party_match") == "restricted_party_match"
    assert "restricted_party_match" in seeded
    assert set(approvals.RULE_CRITERIA.values()) <= seeded


def test_a_rule_not_in_the_mapping_refuses_on_other():
    assert approvals.criterion_for("a_rule_added_later") == "other"


def test_a_refusal_by_screening_names_each_failing_rules_criterion_once_in_order():
    results = [
        approvals.RuleResult(approvals.END_USER_GOVERNMENT, False, "x"),
        approvals.RuleResult(approvals.DESTINATION_WHITELISTED, True, "x"),
        approvals.RuleResult(approvals.PRODUCT_REGISTERED, False, "x"),
        approvals.RuleResult("a_rule_added_later", False, "x"),
        approvals.RuleResult("another_rule_added_later", False, "x"),
    ]
    assert approvals.refusal_criteria(results) == [
        "end_user_not_eligible",
        "product_not_registered",
        "other",
    ]


def test_the_appeal_closes_on_the_last_of_the_calendar_days_from_the_letter():
    letter = datetime.date(2026, 2, 10)
    assert approvals.appeal_closes_on(letter, 28) == datetime.date(2026, 3, 10)
    assert approvals.appeal_open(today=datetime.date(2026, 3, 10), letter_date=letter, days=28)
    assert not approvals.appeal_open(today=datetime.date(2026, 3, 11), letter_date=letter, days=28)
    # Calendar days: weekends and holidays count.
    assert approvals.appeal_closes_on(datetime.date(2026, 12, 24), 28) == datetime.date(2027, 1, 21)


def test_check_codes_are_compared_by_their_digest_only():
    code = issuing.new_check_code()
    assert len(issuing.normalise_check_code(code)) == issuing.CHECK_CODE_LENGTH
    digest = issuing.check_code_digest("ML-2026-000001", code)
    assert digest == issuing.check_code_digest("ML-2026-000001", code.lower().replace("-", " "))
    # The same code for another licence has another digest.
    assert digest != issuing.check_code_digest("ML-2026-000002", code)


# --- Issued documents: open, read, validate ---------------------------------------------------


def _read(document: IssuedDocument) -> bytes:
    with storage.open_stored(document.stored_as) as handle:
        return handle.read()


def assert_signed_pdf(document: IssuedDocument, *texts: str) -> str:
    """The stored file: its SHA-256 the one on record, its text, and a PAdES signature valid
    against the configured certificate and covering the whole file."""
    data = _read(document)
    assert hashlib.sha256(data).hexdigest() == document.sha256
    [record] = document.history.all()
    assert record.sha256 == document.sha256
    assert document.sha256 in record.history_change_reason
    text = " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split()
    )
    for expected in texts:
        assert expected in text, expected
    certificate = load_cert_from_pemder(settings.SIGNING_CERT_FILE)
    [signature] = PdfFileReader(io.BytesIO(data)).embedded_signatures
    status = validate_pdf_signature(signature, ValidationContext(trust_roots=[certificate]))
    assert status.bottom_line and status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    assert document.signer_certificate_sha256 == hashlib.sha256(certificate.dump()).hexdigest()
    return text


def test_an_approval_attaches_conditions_and_issues_a_signed_certificate(
    vendor, product, vendor_user, official
):
    application = submit_application(vendor=vendor, product=product, by=vendor_user)
    services.start_review(application=application, by=official)
    licence = services.approve_application(
        application=application,
        by=official,
        reason="Meets the conditions",
        conditions=["no_re_export"],
        other_conditions="Deliveries only to the DGSI's Paris site.\n\n",
    )
    licence.refresh_from_db()
    assert [c["code"] for c in licence.conditions] == ["no_re_export", ""]
    assert licence.conditions[1]["text"] == "Deliveries only to the DGSI's Paris site."
    [certificate] = IssuedDocument.objects.filter(licence=licence)
    assert certificate.kind == IssuedDocument.Kind.CERTIFICATE
    text = assert_signed_pdf(
        certificate,
        licence.number,
        vendor.name,
        product.control_entry,
        "France",
        "Deliveries only to the DGSI",
        "REV-2021-001",
    )
    code = licence.check_code
    assert code in text
    assert code not in str(list(licence.history.values()))
    assert issuing.check_code_matches(licence, licence.number, code)


def test_a_refusal_needs_a_criterion_and_issues_a_signed_letter(
    vendor, product, vendor_user, official
):
    application = submit_application(vendor=vendor, product=product, by=vendor_user)
    records = application.history.count()
    with pytest.raises(ValidationError) as error:
        services.refuse_application(application=application, by=official, reason="No.")
    assert "criteria" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.refuse_application(
            application=application, by=official, reason="No.", criteria=["no_such_ground"]
        )
    assert "no_such_ground" in error.value.message_dict["criteria"][0]
    with pytest.raises(ValidationError) as error:
        services.refuse_application(
            application=application,
            by=official,
            reason="No.",
            criteria=["human_rights_risk"],
            conditions=["no_re_export"],
        )
    assert "conditions" in error.value.message_dict
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.history.count() == records
    assert not IssuedDocument.objects.filter(application=application).exists()

    services.refuse_application(
        application=application,
        by=official,
        reason="Reports of use against journalists.",
        criteria=["human_rights_risk", "diversion_risk"],
    )
    application.refresh_from_db()
    assert application.refusal_criteria == ["human_rights_risk", "diversion_risk"]
    assert not application.refused_at_intake
    assert application.history.latest().refusal_criteria == ["human_rights_risk", "diversion_risk"]
    [letter] = IssuedDocument.objects.filter(application=application)
    closes = issuing.appeal_closes_on(application)
    assert_signed_pdf(
        letter,
        application.reference,
        "human_rights_risk",
        "Reports of use against journalists.",
        f"{closes:%d %B %Y}".lstrip("0"),
    )


def test_a_retired_criterion_is_not_offered_for_new_refusals(
    vendor, product, vendor_user, official, system
):
    from registry.audit import history

    criterion = DecisionCriterion.objects.get(code="diversion_risk")
    criterion.retired = True
    history.save(criterion, by=system, reason="Folded into human_rights_risk")
    application = submit_application(vendor=vendor, product=product, by=vendor_user)
    with pytest.raises(ValidationError):
        services.refuse_application(
            application=application, by=official, reason="No.", criteria=["diversion_risk"]
        )


def test_a_refusal_at_intake_is_marked_with_its_criteria_and_letter(vendor, product, vendor_user):
    application = submit_application(
        vendor=vendor, product=product, by=vendor_user, destination="MX"
    )
    assert application.status == ApplicationStatus.REFUSED
    assert application.refused_at_intake is True
    assert application.refusal_criteria == ["destination_not_eligible"]
    [letter] = IssuedDocument.objects.filter(application=application)
    assert_signed_pdf(letter, "destination_not_eligible", "refused by screening")


def test_a_signing_key_that_does_not_match_its_certificate_is_refused(tmp_path, settings):
    from django.core.exceptions import ImproperlyConfigured

    from documents import checks, signing

    key, _ = signing.make_development_pair(common_name="one")
    _, cert = signing.make_development_pair(common_name="two")
    (tmp_path / "k.pem").write_bytes(key)
    (tmp_path / "c.pem").write_bytes(cert)
    with pytest.raises(ImproperlyConfigured, match="does not match"):
        signing.load_pair(str(tmp_path / "k.pem"), str(tmp_path / "c.pem"))
    settings.SIGNING_KEY_FILE = str(tmp_path / "k.pem")
    settings.SIGNING_CERT_FILE = str(tmp_path / "c.pem")
    settings.DEBUG = False
    [error] = checks.signing_pair_is_usable()
    assert error.id == "documents.E001"
    assert "does not match" in error.msg


def test_a_development_pair_or_none_stops_a_production_start(tmp_path, settings):
    from documents import checks, signing

    key, cert = signing.make_development_pair(
        common_name=f"Export-licence registry {signing.DEVELOPMENT_MARK}"
    )
    (tmp_path / "k.pem").write_bytes(key)
    (tmp_path / "c.pem").write_bytes(cert)
    settings.SIGNING_KEY_FILE = str(tmp_path / "k.pem")
    settings.SIGNING_CERT_FILE = str(tmp_path / "c.pem")
    settings.DEBUG = False
    [error] = checks.signing_pair_is_usable()
    assert error.id == "documents.E001" and "development" in error.msg
    settings.DEBUG = True  # a development pair is what a DEBUG run uses
    assert checks.signing_pair_is_usable() == []
    settings.SIGNING_KEY_FILE = str(tmp_path / "missing.pem")
    [warning] = checks.signing_pair_is_usable()
    assert warning.id == "documents.W001"
    settings.DEBUG = False
    settings.SIGNING_KEY_FILE = ""
    [error] = checks.signing_pair_is_usable()
    assert error.id == "documents.E001"


def test_the_configured_test_pair_passes_the_check():
    from documents import checks

    assert checks.signing_pair_is_usable() == []


# --- Appeals ------------------------------------------------------------------------------


@pytest.fixture
def refused(vendor, product, vendor_user, official):
    application = submit_application(vendor=vendor, product=product, by=vendor_user)
    services.start_review(application=application, by=official)
    return services.refuse_application(
        application=application,
        by=official,
        reason="The end use is not credible.",
        criteria=["diversion_risk"],
    )


def test_an_appeal_puts_the_refusal_under_appeal_with_history(refused, vendor_user):
    appeal = services.lodge_appeal(
        application=refused, by=vendor_user, grounds="The end user's mandate is attached."
    )
    refused.refresh_from_db()
    assert refused.status == ApplicationStatus.UNDER_APPEAL
    latest = refused.history.latest()
    assert (latest.status, latest.history_username) == ("under_appeal", vendor_user.username)
    assert appeal.refused_by.username == "official"
    assert appeal.history.latest().history_change_reason.startswith("Appeal lodged")


def test_an_appeal_overturned_issues_a_licence_on_appeal(refused, vendor_user, official, senior):
    services.lodge_appeal(application=refused, by=vendor_user, grounds="Mandate attached.")
    # The official who refused is not a senior official; and the deciding senior did not refuse.
    with pytest.raises(DomainError):
        services.decide_appeal(
            application=refused, by=official, overturn=True, reason="I was wrong."
        )
    appeal = services.decide_appeal(
        application=refused,
        by=senior,
        overturn=True,
        reason="The mandate shows lawful use.",
        conditions=["delivery_report"],
    )
    assert appeal.status == Appeal.Status.OVERTURNED
    refused.refresh_from_db()
    assert refused.status == ApplicationStatus.APPROVED
    licence = Licence.objects.get(application=refused)
    assert licence.issued_on_appeal is True
    assert licence.history.latest().history_change_reason.startswith("Issued on appeal")
    certificate = IssuedDocument.objects.get(licence=licence)
    assert_signed_pdf(certificate, "Issued on appeal", licence.number)


def test_an_appeal_upheld_refuses_again_with_a_final_letter(refused, vendor_user, senior):
    services.lodge_appeal(application=refused, by=vendor_user, grounds="Please reconsider.")
    services.decide_appeal(
        application=refused, by=senior, overturn=False, reason="Nothing new in the grounds."
    )
    refused.refresh_from_db()
    assert refused.status == ApplicationStatus.REFUSED
    letter = IssuedDocument.objects.filter(application=refused).latest("issued_at", "pk")
    assert letter.kind == IssuedDocument.Kind.APPEAL_LETTER
    assert_signed_pdf(letter, "refusal upheld", "Nothing new in the grounds.", "final")
    with pytest.raises(TransitionNotAllowed, match="appealed already"):
        services.lodge_appeal(application=refused, by=vendor_user, grounds="Again.")


def test_the_refusing_senior_official_may_not_decide_the_appeal(
    vendor, product, vendor_user, senior, second_senior
):
    application = submit_application(vendor=vendor, product=product, by=vendor_user)
    services.refuse_application(
        application=application, by=senior, reason="No.", criteria=["other"]
    )
    services.lodge_appeal(application=application, by=vendor_user, grounds="Why?")
    records = application.history.count()
    with pytest.raises(FourEyesViolation):
        services.decide_appeal(application=application, by=senior, overturn=True, reason="ok")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_APPEAL
    assert application.history.count() == records
    services.decide_appeal(application=application, by=second_senior, overturn=True, reason="ok")


def test_an_appeal_twice_is_refused(refused, vendor_user):
    services.lodge_appeal(application=refused, by=vendor_user, grounds="One.")
    with pytest.raises(TransitionNotAllowed, match="appealed already"):
        services.lodge_appeal(application=refused, by=vendor_user, grounds="Two.")


def test_an_approved_or_withdrawn_application_cannot_be_appealed(
    vendor, product, vendor_user, official
):
    licence = issue_licence(vendor=vendor, product=product, by=vendor_user, official=official)
    with pytest.raises(TransitionNotAllowed, match="only a refusal"):
        services.lodge_appeal(application=licence.application, by=vendor_user, grounds="?")
    withdrawn = submit_application(vendor=vendor, product=product, by=vendor_user)
    services.withdraw_application(application=withdrawn, by=vendor_user)
    with pytest.raises(TransitionNotAllowed, match="only a refusal"):
        services.lodge_appeal(application=withdrawn, by=vendor_user, grounds="?")
    assert not Appeal.objects.exists()


def test_a_late_appeal_is_refused_with_the_date_it_closed(refused, vendor_user):
    closes = issuing.appeal_closes_on(refused)
    late = timezone.make_aware(datetime.datetime.combine(closes, datetime.time(12)))
    with pytest.raises(TransitionNotAllowed, match=f"closed on {closes:%Y-%m-%d}"):
        services.lodge_appeal(
            application=refused,
            by=vendor_user,
            grounds="Late.",
            at=late + datetime.timedelta(days=1),
        )
    refused.refresh_from_db()
    assert refused.status == ApplicationStatus.REFUSED


def test_an_appeal_names_only_documents_of_its_application(refused, vendor_user):
    with pytest.raises(ValidationError) as error:
        services.lodge_appeal(
            application=refused,
            by=vendor_user,
            grounds="See the attached.",
            documents=["00000000-0000-0000-0000-000000000000", "not-a-uuid"],
        )
    assert "documents" in error.value.message_dict
    assert not Appeal.objects.exists()


def test_an_overturn_the_rules_now_refuse_is_impossible(vendor, product, vendor_user, senior):
    application = submit_application(
        vendor=vendor,
        product=product,
        by=vendor_user,
        end_user_kind=EndUserKind.PRIVATE,
    )
    assert application.status == ApplicationStatus.REFUSED
    services.lodge_appeal(application=application, by=vendor_user, grounds="We are lawful.")
    with pytest.raises(ScreeningFailed, match="Uphold it instead"):
        services.decide_appeal(application=application, by=senior, overturn=True, reason="ok")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_APPEAL


# --- Robust to rollback ------------------------------------------------------------------------


def test_without_a_usable_signing_key_nothing_is_decided(
    vendor, product, vendor_user, official, settings, documents_folder
):
    from registry.errors import SigningUnavailable

    application = submit_application(vendor=vendor, product=product, by=vendor_user)
    records = application.history.count()
    settings.SIGNING_KEY_FILE = str(documents_folder / "missing.key")
    with pytest.raises(SigningUnavailable):
        services.refuse_application(
            application=application, by=official, reason="No.", criteria=["other"]
        )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.history.count() == records
    assert not IssuedDocument.objects.exists()


def test_a_decision_rolled_back_leaves_no_row_and_its_file_is_purged(
    vendor, product, vendor_user, official, documents_folder
):
    from django.core.management import call_command
    from django.db import transaction

    kept = submit_application(vendor=vendor, product=product, by=vendor_user, destination="MX")
    [letter] = IssuedDocument.objects.filter(application=kept)
    application = submit_application(vendor=vendor, product=product, by=vendor_user)

    class Abandoned(Exception):
        pass

    with pytest.raises(Abandoned), transaction.atomic():
        services.refuse_application(
            application=application, by=official, reason="No.", criteria=["other"]
        )
        raise Abandoned
    assert not IssuedDocument.objects.filter(application=application).exists()
    stored = {path.name for path in documents_folder.iterdir()}
    assert len(stored) == 2  # the letter kept, and the orphan of the decision rolled back
    call_command("purge_orphan_documents", "--older-than-minutes", "0", stdout=io.StringIO())
    assert {path.name for path in documents_folder.iterdir()} == {letter.stored_as}


def test_a_revisions_refusals_get_their_letters_once_it_commits(
    vendor, product, vendor_user, official, senior, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    from countries import services as countries_services
    from tests.factories import propose_removal

    application = submit_application(vendor=vendor, product=product, by=vendor_user)
    revision = propose_removal(code="FR", by=official)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        countries_services.approve_revision(revision=revision, by=senior, note="Agreed")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REFUSED
    assert application.refusal_criteria == ["destination_not_eligible"]
    # Not signed while the revision held its locks: issued after it commits.
    assert not IssuedDocument.objects.filter(application=application).exists()
    for callback in callbacks:
        callback()
    [letter] = IssuedDocument.objects.filter(application=application)
    assert_signed_pdf(letter, "destination_not_eligible", application.reference)
    # What a stopped process left owed is issued by the daily command, once.
    out = io.StringIO()
    call_command("issue_missing_letters", stdout=out)
    assert "0 refusal letter(s) issued" in out.getvalue()
