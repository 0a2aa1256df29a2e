"""The base every result type of the values library uses."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Frozen(BaseModel):
    """An immutable result: parsers return new objects, never edit old ones.

    ``extra="forbid"`` matches the shared schemas, so a misspelt field fails loudly.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
