"""Autocomplete pickers: a typeahead over a scoped selector instead of a capped ``<select>``.

An app registers a :class:`Picker` — a name, a search over *its own* scoped selector and a
label — and gets

* ``GET /api/pickers/<name>?q=…`` (JSON ``{items: [{id, label}], more}``) and
  ``GET /pickers/<name>/?q=…`` (the HTML options the widget shows);
* :class:`PickerField` for forms: a ``<select>`` holding the chosen row plus a search field.
  With JavaScript (``xietong/picker.js``) the search field becomes a typeahead; without it,
  the search button (``name="_pick"``) sends the form back and the matches are offered as
  choices. The field accepts only an id the same scoped search would offer.

Parameters (``kind``, ``institution`` …) narrow a picker; a form fixes them on the server
(``bound("institutions", actor, mine=True)``), the typeahead sends the same ones in its URL.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.forms.utils import ErrorDict, ErrorList
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema
from pydantic import Field

from xietong.core.errors import InvalidInput, NotFound

PICK = "_pick"
MAX_QUERY = 100  # characters of a search
LIMIT = 20  # matches shown at once; type more to narrow


@dataclass(frozen=True)
class Picker:
    """``search(actor, q, params)`` returns the rows the actor may pick, matching ``q``."""

    name: str
    search: Callable[[Any, str, Mapping[str, Any]], Any]
    label: Callable[[Any], str]
    params: Mapping[str, type] = field(default_factory=dict)  # accepted narrowing parameters


_REGISTRY: dict[str, Picker] = {}


def register(picker: Picker) -> Picker:
    _REGISTRY[picker.name] = picker
    return picker


def picker_named(name: str) -> Picker:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise NotFound(_("There is no picker of this name.")) from None


def clean_query(raw: Any) -> str:
    """The search text, trimmed; refused when too long or without a letter or digit."""
    q = str(raw or "").strip()
    if not q:
        return ""
    if "\x00" in q:
        raise InvalidInput(fields={"q": [gettext("Search text cannot contain NUL characters.")]})
    if len(q) > MAX_QUERY:
        raise InvalidInput(
            fields={
                "q": [gettext("Search with at most %(n)d characters.") % {"n": MAX_QUERY}],
            }
        )
    if not any(ch.isalnum() for ch in q):
        raise InvalidInput(
            fields={
                "q": [gettext("Type at least one letter, digit or Chinese character to search.")]
            }
        )
    return q


def _parse_params(picker: Picker, raw: Mapping[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for name, kind in picker.params.items():
        value = raw.get(name)
        if value in (None, ""):
            continue
        if kind is bool:
            params[name] = value in (True, "1", "true", "on", "True")
        elif kind is int:
            text = str(value)
            if not text.isdigit() or not 0 < int(text) < 2**63:
                raise InvalidInput(fields={name: [gettext("Enter a whole number.")]})
            params[name] = int(text)
        else:
            params[name] = str(value)[:MAX_QUERY]
    return params


@dataclass
class BoundPicker:
    """A picker for one actor with its parameters fixed: what a form may offer and accept."""

    picker: Picker
    actor: Any
    params: dict[str, Any]

    @property
    def name(self) -> str:
        return self.picker.name

    def rows(self, q: str = "") -> Any:
        return self.picker.search(self.actor, q, self.params)

    def matches(self, raw_q: Any, limit: int = LIMIT) -> tuple[list[tuple[int, str]], bool]:
        """Up to ``limit`` matches as (id, label) and whether more match."""
        q = clean_query(raw_q)
        found = list(self.rows(q)[: limit + 1])
        return [(o.pk, self.picker.label(o)) for o in found[:limit]], len(found) > limit

    def get(self, pk: Any) -> Any:
        """The row with this id if the actor may pick it here, else None."""
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            return None
        if not 0 < pk < 2**63:
            return None
        return self.rows("").filter(pk=pk).first()

    def label_of(self, pk: Any) -> str:
        row = self.get(pk)
        return self.picker.label(row) if row is not None else ""

    def only_one(self) -> Any:
        """The id of the only row the actor may pick here, or "" (to preselect it)."""
        rows = list(self.rows("").values_list("pk", flat=True)[:2])
        return rows[0] if len(rows) == 1 else ""

    def url(self) -> str:
        base = reverse("core:picker", args=[self.name])
        fixed = {k: ("1" if v is True else v) for k, v in self.params.items() if v is not False}
        return f"{base}?{urlencode(fixed)}" if fixed else base


def bound(name: str, actor: Any, **params: Any) -> BoundPicker:
    picker = picker_named(name)
    unknown = set(params) - set(picker.params)
    if unknown:
        raise TypeError(f"picker {name} takes no parameter {sorted(unknown)}")
    return BoundPicker(picker, actor, {k: v for k, v in params.items() if v is not None})


# --- forms ----------------------------------------------------------------------------------


class PickerWidget(forms.Select):
    """The chosen row in a ``<select>``, a search field and a search button (no-JS fallback)."""

    template_name = "core/picker_widget.html"  # in the app, where form renderers look

    def __init__(self, attrs: Any = None) -> None:
        super().__init__(attrs)
        self.picker: BoundPicker | None = None
        self.empty_label: Any = "—"
        self.query = ""
        self.error = ""
        self.matches: list[tuple[int, str]] = []
        self.more = False
        self.depends: dict[str, str] = {}

    def __deepcopy__(self, memo: Any) -> PickerWidget:
        obj = super().__deepcopy__(memo)
        obj.matches = list(self.matches)
        obj.depends = dict(self.depends)
        return obj

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        chosen: list[tuple[Any, str]] = []
        values = [v for v in (value if isinstance(value, list) else [value]) if v not in (None, "")]
        if values and self.picker is not None:
            row = self.picker.get(values[0])
            if row is not None:
                chosen = [(str(row.pk), self.picker.picker.label(row))]
        extra = [(str(pk), label) for pk, label in self.matches if str(pk) not in dict(chosen)]
        self.choices = [("", self.empty_label), *chosen, *extra]
        context = super().get_context(name, value, attrs)
        context["picker"] = {
            "url": self.picker.url() if self.picker else "",
            "query_name": f"{name}__q",
            "query": self.query,
            "error": self.error,
            "searched": bool(self.query) and not self.error,
            "found": len(self.matches),
            "more": self.more,
            "chosen_label": chosen[0][1] if chosen else "",
            "depends": self.depends,
            "pick": PICK,
            "field_name": name,
        }
        return context


class PickerField(forms.Field):
    """An id chosen through a picker; valid only if the bound picker offers it (or ``keep``)."""

    widget = PickerWidget
    default_error_messages = {
        "invalid_choice": _("This choice is not among those you may pick here."),
        "invalid": _("Choose one of the matches offered."),
    }

    def __init__(self, picker: str, *, empty_label: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.picker_name = picker
        self.bound_picker: BoundPicker | None = None
        self.keep: set[int] = set()
        self.widget.empty_label = empty_label or "—"

    def bind(
        self,
        picker: BoundPicker,
        *,
        name: str = "",
        data: Any = None,
        keep: Sequence[Any] = (),
        depends: Mapping[str, str] | None = None,
    ) -> None:
        """Fix the scoped picker; when the no-JS search button named this field, search."""
        self.bound_picker = picker
        self.keep = {int(k.pk if hasattr(k, "pk") else k) for k in keep if k is not None}
        widget: PickerWidget = self.widget  # type: ignore[assignment]
        widget.picker = picker
        widget.depends = dict(depends or {})
        if data is not None and name:
            query = str(data.get(f"{name}__q") or "")[: MAX_QUERY * 100]
            widget.query = query.strip()[:MAX_QUERY]
            if data.get(PICK) == name:
                try:
                    widget.matches, widget.more = picker.matches(query)
                except InvalidInput as e:
                    widget.error = "; ".join(e.fields.get("q", [str(e.message)]))

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if not text.isdigit() or not 0 < int(text) < 2**63:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return int(text)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is None or value in self.keep:
            return
        if self.bound_picker is None or self.bound_picker.get(value) is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )


class PickerForm(forms.Form):
    """A form with pickers: the no-JS search button re-shows the form instead of submitting.

    Call :meth:`bind_picker` in ``__init__`` (after ``super().__init__``) for each picker.
    """

    picking: str = ""

    def bind_picker(self, name: str, picker: BoundPicker, **kwargs: Any) -> None:
        field = self.fields[name]
        assert isinstance(field, PickerField)
        field.bind(picker, name=name, data=self.data if self.is_bound else None, **kwargs)
        if self.is_bound and self.data.get(PICK) == name:
            self.picking = name

    def is_valid(self) -> bool:
        if not self.picking:
            return super().is_valid()
        widget: PickerWidget = self.fields[self.picking].widget  # type: ignore[assignment]
        self._errors = ErrorDict()
        if widget.error:
            self._errors[self.picking] = ErrorList([widget.error])
        self.cleaned_data = {}
        return False


# --- endpoints ------------------------------------------------------------------------------


def _search(name: str, actor: Any, data: Mapping[str, Any]) -> tuple[list[tuple[int, str]], bool]:
    picker = picker_named(name)
    bp = BoundPicker(picker, actor, _parse_params(picker, data))
    return bp.matches(data.get("q", ""))


@login_required
def picker_options(request: HttpRequest, name: str) -> HttpResponse:
    """The options of a typeahead as HTML (``<li role=option>``); refusals as a note."""
    actor = request.actor  # type: ignore[attr-defined]
    context: dict[str, Any] = {"items": [], "more": False, "error": ""}
    status = 200
    try:
        context["items"], context["more"] = _search(name, actor, request.GET)
    except InvalidInput as e:
        messages = [m for msgs in e.fields.values() for m in msgs]
        context["error"] = messages[0] if messages else str(e.message)
    except NotFound as e:
        context["error"], status = str(e.message), 404
    return render(request, "partials/picker_options.html", context, status=status)


router = Router(tags=["pickers"])


class PickerError(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] | None = None


class PickerItem(Schema):
    id: int
    label: str


class PickerOut(Schema):
    items: list[PickerItem]
    more: bool = Field(description="more rows match: type more to narrow")


class PickerQuery(Schema):
    q: str = Field("", max_length=MAX_QUERY * 100, description="letters, digits or Chinese")


@router.get(
    "/{name}",
    response={200: PickerOut, 401: PickerError, 404: PickerError, 422: PickerError},
    summary="Search a picker (autocomplete)",
)
def search_picker(request: HttpRequest, name: str, query: Query[PickerQuery]) -> Any:
    items, more = _search(name, request.actor, request.GET)  # type: ignore[attr-defined]
    return {"items": [{"id": pk, "label": label} for pk, label in items], "more": more}
