"""Whitelist revisions made through the services, as the officials' pages make them."""

from countries import services
from countries.models import WhitelistRevision


def propose_removal(code: str, *, by) -> WhitelistRevision:
    """A proposed revision taking ``code`` off the list, suspending its active licences."""
    return services.propose_revision(
        by=by,
        title=f"{code} out",
        reason="Decision of the Director of Defense Exports",
        add=[],
        remove=[code],
        licence_treatment=WhitelistRevision.LicenceTreatment.SUSPEND,
    )
