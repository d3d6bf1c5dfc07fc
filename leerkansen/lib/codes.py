"""Public identifiers and secret tokens."""

import hashlib
import secrets


def new_code() -> str:
    """A public, unguessable id for URLs (128 bits, URL-safe)."""
    return secrets.token_urlsafe(16)


def new_token() -> str:
    """A secret token to hand out once (e.g. a resume link); store only its hash."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    # Tokens are long random strings, so a fast hash is enough: nothing to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()
