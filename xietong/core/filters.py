"""One filters dataclass per list, feeding both the HTML filter bar and the API query schema.

A selector declares its filters as a frozen dataclass whose fields carry their label,
choices and limits (:func:`option`). From it come

* :func:`filter_form` — a Django form for the page's filter bar (``form.filters()`` gives
  the dataclass back), and
* :func:`filter_schema` — a Ninja ``Schema`` for ``Query(...)``; :func:`parse_query` runs the
  query through the *same* form, so the page and the API accept and refuse alike, with the
  same messages.

Example::

    @dataclass(frozen=True)
    class ProgramFilters:
        status: str = option("", label=_("Status"), choices=ProgramStatus.choices,
                             empty=_("All statuses"))
        school_year: str = option("", label=_("School year"), max_length=9)

    ProgramFilterForm = filter_form(ProgramFilters)
    ProgramQuery = filter_schema(ProgramFilters)
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from ninja import Schema
from pydantic import Field, create_model

from xietong.core.errors import InvalidInput
from xietong.core.pickers import PickerField, bound
from xietong.core.widgets import QuickSelect, quick

Choices = Sequence[tuple[Any, Any]]
ChoicesSource = Choices | Callable[[], Choices]

PAGES = "pages"  # ?page=N&page_size=M
CURSOR = "cursor"  # ?cursor=…&page_size=M (keyset)
MAX_ID = 2**63 - 1  # SQLite's integers end here


def option(
    default: Any,
    *,
    label: Any,
    choices: ChoicesSource | None = None,
    empty: Any = None,
    max_length: int | None = None,
    param: str | None = None,
    picker: str | None = None,
    placeholder: Any = None,
    help: Any = None,
    field: Callable[..., forms.Field] | None = None,
) -> Any:
    """A filter field: its default, and how the page and the API show and check it.

    ``choices`` may be a callable (reference data read when a form is made); ``empty`` labels
    the "any" choice; ``param`` names the field in the page's and the API's query when it
    differs from the attribute (``institution`` for ``institution_id``); ``picker`` makes an
    id field an autocomplete over a registered picker (``core.pickers``); ``field`` makes the
    form field (given label and required) when the value needs its own parsing.
    """
    meta = {
        "label": label,
        "choices": choices,
        "empty": empty,
        "max_length": max_length,
        "param": param,
        "picker": picker,
        "placeholder": placeholder,
        "help": help,
        "field": field,
    }
    return dataclasses.field(default=default, metadata=meta)


@dataclasses.dataclass(frozen=True)
class FilterField:
    attr: str
    param: str
    kind: type  # str, int or bool
    default: Any
    meta: Mapping[str, Any]


def fields_of(cls: type) -> list[FilterField]:
    """The filter fields of a dataclass, with their query names and base types."""
    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        kind = _base_type(hints[f.name])
        meta = dict(f.metadata) or {"label": f.name}
        out.append(FilterField(f.name, meta.get("param") or f.name, kind, f.default, meta))
    return out


def params_of(cls: type) -> set[str]:
    """The query names of a filters dataclass (what the page and the API both accept)."""
    return {f.param for f in fields_of(cls)}


def _base_type(hint: Any) -> type:
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if typing.get_origin(hint) in (typing.Union, types.UnionType) and len(args) == 1:
        hint = args[0]
    if hint not in (str, int, bool):
        raise TypeError(f"filter fields are str, int, bool or int | None, not {hint!r}")
    return typing.cast(type, hint)


def _choices(meta: Mapping[str, Any]) -> list[tuple[Any, Any]] | None:
    source = meta.get("choices")
    if source is None:
        return None
    return list(source() if callable(source) else source)


class DateTextField(forms.DateField):
    """A date checked like Django's ``DateField``, kept as its ISO text ("2026-11-30").

    For filters dataclasses, whose fields are text (``option(field=DateTextField)``): the
    page shows a date picker, the API takes ``YYYY-MM-DD``; both refuse the same values
    with the same message. Read it back with ``datetime.date.fromisoformat``.
    """

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def clean(self, value: Any) -> str:  # type: ignore[override]
        day = super().clean(value)
        return day.isoformat() if day else ""


# --- the filter bar --------------------------------------------------------------------------


def page_size_field() -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=_("Per page"),
        choices=[(n, str(n)) for n in settings.XIETONG_PAGE_SIZES],
        coerce=int,
        required=False,
    )


def _form_field(f: FilterField) -> forms.Field:
    meta = f.meta
    common: dict[str, Any] = {"label": meta["label"], "required": False}
    if meta.get("help"):
        common["help_text"] = meta["help"]
    if f.kind is bool:
        return forms.BooleanField(**common)
    if meta.get("field"):
        return quick(typing.cast(forms.Field, meta["field"](**common)))
    if meta.get("picker"):
        return PickerField(meta["picker"], empty_label=meta.get("empty"), **common)
    source = meta.get("choices")
    if source is not None:
        choices = [] if callable(source) else list(source)  # callables: read per form
        empty = [("", meta.get("empty") or "—")]
        if f.kind is int:
            return forms.TypedChoiceField(
                coerce=int,
                empty_value=None,
                choices=[*empty, *choices],
                widget=QuickSelect,
                **common,
            )
        return forms.ChoiceField(choices=[*empty, *choices], widget=QuickSelect, **common)
    if f.kind is int:
        return forms.IntegerField(min_value=1, max_value=MAX_ID, **common)
    attrs: dict[str, Any] = {"type": "search"}
    if meta.get("placeholder"):
        attrs["placeholder"] = meta["placeholder"]  # lazy: in the language of each page
    return forms.CharField(
        max_length=meta.get("max_length"), widget=forms.TextInput(attrs=attrs), **common
    )


class FilterForm(forms.Form):
    """A filter bar; :meth:`filters` returns the dataclass it was made from."""

    filters_class: type
    filter_fields: list[FilterField]

    def __init__(self, data: Any = None, *, actor: Any = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.actor = actor
        for f in self.filter_fields:
            field = self.fields[f.param]
            if isinstance(field, PickerField):
                field.bind(bound(f.meta["picker"], actor), name=f.param, data=data)
            elif callable(f.meta.get("choices")):
                typing.cast(forms.ChoiceField, field).choices = [
                    ("", f.meta.get("empty") or "—"),
                    *(_choices(f.meta) or []),
                ]

    def filters(self) -> Any:
        d = self.cleaned_data
        values = {}
        for f in self.filter_fields:
            value = d.get(f.param)
            if f.kind is str:
                value = (value or "").strip()
            elif f.kind is bool:
                value = bool(value)
            values[f.attr] = value if value not in ("", None) or f.kind is str else f.default
        return self.filters_class(**values)


def filter_form(cls: type, *, paging: str | None = PAGES) -> type[FilterForm]:
    """The filter-bar form of a filters dataclass (plus ``page_size`` when ``paging``)."""
    ff = fields_of(cls)
    attrs: dict[str, Any] = {f.param: _form_field(f) for f in ff}
    if paging:
        attrs["page_size"] = page_size_field()
    attrs.update(filters_class=cls, filter_fields=ff)
    return type(f"{cls.__name__}Form", (FilterForm,), attrs)


# --- the API query ---------------------------------------------------------------------------


def filter_schema(cls: type, *, paging: str | None = PAGES) -> type[Schema]:
    """The Ninja query schema of a filters dataclass: the same names, types and limits."""
    fields: dict[str, Any] = {}
    for f in fields_of(cls):
        meta = f.meta
        extra: dict[str, Any] = {}
        static = meta.get("choices")
        if static is not None and not callable(static):
            extra["json_schema_extra"] = {"enum": [c for c, _label in static]}
        description = str(meta["label"])
        if meta.get("help"):
            description = f"{description}: {meta['help']}"
        if f.kind is bool:
            fields[f.param] = (bool, Field(False, description=description))
        elif f.kind is int:
            fields[f.param] = (
                int | None,
                Field(None, ge=1, le=MAX_ID, description=description, **extra),
            )
        else:
            fields[f.param] = (
                str,
                Field("", max_length=meta.get("max_length"), description=description, **extra),
            )
    sizes = settings.XIETONG_PAGE_SIZES
    size_doc = ", ".join(str(n) for n in sizes)
    if paging == PAGES:
        fields["page"] = (int, Field(1, ge=1, le=MAX_ID))
        fields["page_size"] = (int, Field(sizes[0], description=size_doc))
    elif paging == CURSOR:
        fields["cursor"] = (str, Field("", max_length=200, description="next_cursor of a page"))
        fields["page_size"] = (int, Field(sizes[0], description=size_doc))
    return typing.cast(
        type[Schema], create_model(f"{cls.__name__}Query", __base__=Schema, **fields)
    )


def export_schema(
    cls: type, formats: Sequence[str] = ("xlsx", "csv"), *, personal_data: bool = False
) -> type[Schema]:
    """The query of a list's export endpoint: the list's filters (no paging), the format
    and, for a list with personal data, whether to ask for it in clear."""
    fields: dict[str, Any] = {
        "format": (
            str,
            Field(
                formats[0],
                description=" or ".join(formats),
                json_schema_extra={"enum": list(formats)},
            ),
        )
    }
    if personal_data:
        fields["personal_data"] = (
            bool,
            Field(False, description="ID numbers and phones in clear (re-authenticate first)"),
        )
    return typing.cast(
        type[Schema],
        create_model(
            f"{cls.__name__}ExportQuery", __base__=filter_schema(cls, paging=None), **fields
        ),
    )


def parse_query(cls: type, query: Schema, *, actor: Any = None) -> Any:
    """The filters of an API query, checked by the page's own form (same rules, same words)."""
    form_class = filter_form(cls, paging=None)
    data = {}
    for f in fields_of(cls):
        value = getattr(query, f.param)
        if value is None or value is False:
            continue
        data[f.param] = "on" if value is True else str(value)
    form = form_class(data, actor=actor)
    if not form.is_valid():
        raise InvalidInput(fields={k: [str(m) for m in v] for k, v in form.errors.items()})
    return form.filters()
