"""System checks: issued documents cannot go out unsigned, or signed with a development pair."""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from documents import signing


@checks.register("documents")
def signing_pair_is_usable(app_configs=None, **kwargs):
    """Without a readable key matching its certificate no licence or refusal can be issued. Off
    DEBUG that is an error, as is a development pair; in DEBUG a warning (quickstart writes one)."""
    problem = None
    try:
        pair = signing.load_pair(settings.SIGNING_KEY_FILE, settings.SIGNING_CERT_FILE)
    except ImproperlyConfigured as error:
        problem = str(error)
    else:
        if pair.is_development and not settings.DEBUG:
            problem = (
                f"The certificate in {settings.SIGNING_CERT_FILE} is a development one "
                f"(its name ends in {signing.DEVELOPMENT_MARK!r}): issued documents would be "
                "signed by a key nobody can trust."
            )
    if problem is None:
        return []
    level = checks.Warning if settings.DEBUG else checks.Error
    return [
        level(
            problem,
            hint="Set SIGNING_KEY_FILE and SIGNING_CERT_FILE to the agency's key and certificate "
            "(PEM); `manage.py make_signing_key` writes a development pair "
            "(`manage.py quickstart` does it in DEBUG).",
            id="documents.E001" if level is checks.Error else "documents.W001",
        )
    ]
