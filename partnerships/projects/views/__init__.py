"""Server-rendered pages for calls (opportunities), proposals and partnerships.

Thin views: they check visibility (404) and permission (403), hand input to the services and show
``DomainError`` messages on the form or with their 4xx status (``partnerships.core.http``).
"""

from . import opportunities, partnerships, proposals

__all__ = ["opportunities", "partnerships", "proposals"]
