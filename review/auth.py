"""Passwords, sign-in throttling and CSRF tokens for the review tool.

Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106's low-memory profile). Sessions live in
the database (store/review_models.py: only a sha256 of the cookie's token is kept); each has its own CSRF
token, which every form posts back. Before sign-in there is no session, so the login form is protected by a
double-submit token: a random value in a strict, HttpOnly cookie that the form must repeat.
"""
from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import defaultdict, deque

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from store.review_store import ReviewStore, UserRecord

MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()
# Verified when the username is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    check_password(password)
    return _hasher.hash(password)


def check_password(password: str) -> None:
    """Refuse passwords too short to be worth hashing."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > 1024:
        raise ValueError("a password is at most 1024 characters")


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def authenticate(review: ReviewStore, username: str, password: str) -> UserRecord | None:
    """The user when the name and password match an active user, else None (in about the same time)."""
    user = review.get_user(username.strip()) if username and len(username) <= 100 else None
    if user is None or not user.active:
        verify_password(_DUMMY_HASH, password[:1024])
        return None
    return user if verify_password(user.password_hash, password[:1024]) else None


def same_token(a: str | None, b: str | None) -> bool:
    """Constant-time comparison of two tokens; False when either is missing."""
    if not a or not b:
        return False
    return hmac.compare_digest(a.encode(), b.encode())


def new_token() -> str:
    return secrets.token_urlsafe(32)


class LoginThrottle:
    """At most `attempts` failed sign-ins per username, and `address_attempts` per client address, in `window`
    seconds. The address limit is higher: on 127.0.0.1 every reviewer shares one address, and one person's typos
    must not lock everyone out.

    In memory, per process: enough for a tool served on 127.0.0.1 to a handful of reviewers.
    """

    def __init__(self, attempts: int = 5, window: float = 300.0, address_attempts: int = 20):
        self.attempts, self.window, self.address_attempts = attempts, window, address_attempts
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _keys(self, username: str, client: str) -> list[str]:
        return [f"user:{username.strip().casefold()}", f"addr:{client}"]

    def _prune(self, q: deque[float], now: float) -> None:
        while q and q[0] <= now - self.window:
            q.popleft()

    def blocked_for(self, username: str, client: str) -> float:
        """Seconds until another attempt is allowed (0 when allowed now)."""
        now = time.monotonic()
        with self._lock:
            wait = 0.0
            for key in self._keys(username, client):
                q = self._failures.get(key)
                if q is None:
                    continue
                self._prune(q, now)
                limit = self.attempts if key.startswith("user:") else self.address_attempts
                if len(q) >= limit:
                    wait = max(wait, q[0] + self.window - now)
            return wait

    def failed(self, username: str, client: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in self._keys(username, client):
                self._failures[key].append(now)

    def succeeded(self, username: str, client: str) -> None:
        with self._lock:
            self._failures.pop(self._keys(username, client)[0], None)
