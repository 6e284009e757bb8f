"""The scale of the synthetic population: a fraction of the real region, checked."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

DEFAULT_SEED = 2025
MAX_SCALE = Decimal("1")  # the real size of the region; see ``parse_scale``
SCALE_PLACES = Decimal("0.000001")


class DemoError(Exception):
    """A refusal of the demo loader, with a message for the operator."""


def parse_scale(value: object) -> Decimal:
    """The scale as a Decimal with six places, or a DemoError saying what is wrong.

    The scale is the fraction of the real region (facts.md) to generate, so it lies
    between 0 (no synthetic population: the named entities only) and 1.0 (the real size:
    ~41,000 institutions, 1.4 M staff). Larger scales are refused: they would invent a
    region bigger than the real one, the ID numbers' three-digit sequence per county and
    birth date would start to run short, and a load of several million rows is a
    benchmark, not a demo.
    """
    text = str(value).strip()
    try:
        scale = Decimal(text)
    except InvalidOperation:
        raise DemoError(
            f"--scale must be a number between 0 and {MAX_SCALE} (e.g. 0.02); got {text!r}."
        ) from None
    if not scale.is_finite():
        raise DemoError(f"--scale must be a finite number between 0 and {MAX_SCALE}.")
    if scale < 0:
        raise DemoError(f"--scale cannot be negative (got {text}); use 0 to skip the population.")
    if scale > MAX_SCALE:
        raise DemoError(
            f"--scale {text} is larger than {MAX_SCALE}: 1.0 is the real size of the region "
            "(~41,000 institutions, 1.4 million staff) and the largest scale the generator makes."
        )
    quantized = scale.quantize(SCALE_PLACES)
    if scale > 0 and quantized == 0:
        raise DemoError(f"--scale {text} is too small; the smallest scale is {SCALE_PLACES}.")
    return quantized
