"""Text from mail made fit to store and to send back out in a header."""

import re

_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")


def storable(value: str) -> str:
    """``value`` without lone surrogates (undecodable bytes), which no database encodes."""
    return value.encode("utf-8", "replace").decode("utf-8")


def clean_line(value: str) -> str:
    """One line fit to store and to put back in a header: no NUL (PostgreSQL refuses it),
    no CR/LF or other control character; folding and runs of white space become one space.
    """
    value = storable(value or "").replace("\x00", "")
    return " ".join(_CONTROLS.sub(" ", value).split())
