"""The list of passwords too common to accept at registration."""
import os
from functools import lru_cache

LIST_PATH = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "common_passwords.txt")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    with open(LIST_PATH, encoding="utf-8") as fh:
        return frozenset(line.strip().lower() for line in fh if line.strip() and not line.startswith("#"))


def is_common(password: str) -> bool:
    return (password or "").strip().lower() in common_passwords()
