"""Confluence-shaped failures.

Domain code raises :class:`ConfluenceApiError`; the blueprint turns it into the body Confluence
sends (``statusCode``/``data``/``message``). When the framework's ``sandbox.errors`` provides
``confluence_error`` it is used, so both halves answer identically.
"""

from __future__ import annotations

from flask import Response, jsonify, make_response, request


class ConfluenceApiError(Exception):
    def __init__(self, status: int, message: str, errors: list[str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors or []


def bad_request(message: str, errors: list[str] | None = None) -> ConfluenceApiError:
    return ConfluenceApiError(400, message, errors)


def not_found(message: str) -> ConfluenceApiError:
    return ConfluenceApiError(404, message)


def _error_data(errors: list[str]) -> dict:
    return {
        "authorized": True,
        "valid": not errors,
        "errors": [{"message": {"translation": text, "args": []}} for text in errors],
        "successful": False,
    }


V2_CODES = {400: "INVALID_REQUEST_PARAMETER", 401: "UNAUTHORIZED", 403: "FORBIDDEN",
            404: "NOT_FOUND", 409: "CONFLICT", 413: "REQUEST_ENTITY_TOO_LARGE"}


def error_response(error: ConfluenceApiError) -> Response:
    if "/api/v2/" in request.path:
        return _v2(error)
    try:
        from sandbox.errors import confluence_error  # the framework's shared helper
    except ImportError:
        confluence_error = None
    if confluence_error is not None:
        result = confluence_error(error.status, error.message, _error_data(error.errors))
        return make_response(result)
    return _local(error)


def _local(error: ConfluenceApiError) -> Response:
    response = jsonify(
        {"statusCode": error.status, "data": _error_data(error.errors), "message": error.message}
    )
    response.status_code = error.status
    return response


def _v2(error: ConfluenceApiError) -> Response:
    """REST v2's error body: ``{"errors": [{status, code, title, detail}]}``."""
    response = jsonify({"errors": [{"status": error.status,
                                    "code": V2_CODES.get(error.status, "ERROR"),
                                    "title": error.message, "detail": None}]})
    response.status_code = error.status
    return response
