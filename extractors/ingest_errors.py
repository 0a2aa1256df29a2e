"""The one exception ingest turns into a failed paper."""
from __future__ import annotations


class PaperUnreadable(Exception):
    """A paper we cannot read. str(exc) is a one-sentence reason written for people, not programmers."""
