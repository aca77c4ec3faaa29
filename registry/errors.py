"""The domain's errors. Services raise them; each face turns them into its own answer.

The web shows the message beside the form; the API answers with the status code each class names.
"""


class DomainError(Exception):
    """A request the rules do not allow. ``message`` is written for the person who asked."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class TransitionNotAllowed(DomainError):
    """The current status does not allow this change, such as withdrawing a decided application."""

    status_code = 409
    code = "conflict"


class ScreeningFailed(DomainError):
    """An approval was refused because the application now fails a screening rule."""

    status_code = 409
    code = "screening_failed"

    def __init__(self, message: str, *, failed_rules: list[dict] | None = None):
        super().__init__(message)
        self.failed_rules = failed_rules or []


class Incomplete(DomainError):
    """An application lacks what its submission needs, such as an export's end-user declaration;
    nothing was submitted."""

    status_code = 400
    code = "incomplete"

    def __init__(self, message: str, *, failed_rules: list[dict] | None = None):
        super().__init__(message)
        self.failed_rules = failed_rules or []


class FourEyesViolation(DomainError):
    """The same person may not both propose and approve a whitelist revision."""

    status_code = 403
    code = "four_eyes"


class SigningUnavailable(DomainError):
    """A decision could not issue its signed document: the agency's signing pair is not usable.
    Nothing was decided."""

    status_code = 503
    code = "signing_unavailable"
