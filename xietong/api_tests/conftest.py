"""Fixtures of the API tests: a JSON client that calls /api/ as one user of the cast."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.test.client import Client as DjangoClient

from xietong.accounts.services import create_token

CJK = re.compile(r"[\u4e00-\u9fff]")
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


class Api:
    """Calls /api/… like an external client: JSON bodies, CSRF enforced, bearer tokens.

    ``as_`` names a user of the cast (a token is made for them once); ``None`` calls
    without credentials. ``lang`` is sent as Accept-Language.
    """

    def __init__(self, cast: Any):
        self.cast = cast
        self.client: DjangoClient = Client(enforce_csrf_checks=True)
        self.tokens: dict[str, str] = {}

    def token(self, username: str) -> str:
        if username not in self.tokens:
            self.tokens[username] = create_token(self.cast.actor(username), "api tests")[1]
        return self.tokens[username]

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        as_: str | None = None,
        lang: str = "en",
        raw: str | bytes | None = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        extra: dict[str, Any] = {"HTTP_ACCEPT_LANGUAGE": lang}
        if as_ is not None:
            extra["HTTP_AUTHORIZATION"] = f"Bearer {self.token(as_)}"
        for k, v in (headers or {}).items():
            extra["HTTP_" + k.upper().replace("-", "_")] = v
        if method == "get":
            return self.client.get(path, params or {}, **extra)
        data = raw if raw is not None else (json.dumps(body) if body is not None else "")
        return getattr(self.client, method)(
            path, data=data, content_type="application/json", **extra
        )

    def get(self, path: str, params: dict[str, Any] | None = None, **kw: Any) -> Any:
        return self.call("get", path, params=params, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.call("post", path, body, **kw)

    def patch(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.call("patch", path, body, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.call("delete", path, **kw)


@pytest.fixture
def api(cast: Any) -> Api:
    return Api(cast)


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """An error is JSON ``{code, message[, fields]}`` with the given status — never HTML."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) <= {"code", "message", "fields"}, body
    assert isinstance(body["code"], str) and body["code"]
    assert isinstance(body["message"], str) and body["message"].strip()
    if code is not None:
        assert body["code"] == code, body
    if "fields" in body:
        assert all(isinstance(m, list) and m for m in body["fields"].values()), body
        assert all(isinstance(x, str) and x for m in body["fields"].values() for x in m), body
    return body


@pytest.fixture
def zh_catalog(settings: Any, tmp_path: Path) -> dict[str, str]:
    """The zh_Hans catalogs (django.po and the topic catalogs), compiled into a scratch
    directory; returns ``{msgid: msgstr}`` of the translated entries."""
    from xietong.core.compile_messages import compile_all, merged

    shutil.copytree(LOCALE_DIR, tmp_path / "locale")
    for mo in (tmp_path / "locale").glob("*/LC_MESSAGES/*.mo"):
        mo.unlink()
    compile_all(tmp_path / "locale")
    settings.LOCALE_PATHS = [tmp_path / "locale"]  # resets Django's translation caches
    return {
        e.msgid: e.msgstr
        for e in merged(LOCALE_DIR / "zh_Hans" / "LC_MESSAGES")
        if e.msgstr and not e.obsolete and "fuzzy" not in e.flags
    }
