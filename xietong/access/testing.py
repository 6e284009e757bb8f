"""The scope-matrix harness: an app fills one table, the harness runs every cell three ways.

A table has one row per user (of the test cast) and object, one column per verb — or,
with ``verb`` as the second header word, one row per user and verb, one column per
object. A cell is::

    Y  allowed     the service does it; the API answers 2xx; the page offers it
    F  forbidden   PermissionDenied; 403; not offered
    H  hidden      NotFound; 404; the page does not exist for this user
    N  not now     Conflict or InvalidInput (the state or the time forbids it); 409/422
    .  not applicable

:class:`Matrix` checks each cell through the services (and that ``access.actions`` names
the verb exactly where the cell is ``Y``), through the API (status, and the ``actions``
of the detail response), and through the web views (page shown or 404, the verb's button
shown or hidden, the POST refused and nothing changed). A batch door — one request, many
rows, an answer per row — reads each cell's outcome from that answer (``api_outcome``,
``post_outcome``). Each cell runs in a savepoint
that is rolled back, so one world serves the whole table. Every check returns the list of
cells that disagree; a test asserts it is empty::

    MATRIX = Matrix(TABLE, {"read": Verb("read", service=..., api=...), ...})

    def test_it_allows_through_the_services_exactly_what_the_table_says(world):
        assert MATRIX.check_services(world.actor, world.objects) == []
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.test import Client

from xietong.access.actor import Actor
from xietong.access.rules import actions
from xietong.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied

OUTCOMES = {"Y": "allowed", "F": "forbidden", "H": "hidden", "N": "not_now"}
API_STATUS = {403: "forbidden", 404: "hidden", 409: "not_now", 422: "not_now"}

Request = tuple[str, str, Any]  # method, path, JSON body (None for none)


@dataclass(frozen=True)
class Cell:
    user: str
    obj: str
    verb: str
    outcome: str

    def __str__(self) -> str:
        return f"{self.user} {self.verb} {self.obj}: table says {self.outcome}"


@dataclass(frozen=True)
class Verb:
    """How one verb of the table is done through each door (None: not through that door).

    ``action`` is the name ``access.actions`` gives it (``None`` for reading, which is
    not an action). ``done`` reads the database: whether the verb's effect is there.
    """

    name: str
    service: Callable[[Actor, Any], object]
    action: str | None = None
    done: Callable[[Any], bool] | None = None
    api: Callable[[Any], Request] | None = None
    page: Callable[[Any], str] | None = None  # the page that offers the verb
    marker: Callable[[Any], str] | None = None  # HTML on that page iff it is offered
    form: Callable[[Any], str] | None = None  # the verb's own page (GET: 200/403/404)
    post: Callable[[Any], tuple[str, dict[str, Any]]] | None = None
    # A door that decides many rows at once answers 200 and says per row what became of
    # it: these read the outcome of the cell's row from the API's JSON and from the page
    # the POST leads to (followed). ``listing``: the page lists rows (a work queue), so a
    # hidden row is left out of it rather than the page answering 404.
    api_outcome: Callable[[Any, Any], str] | None = None
    post_outcome: Callable[[str, Any], str] | None = None
    listing: bool = False


def parse(table: str) -> list[Cell]:
    lines = [[w for w in line.split() if w != "|"] for line in table.strip().splitlines()]
    header, rows = lines[0], lines[1:]
    if header[0] != "user" or header[1] not in ("object", "verb"):
        raise ValueError("a table's header starts with 'user object' or 'user verb'")
    by_object_rows = header[1] == "object"
    cells: list[Cell] = []
    for words in rows:
        user, key, *marks = words
        if len(marks) != len(header) - 2:
            raise ValueError(f"row {user} {key} has {len(marks)} cells, not {len(header) - 2}")
        for column, mark in zip(header[2:], marks, strict=True):
            if mark == ".":
                continue
            if mark not in OUTCOMES:
                raise ValueError(f"unknown cell {mark!r} in row {user} {key}")
            obj, verb = (key, column) if by_object_rows else (column, key)
            cells.append(Cell(user, obj, verb, OUTCOMES[mark]))
    keys = [(c.user, c.obj, c.verb) for c in cells]
    if len(keys) != len(set(keys)):
        raise ValueError("a cell is listed twice")
    return cells


def _fresh(obj: Model) -> Any:
    """The row as the database has it now (None once deleted)."""
    return type(obj)._default_manager.filter(pk=obj.pk).first()


def _done(verb: Verb, obj: Model) -> bool | None:
    return None if verb.done is None else verb.done(_fresh(obj))


class _Rollback(Exception):
    pass


def _in_savepoint(run: Callable[[], Any]) -> Any:
    """Run and undo: the world is the same for the next cell."""
    box: list[Any] = []
    try:
        with transaction.atomic():
            box.append(run())
            raise _Rollback
    except _Rollback:
        pass
    return box[0]


def _service_outcome(call: Callable[[], object]) -> str:
    try:
        call()
    except NotFound:
        return "hidden"
    except PermissionDenied:
        return "forbidden"
    except (Conflict, InvalidInput):
        return "not_now"
    return "allowed"


class Api:
    """Calls /api/ as a user of the cast: bearer token, JSON, CSRF enforced."""

    def __init__(self, actor: Callable[[str], Actor]):
        from xietong.accounts.services import create_token

        self._create = create_token
        self._actor = actor
        self._tokens: dict[str, str] = {}
        self.client = Client(enforce_csrf_checks=True)

    def sign_in(self, users: Iterable[str]) -> None:
        """Make the users' tokens (outside the savepoints the cells run in)."""
        for user in users:
            if user not in self._tokens:
                self._tokens[user] = self._create(self._actor(user), "scope matrix")[1]

    def call(self, user: str, request: Request) -> Any:
        self.sign_in([user])
        method, path, body = request
        auth: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {self._tokens[user]}"}
        if method == "get":
            return self.client.get(path, **auth)
        data = json.dumps(body) if body is not None else ""
        return getattr(self.client, method)(
            path, data=data, content_type="application/json", **auth
        )


@dataclass
class Matrix:
    table: str
    verbs: Mapping[str, Verb]

    def __post_init__(self) -> None:
        self.cells = parse(self.table)
        unknown = {c.verb for c in self.cells} - set(self.verbs)
        if unknown:
            raise ValueError(f"the table names verbs without an adapter: {sorted(unknown)}")

    @property
    def users(self) -> list[str]:
        return list(dict.fromkeys(c.user for c in self.cells))

    def _allowed(self, user: str, obj: str) -> set[str]:
        return {
            self.verbs[c.verb].action or ""
            for c in self.cells
            if c.user == user and c.obj == obj and c.outcome == "allowed"
        } - {""}

    def _judged(self, user: str, obj: str) -> set[str]:
        """The action names the table has a cell for (for this user and object)."""
        names = (self.verbs[c.verb].action for c in self.cells if (c.user, c.obj) == (user, obj))
        return {n for n in names if n}

    def _check_done(
        self, cell: Cell, verb: Verb, obj: Model, how: str, before: bool | None
    ) -> list[str]:
        """Whether the verb's effect appeared (``before``: it was there before the call)."""
        if verb.done is None or before is None:
            return []
        happened = verb.done(_fresh(obj)) and not before
        if happened and cell.outcome != "allowed":
            return [f"{cell} — but {how} changed the record"]
        if not happened and cell.outcome == "allowed":
            return [f"{cell} — but {how} left the record unchanged"]
        return []

    # --- the three doors ---------------------------------------------------------------

    def check_services(
        self, actor: Callable[[str], Actor], objects: Mapping[str, Model]
    ) -> list[str]:
        """Each cell through the services, and ``actions`` agreeing with the table."""
        wrong: list[str] = []
        for cell in self.cells:
            verb, obj, who = self.verbs[cell.verb], objects[cell.obj], actor(cell.user)
            wrong += _in_savepoint(partial(self._service_cell, cell, verb, obj, who))
            if verb.action and cell.outcome != "hidden":
                offered = verb.action in actions(who, _fresh(obj))
                if offered != (cell.outcome == "allowed"):
                    wrong.append(f"{cell} — actions() {'names' if offered else 'omits'} it")
        return wrong

    def _service_cell(self, cell: Cell, verb: Verb, obj: Model, who: Actor) -> list[str]:
        before = _done(verb, obj)
        out = _service_outcome(lambda: verb.service(who, _fresh(obj)))
        wrong = [] if out == cell.outcome else [f"{cell} — the service: {out}"]
        return wrong + self._check_done(cell, verb, obj, "the service", before)

    def check_api(self, api: Api, objects: Mapping[str, Model]) -> list[str]:
        """Each cell through /api/; a detail read lists exactly the allowed verbs."""
        wrong: list[str] = []
        api.sign_in(self.users)
        for cell in self.cells:
            verb, obj = self.verbs[cell.verb], objects[cell.obj]
            if verb.api is not None:
                wrong += _in_savepoint(partial(self._api_cell, api, cell, verb, obj))
        return wrong

    def _api_cell(self, api: Api, cell: Cell, verb: Verb, obj: Model) -> list[str]:
        assert verb.api is not None
        before = _done(verb, obj)
        response = api.call(cell.user, verb.api(_fresh(obj)))
        code = response.status_code
        out = "allowed" if 200 <= code < 300 else API_STATUS.get(code, f"status {code}")
        if verb.api_outcome is not None and code == 200:
            out = verb.api_outcome(response.json(), obj)
        wrong = [] if out == cell.outcome else [f"{cell} — the API: {out}"]
        if out == "allowed" and verb.action is None and code == 200:
            # A read: the detail lists the verbs the table allows (of those it judges).
            listed = set(response.json().get("actions", [])) & self._judged(cell.user, cell.obj)
            if listed != self._allowed(cell.user, cell.obj):
                wrong.append(f"{cell} — the API lists actions {sorted(listed)}")
        return wrong + self._check_done(cell, verb, obj, "the API", before)

    def check_web(
        self, login: Callable[[Client, str], None], objects: Mapping[str, Model]
    ) -> list[str]:
        """Each cell through the pages: shown or 404, button shown or hidden, POST refused."""
        wrong: list[str] = []
        clients: dict[str, Client] = {}
        for user in self.users:
            clients[user] = Client()
            login(clients[user], user)
        for cell in self.cells:
            verb, obj, client = self.verbs[cell.verb], objects[cell.obj], clients[cell.user]
            wrong += self._web_cell(cell, verb, obj, client)
        return wrong

    def _web_cell(self, cell: Cell, verb: Verb, obj: Model, client: Client) -> list[str]:
        wrong: list[str] = []
        allowed = cell.outcome == "allowed"
        if verb.page is not None:
            page = client.get(verb.page(obj))
            expected = 404 if cell.outcome == "hidden" and not verb.listing else 200
            if page.status_code != expected:
                wrong.append(f"{cell} — the page answers {page.status_code}")
            elif verb.marker is not None and page.status_code == 200:
                shown = verb.marker(obj) in page.content.decode()
                if shown != allowed:
                    wrong.append(f"{cell} — the page {'offers' if shown else 'hides'} it")
        if verb.form is not None:
            code = client.get(verb.form(obj)).status_code
            expected_form = {"allowed": 200, "forbidden": 403, "hidden": 404}.get(cell.outcome)
            if expected_form is not None and code != expected_form:
                wrong.append(f"{cell} — its page answers {code}")
        if verb.post is not None:
            wrong += _in_savepoint(lambda: self._post_cell(cell, verb, obj, client))
        return wrong

    def _post_cell(self, cell: Cell, verb: Verb, obj: Model, client: Client) -> list[str]:
        assert verb.post is not None
        before = _done(verb, obj)
        url, data = verb.post(_fresh(obj))
        if verb.post_outcome is not None:
            response = client.post(url, data, follow=True)
            code = response.status_code
            wrong = [] if code < 500 else [f"{cell} — the POST failed with {code}"]
            out = verb.post_outcome(response.content.decode(), obj) if code == 200 else code
            if out != cell.outcome:
                wrong.append(f"{cell} — the POST answers {out}")
            return wrong + self._check_done(cell, verb, obj, "the POST", before)
        code = client.post(url, data).status_code
        wrong = [] if code < 500 else [f"{cell} — the POST failed with {code}"]
        expected = {"forbidden": 403, "hidden": 404}.get(cell.outcome)
        if expected is not None and code != expected:
            wrong.append(f"{cell} — the POST answers {code}")
        return wrong + self._check_done(cell, verb, obj, "the POST", before)


def door_tests(matrix: Matrix) -> tuple[Callable[..., None], ...]:
    """The table's three tests — services, API, pages — for a module whose ``cast`` and
    ``world`` fixtures give the users and the objects by name::

        (
            test_it_allows_through_the_services_exactly_what_the_table_says,
            test_it_answers_through_the_api_exactly_what_the_table_says,
            test_it_shows_pages_and_buttons_exactly_where_the_table_says,
        ) = door_tests(MATRIX)

    Each fails with the list of the cells that disagree.
    """

    def services(cast: Any, world: Mapping[str, Model]) -> None:
        wrong = matrix.check_services(cast.actor, world)
        assert wrong == [], "\n".join(wrong)

    def api(cast: Any, world: Mapping[str, Model]) -> None:
        wrong = matrix.check_api(Api(cast.actor), world)
        assert wrong == [], "\n".join(wrong)

    def web(cast: Any, world: Mapping[str, Model]) -> None:
        wrong = matrix.check_web(lambda client, user: client.force_login(cast.users[user]), world)
        assert wrong == [], "\n".join(wrong)

    return services, api, web
