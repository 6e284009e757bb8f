"""Property-based fuzzing of the whole JSON API from its own OpenAPI schema (schemathesis).

Whatever schemathesis generates — valid, boundary or nonsensical input — the API answers
with a JSON error or a success, never a server error.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from xietong.accounts.services import create_token

# The application xietong.wsgi serves (which checks the sealing keys against the database
# on import, before any test database exists).
application = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Requests run in the test's transaction, as with Django's test client.

    Schemathesis calls the WSGI handler directly, whose request signals would otherwise
    close the connection that holds the test transaction after the first request.
    """
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


# A county authority, a school admin and a teacher: each reaches other writes and ids.
ROLES = ["sanhe", "school_admin", "teacher"]


@pytest.fixture(params=ROLES)
def bearer(request, cast):
    """A token of one of the roles: scoped writes are reachable, most ids are not."""
    _, plain = create_token(cast.actor(request.param), "fuzz", 1)
    return f"Bearer {plain}"


@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_it_never_answers_with_a_server_error(case, bearer):
    response = case.call(headers={"Authorization": bearer})
    assert response.status_code < 500, (case.method, case.path, response.text[:500])
    if response.status_code >= 400 and response.content:
        body = response.json()
        assert body.get("code") and body.get("message"), body
