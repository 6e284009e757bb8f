"""Template tags of the web UI's shell: the signed-in user's roles."""

from __future__ import annotations

from django import template

from xietong.accounts.selectors import roles_of
from xietong.core.templatetags.xt import role_scope

register = template.Library()


@register.simple_tag(takes_context=True)
def my_roles(context: template.Context) -> list[dict[str, str]]:
    """The signed-in user's roles with their scopes; one query, cached on the request."""
    request = context.get("request")
    actor = getattr(request, "actor", None)
    if request is None or actor is None or not actor.is_authenticated:
        return []
    cached = getattr(request, "_xt_roles", None)
    if cached is None:
        cached = [
            {"role": ra.get_role_display(), "code": ra.role, "scope": role_scope(ra)}
            for ra in roles_of(actor)
        ]
        request._xt_roles = cached
    return cached
