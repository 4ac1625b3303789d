"""The dashboard filters: preset periods and what counts as a bad filter."""

import datetime

import pytest
from django.http import QueryDict

from partnerships.impact.forms import ImpactFilterForm, Period, academic_year_start, preset_dates


def form(query: str = "", **kwargs) -> ImpactFilterForm:
    return ImpactFilterForm(QueryDict(query), **kwargs)


@pytest.mark.parametrize(
    ("today", "start"),
    [
        (datetime.date(2025, 7, 31), datetime.date(2024, 8, 1)),
        (datetime.date(2025, 8, 1), datetime.date(2025, 8, 1)),
        (datetime.date(2026, 1, 15), datetime.date(2025, 8, 1)),
    ],
)
def test_academic_years_start_on_the_first_of_august(today, start):
    assert academic_year_start(today) == start


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        (Period.ACADEMIC_YEAR, (datetime.date(2025, 8, 1), datetime.date(2026, 7, 31))),
        (Period.LAST_ACADEMIC_YEAR, (datetime.date(2024, 8, 1), datetime.date(2025, 7, 31))),
        (Period.CALENDAR_YEAR, (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))),
        (Period.LAST_CALENDAR_YEAR, (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))),
        (Period.ALL, (None, None)),
    ],
)
def test_preset_periods(period, expected):
    assert preset_dates(period, datetime.date(2026, 2, 28)) == expected


@pytest.mark.django_db
def test_no_filters_means_this_academic_year_everywhere():
    today = datetime.date(2025, 11, 3)
    f = form(today=today)
    assert f.is_valid(), f.errors
    scope = f.scope()
    assert (scope.start, scope.end, scope.sector, scope.organisation) == (
        datetime.date(2025, 8, 1),
        datetime.date(2026, 7, 31),
        None,
        None,
    )
    assert f.period_text() == "1 August 2025 to 31 July 2026"


@pytest.mark.django_db
def test_custom_dates_are_used_only_with_custom():
    f = form("period=calendar_year&start=2020-01-01", today=datetime.date(2025, 5, 5))
    assert f.is_valid()
    assert f.dates() == (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    f = form("period=custom&start=2020-01-01")
    assert f.is_valid()
    assert f.dates() == (datetime.date(2020, 1, 1), None)
    assert f.period_text() == "from 1 January 2020"
    assert f.query_string() == "period=custom&start=2020-01-01"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "period=custom&start=2025-02-01&end=2025-01-01",
        "period=custom",
        "period=custom&end=2101-01-01",
        "period=%00",
        "start=2025-13-45",
        "sector=%3Cscript%3E",
        "organisation=nobody",
    ],
)
def test_bad_filters_are_invalid_not_errors(query):
    assert not form(query, with_organisation=True).is_valid()
