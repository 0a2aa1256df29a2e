"""A tiny listener hook so the CLI can draw progress while the flow runs in the same process."""
from __future__ import annotations

from collections.abc import Callable

_listeners: list[Callable[[object], None]] = []


def subscribe(listener: Callable[[object], None]) -> None:
    _listeners.append(listener)


def unsubscribe(listener: Callable[[object], None]) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def paper_done(outcome: object) -> None:
    for listener in list(_listeners):
        listener(outcome)
