"""Template helpers of the web UI: Bootstrap form fields, role scopes, small filters."""

from __future__ import annotations

from typing import Any

from django import template
from django.forms import BoundField
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()

_CONTROL_CLASSES = {
    "select": "form-select",
    "quickselect": "form-select",  # core.widgets
    "termselect": "form-select",  # core.termfields
    "selectmultiple": "form-select",
    "nullbooleanselect": "form-select",
    "checkbox": "form-check-input",
    "checkboxselectmultiple": "form-check-input",
    "radioselect": "form-check-input",
    "picker": "form-select",  # core.pickers: the select under the search field
}


def role_scope(assignment: Any) -> str:
    """The scope of a role assignment as shown to people (see ``RoleAssignment.scope_label``)."""
    return str(assignment.scope_label())


@register.filter
def scope_of(assignment: Any) -> str:
    return role_scope(assignment)


@register.inclusion_tag("partials/field.html")
def field(bound: BoundField, label: bool = True, inline: bool = False) -> dict[str, Any]:
    """A form field the Bootstrap way, with its errors beneath it (``is-invalid``)."""
    kind = bound.widget_type
    css = _CONTROL_CLASSES.get(kind, "form-control")
    existing = bound.field.widget.attrs.get("class", "")
    if bound.errors:
        css += " is-invalid"
    multi = kind in ("checkboxselectmultiple", "radioselect")
    attrs: dict[str, str | bool] = {} if multi else {"class": f"{existing} {css}".strip()}
    described = [f"{bound.auto_id}_errors"] if bound.errors else []
    if bound.errors:
        attrs["aria-invalid"] = "true"
    if inline and bound.help_text and not multi:
        # A filter bar's row stays aligned: the help is the control's title and is read
        # out from a hidden note (the search box: "one or two characters: a surname").
        attrs["title"] = str(bound.help_text)
        described.append(f"{bound.auto_id}_help")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    widget = bound.as_widget(attrs=attrs)
    if multi:
        # The attrs of a multiple widget go to its container too: style only the inputs.
        invalid = " is-invalid" if bound.errors else ""
        widget = mark_safe(
            widget.replace('<input type="', f'<input class="form-check-input{invalid}" type="')
        )
    return {
        "bound": bound,
        "kind": kind,
        "widget": widget,
        "show_label": label,
        "inline": inline,
        "multi": multi,
    }


@register.filter
def join_labels(values: Any, sep: str = "、") -> str:
    return sep.join(str(v) for v in values or [])


@register.simple_tag
def yes_no(value: Any) -> str:
    return _("Yes") if value else _("No")


@register.filter
def initials(name: Any) -> str:
    text = str(name or "").strip()
    if not text:
        return "?"
    if text.isascii():
        return text[:2].upper()
    return text[-2:] if len(text) >= 2 else text


@register.simple_tag
def elided_range(page: Any) -> list[Any]:
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))


@register.filter
def pretty_json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str)


@register.filter
def token_status(token: Any) -> str:
    from django.utils import timezone

    if token.revoked_at:
        return "revoked"
    if token.expires_at and token.expires_at < timezone.now():
        return "expired"
    return "active"
