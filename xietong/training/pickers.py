"""Pickers of teacher training: the providers of the programs one reads (the catalogue's
provider filter), over :func:`xietong.training.selectors.providers_for`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from xietong.core.pickers import Picker, register
from xietong.institutions.models import Institution
from xietong.training import selectors


def _providers(actor: Any, q: str, params: Mapping[str, Any]) -> Any:
    return selectors.providers_for(actor, q)


def _provider_label(inst: Institution) -> str:
    return f"{inst.name} · {inst.region.name}"


PROVIDERS = register(Picker("training_providers", _providers, _provider_label))
