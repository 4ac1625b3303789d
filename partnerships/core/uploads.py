"""Upload paths: random names, so a filename never leaks or collides."""

import uuid
from pathlib import PurePath


def random_name(prefix: str, filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()[:6]
    return f"{prefix}/{uuid.uuid4().hex}{suffix}"


def avatar_path(instance, filename: str) -> str:
    return random_name("avatars", filename)


def logo_path(instance, filename: str) -> str:
    return random_name("logos", filename)
