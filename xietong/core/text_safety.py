"""Refuse control characters, NUL and text-direction overrides in every text a request
carries — path, query, form fields (urlencoded or multipart), JSON bodies — whatever its
content type, before any view sees it.

NUL cannot be stored by PostgreSQL; other control characters break exports and logs; the
bidirectional overrides (U+202A–U+202E, U+2066–U+2069) make text read differently from
what it is ("Trojan Source"). Tab, line feed and carriage return are allowed. Uploaded
files' contents are the attachments' concern; Django's parser already drops unprintable
characters from their names.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def first_forbidden(text: str) -> str | None:
    match = FORBIDDEN.search(text)
    return f"U+{ord(match.group()):04X}" if match else None


def _json_strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield path or str(k), str(k)
            yield from _json_strings(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _json_strings(v, f"{path}.{i}" if path else str(i))


def texts_of(request: HttpRequest) -> Iterator[tuple[str, str]]:
    """(field, text) for every text of the request."""
    yield "path", request.path
    for key, values in request.GET.lists():
        yield key, key
        for v in values:
            yield key, v
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    ctype = request.content_type or ""
    if ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for key, values in request.POST.lists():
            yield key, key
            for v in values:
                yield key, v
    elif ctype.endswith("json") and request.body:
        try:
            data = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            return  # the API answers malformed JSON itself
        yield from _json_strings(data)


class BadCharactersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for field, text in texts_of(request):
            if found := first_forbidden(text):
                return self.refuse(request, field, found)
        return self.get_response(request)

    def refuse(self, request: HttpRequest, field: str, found: str) -> HttpResponse:
        message = _(
            "“%(field)s” contains a control character or a text-direction override "
            "(%(char)s), which is not allowed."
        ) % {"field": field, "char": found}
        if request.path.startswith("/api/"):
            body = {"code": "invalid", "message": message, "fields": {field: [message]}}
            return JsonResponse(body, status=422)
        return render(request, "core/error.html", {"status": 422, "message": message}, status=422)
