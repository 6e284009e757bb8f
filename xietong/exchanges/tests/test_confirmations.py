"""Irreversible steps ask first: closing the window, publishing, returning, withdrawing.

The question is the form's (or its button's) ``data-confirm``; the platform's own script
asks it in the page's ``<dialog>`` — no inline script, so the CSP needs no exception.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from xietong.exchanges import services
from xietong.exchanges.tests.conftest import Ex, approve, close

pytestmark = pytest.mark.urls("xietong.urls")
STATIC_JS = Path(__file__).resolve().parents[2] / "core/static/xietong/xietong.js"


def _page(client: Any, ex: Ex, user: str, url: str) -> str:
    client.force_login(ex.cast.users[user])
    client.cookies["django_language"] = "en"
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _asks(html: str, action: str) -> str:
    """The question of the form posting to ``action`` (or of its submit button)."""
    form = re.search(rf'<form[^>]*action="{re.escape(action)}"[^>]*>(.*?)</form>', html, re.S)
    assert form is not None, action
    found = re.search(r'data-confirm="([^"]+)"', form.group(0))
    assert found is not None, f"{action} does not ask"
    return found.group(1)


def test_closing_the_application_window_asks_first(client: Any, ex: Ex) -> None:
    html = _page(client, ex, "sanhe", reverse("exchanges:program_detail", args=[ex.program.pk]))
    status = reverse("exchanges:program_status", args=[ex.program.pk])
    closing = re.search(
        r'<form[^>]*data-confirm="([^"]+)"[^>]*>(?:(?!</form>).)*value="closed"', html, re.S
    )
    assert closing is not None and closing.group(1).startswith("Close applications now?")
    assert status in html


def test_withdrawing_and_returning_ask_first(client: Any, ex: Ex) -> None:
    app = services.create_application(
        ex.actor("teacher"), ex.program.pk, choices=[ex.offer.pk], submit=True
    )
    html = _page(client, ex, "teacher", reverse("exchanges:application_detail", args=[app.pk]))
    withdraw = reverse("exchanges:application_withdraw", args=[app.pk])
    assert _asks(html, withdraw).startswith("Withdraw this application?")
    reject = reverse("exchanges:application_reject", args=[app.pk])
    html = _page(client, ex, "school_admin", reject)
    assert 'data-confirm="Reject this application and send the applicant the reason?' in html
    queue = _page(
        client, ex, "school_admin", reverse("exchanges:review") + "?recommend_verb=reject"
    )
    assert _asks(queue, reverse("exchanges:review_batch")).startswith("Reject the ticked")


def test_publishing_a_run_asks_first(client: Any, ex: Ex) -> None:
    app = services.create_application(
        ex.actor("teacher"), ex.program.pk, choices=[ex.offer.pk], submit=True
    )
    approve(ex, app.pk)
    close(ex)
    run = services.start_matching_run(ex.actor("sanhe"), ex.program.pk, enqueue=False)
    services.execute_matching_run(run.pk)
    html = _page(client, ex, "sanhe", reverse("exchanges:run_detail", args=[run.pk]))
    publish = reverse("exchanges:run_publish", args=[run.pk])
    assert _asks(html, publish).startswith("Publish these results?")


def test_every_page_has_the_dialog_the_platforms_script_asks_in(client: Any, ex: Ex) -> None:
    html = _page(client, ex, "teacher", reverse("exchanges:program_list"))
    dialog = html[html.index('<dialog id="xt-confirm"') : html.index("</dialog>")]
    assert 'value="ok"' in dialog and ">Confirm<" in dialog and ">Cancel<" in dialog
    script = STATIC_JS.read_text(encoding="utf-8")
    assert 'getElementById("xt-confirm")' in script and "showModal" in script
    assert "data-confirm" in script and "requestSubmit" in script
