"""Invitation tokens: 16 symbols of Crockford's base32 (80 random bits), printed in groups of four,
typed back forgivingly (case, spaces, dashes, O/0 and I/L/1 confusions). Only the SHA-256 is stored."""
from __future__ import annotations

import hashlib
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 16
_CONFUSIONS = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


def new_token() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(typed: str | None) -> str | None:
    """The canonical token for what someone typed or followed, or None if it cannot be one."""
    if not typed:
        return None
    text = "".join(ch for ch in typed.upper() if not ch.isspace() and ch != "-").translate(_CONFUSIONS)
    if len(text) != LENGTH or any(ch not in ALPHABET for ch in text):
        return None
    return text


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def grouped(token: str) -> str:
    """The short code as printed: XXXX-XXXX-XXXX-XXXX."""
    return "-".join(token[i:i + 4] for i in range(0, len(token), 4))
