"""Schema hooks: every operation documents the errors it can answer, in the one error shape.

The status codes are listed here once rather than on each view, from what the shared pieces do:
every call can be refused 401, 403, 404, 406 or 429; a body can be 400, 413 or 415; a key reused
for another request 422; a transition not allowed 409.
"""

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string", "description": "What went wrong, for a person."},
        "code": {"type": "string", "description": "A stable code for programs."},
        "errors": {
            "type": "object",
            "additionalProperties": True,
            "description": "For 400: the messages per field, nested as the request was.",
        },
        "failed_rules": {"type": "array", "items": {"type": "object"}},
    },
    "required": ["detail", "code"],
}

_REF = {"$ref": "#/components/schemas/Error"}

DESCRIPTIONS = {
    "400": "Invalid input: `errors` holds the messages per field.",
    "401": "No token, or a token that is wrong, expired or revoked.",
    "403": "The user is not a vendor's user, or lacks the permission for this call.",
    "404": "No such object among yours (another vendor's objects are not found either).",
    "405": "The method is not offered on this path.",
    "406": "The API answers JSON only.",
    "409": "The object's state does not allow this, such as withdrawing a decided application.",
    "413": "The request body is over the size limit (1 MB by default).",
    "415": "The request body must be JSON.",
    "422": "This Idempotency-Key was already used for a different request.",
    "429": "Too many requests for this token, or from this address without a valid token; "
    "`Retry-After` says when to retry.",
}


_DOCUMENTS = "/api/v1/applications/{application_reference}/documents/"
_DRAFT_ONLY = "The application is not a draft any more: only a draft takes this."

# Where a code means something particular on one operation.
_PARTICULAR = {
    ("/api/v1/products/", "post", "409"): "You already have a product with this name.",
    ("/api/v1/applications/", "post", "400"): (
        "Invalid input (`errors` per field), or `incomplete`: an export submitted without the "
        "end-user declaration it needs (create it as a draft first)."
    ),
    ("/api/v1/applications/{reference}/", "patch", "409"): _DRAFT_ONLY,
    ("/api/v1/applications/{reference}/parties/", "post", "409"): _DRAFT_ONLY,
    ("/api/v1/applications/{reference}/submit/", "post", "400"): (
        "`incomplete`: no end user, or an export without a valid end-user declaration; the "
        "draft stays as it was."
    ),
    ("/api/v1/applications/{reference}/submit/", "post", "409"): "The application is not a draft.",
    (_DOCUMENTS, "post", "409"): (
        "The application is decided or withdrawn: no more documents (a refusal takes them while "
        "it may still be appealed)."
    ),
    ("/api/v1/applications/{reference}/appeal/", "post", "409"): (
        "The application is not refused, was appealed already, or the time to appeal closed "
        "(the message gives the date)."
    ),
    (_DOCUMENTS, "post", "413"): "The file is over `DOCUMENT_MAX_BYTES` (10 MB by default).",
    (_DOCUMENTS, "post", "415"): (
        "The file is not a PDF, PNG or JPEG (read from its bytes), or the body is not "
        "multipart/form-data."
    ),
}


def _codes(path: str, method: str) -> list[str]:
    codes = ["400", "401", "403", "404", "406", "429"]
    if method in ("post", "patch"):
        codes += ["413", "415"]
        if method == "post":
            codes.append("422")
        if path.endswith("/withdraw/") or (path, method, "409") in _PARTICULAR:
            codes.append("409")
    return codes


def document_error_responses(result, generator, request, public):
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for code in _codes(path, method):
                responses.setdefault(
                    code,
                    {
                        "description": _PARTICULAR.get((path, method, code), DESCRIPTIONS[code]),
                        "content": {"application/json": {"schema": _REF}},
                    },
                )
            if "429" in responses:
                responses["429"].setdefault(
                    "headers",
                    {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds."}},
                )
    return result
