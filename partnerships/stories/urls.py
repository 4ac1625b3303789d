"""Story URLs. Management paths come first so no story slug can shadow them (those words are
reserved as slugs, see ``services.RESERVED_SLUGS``)."""

from .urls_manage import urlpatterns as manage_patterns
from .urls_public import urlpatterns as public_patterns

app_name = "stories"

urlpatterns = [*manage_patterns, *public_patterns]
