"""Per-client limits on public pages: so many requests a window from one address.

A fixed window counted in Django's cache (``cache.add`` then ``cache.incr``, both atomic in
the shared backends): the count is shared by every process when ``CACHES`` names a shared
backend (database, Redis, Memcached); with the default local-memory cache each process
counts on its own — the limit then holds per process, which still stops one client's
loop. The address is ``REMOTE_ADDR`` (the proxy in front sets it; the platform trusts no
client-supplied header).

Signed-in work is limited by the audit log instead (:func:`xietong.accounts.alerts.count_recent`:
one actor's events of one kind); this is for readers without an account.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from xietong.core.errors import ServiceError


class TooManyRequests(ServiceError):
    code = "too_many_requests"
    status = 429

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__()

    def default_message(self) -> object:
        return _("Too many requests from your address: wait a minute and try again.")


def client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def check(bucket: str, key: str, limit: int, window: int = 60) -> None:
    """Count one request of ``key`` in ``bucket``; refuse the ones past ``limit`` in the
    current ``window`` (seconds). A limit of 0 or less turns the check off."""
    if limit <= 0:
        return
    now = int(time.time())
    slot = now // window
    name = f"xt-ratelimit:{bucket}:{key}:{slot}"
    cache.add(name, 0, timeout=window + 1)
    try:
        n = cache.incr(name)
    except ValueError:  # expired between add and incr: this request opens the window
        cache.add(name, 1, timeout=window + 1)
        n = 1
    if n > limit:
        raise TooManyRequests(retry_after=(slot + 1) * window - now)


def check_request(request: HttpRequest, bucket: str, limit: int, window: int = 60) -> None:
    check(bucket, client_address(request), limit, window)
