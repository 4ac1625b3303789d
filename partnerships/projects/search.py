"""Full-text search: a stored tsvector with a GIN index on PostgreSQL; substring match elsewhere."""

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, SearchVectorField
from django.db import connection
from django.db.models import F, Q, QuerySet, TextField, Value
from django.db.models.functions import Coalesce


class TextSearchVectorField(SearchVectorField):
    """A ``tsvector`` column on PostgreSQL; an unused text column on other databases."""

    def db_type(self, connection):
        return "tsvector" if connection.vendor == "postgresql" else "text"


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def weighted_vector(weights: dict[str, str], config: str = "english"):
    vector = None
    for field, weight in weights.items():
        text = Coalesce(F(field), Value(""), output_field=TextField())
        part = SearchVector(text, weight=weight, config=config)
        vector = part if vector is None else vector + part
    return vector


def refresh_search_vector(model, pk, weights: dict[str, str]) -> None:
    """Recompute one row's stored vector (PostgreSQL only), inside the caller's transaction."""
    if is_postgres():
        model.objects.filter(pk=pk).update(search_vector=weighted_vector(weights))


def search(qs: QuerySet, text: str, *, fallback_fields: tuple[str, ...]) -> QuerySet:
    """Filter and rank by relevance on PostgreSQL; substring match on ``fallback_fields`` else."""
    text = text.strip()
    if not text:
        return qs
    if is_postgres():
        query = SearchQuery(text, search_type="websearch", config="english")
        return qs.filter(search_vector=query).annotate(rank=SearchRank(F("search_vector"), query))
    condition = Q()
    for term in text.split():
        term_q = Q()
        for field in fallback_fields:
            term_q |= Q(**{f"{field}__icontains": term})
        condition &= term_q
    return qs.filter(condition)
