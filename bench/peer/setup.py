"""Fills the peer's tables from the registry's, and gives a vendor user a stock token."""

from rest_framework.authtoken.models import Token

from bench.peer.models import PeerCountry
from countries.models import Country
from countries.selectors import standings

REASON = "bench: the peer's countries, copied from the registry's"


def copy_countries(*, by) -> int:
    """One PeerCountry per country, with the standing the registry's API gives (since, revision).
    Saved one by one, so simple-history records each as a stock team's import would."""
    made = 0
    known = standings(Country.objects.all())
    existing = {peer.code: peer for peer in PeerCountry.objects.all()}
    for country in Country.objects.order_by("code"):
        standing = known.get(country.code) or {}
        peer = existing.get(country.code) or PeerCountry(code=country.code)
        made += peer.pk is None
        peer.alpha3, peer.name, peer.eligible = country.alpha3, country.name, country.eligible
        peer.eligible_since = standing.get("eligible_since")
        peer.revision = standing.get("revision")
        peer._history_user = by
        peer._change_reason = REASON
        peer.save()
    return made


def stock_token(user) -> str:
    token, _ = Token.objects.get_or_create(user=user)
    return token.key
