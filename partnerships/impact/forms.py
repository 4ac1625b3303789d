"""The dashboard filters: a period (UK academic year by default), a sector and, for platform
admins, an organisation. They arrive in the query string, so anything can be typed there: every
value is validated, and a bad one is a form error (answered 400), never a crash."""

from __future__ import annotations

import datetime

from django import forms
from django.db import models
from django.http import QueryDict
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from partnerships.core.models import Sector
from partnerships.core.validators import MAX_YEAR, MIN_YEAR
from partnerships.organisations.models import Organisation

from .metrics import Scope

# Dates outside MIN_YEAR–MAX_YEAR are typing mistakes (and would overflow date arithmetic).
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DAY = "j F Y"  # 1 August 2025


class Period(models.TextChoices):
    ACADEMIC_YEAR = "academic_year", _("This academic year (1 August – 31 July)")
    LAST_ACADEMIC_YEAR = "last_academic_year", _("Last academic year")
    CALENDAR_YEAR = "calendar_year", _("This calendar year")
    LAST_CALENDAR_YEAR = "last_calendar_year", _("Last calendar year")
    ALL = "all", _("All time")
    CUSTOM = "custom", _("Custom dates (below)")


DEFAULT_PERIOD = Period.ACADEMIC_YEAR


def academic_year_start(day: datetime.date) -> datetime.date:
    """UK academic (and HE-BCI reporting) years run from 1 August to 31 July."""
    return datetime.date(day.year if day.month >= 8 else day.year - 1, 8, 1)


def preset_dates(period: str, today: datetime.date) -> tuple[datetime.date | None, ...]:
    """Inclusive start and end of a preset period (``None``: open-ended)."""
    if period == Period.ACADEMIC_YEAR:
        start = academic_year_start(today)
    elif period == Period.LAST_ACADEMIC_YEAR:
        start = academic_year_start(today).replace(year=academic_year_start(today).year - 1)
    elif period == Period.CALENDAR_YEAR:
        return datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)
    elif period == Period.LAST_CALENDAR_YEAR:
        return datetime.date(today.year - 1, 1, 1), datetime.date(today.year - 1, 12, 31)
    else:
        return None, None
    return start, start.replace(year=start.year + 1) - datetime.timedelta(days=1)


class BoundedDateField(forms.DateField):
    widget = DATE_WIDGET

    def to_python(self, value):
        day = super().to_python(value)
        if day is not None and not MIN_YEAR <= day.year <= MAX_YEAR:
            raise forms.ValidationError(
                _("Give a date between the years %(low)d and %(high)d."),
                code="year_out_of_range",
                params={"low": MIN_YEAR, "high": MAX_YEAR},
            )
        return day


class ImpactFilterForm(forms.Form):
    """Always bound (to the query string with the defaults filled in), so the page shows
    what it computed; ``scope()`` is only called on a valid form."""

    period = forms.ChoiceField(label=_("Period"), choices=Period.choices)
    start = BoundedDateField(
        label=_("From"), required=False, help_text=_("With “Custom dates”: the first day counted.")
    )
    end = BoundedDateField(
        label=_("Until"), required=False, help_text=_("With “Custom dates”: the last day counted.")
    )
    sector = forms.ModelChoiceField(
        label=_("Sector"),
        queryset=Sector.objects.order_by("position", "name"),
        required=False,
        to_field_name="slug",
        empty_label=_("Every sector"),
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
        to_field_name="slug",
        empty_label=_("Every organisation"),
    )

    def __init__(self, query, *, with_organisation: bool = False, today=None, **kwargs):
        data = {"period": DEFAULT_PERIOD, **{key: query.get(key, "") for key in query}}
        if not data["period"]:
            data["period"] = DEFAULT_PERIOD
        super().__init__(data, **kwargs)
        self.today = today or timezone.localdate()
        if not with_organisation:
            del self.fields["organisation"]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error(
                "end",
                _("The end date (%(end)s) is before the start date (%(start)s).")
                % {"end": date_format(end, DAY), "start": date_format(start, DAY)},
            )
        if data.get("period") == Period.CUSTOM and not (start or end) and not self.errors:
            self.add_error("start", _("Give a start date, an end date or both."))
        return data

    def dates(self) -> tuple[datetime.date | None, datetime.date | None]:
        data = self.cleaned_data
        if data["period"] == Period.CUSTOM:
            return data.get("start"), data.get("end")
        return preset_dates(data["period"], self.today)

    def scope(self, organisation: Organisation | None = None) -> Scope:
        """The scope asked for; a platform admin's organisation filter applies when no
        organisation is fixed by the page."""
        start, end = self.dates()
        if organisation is None:
            organisation = self.cleaned_data.get("organisation")
        return Scope(
            organisation=organisation, start=start, end=end, sector=self.cleaned_data["sector"]
        )

    def period_text(self) -> str:
        """The dates used, in words, so the reader never has to guess."""
        start, end = self.dates()
        if start and end:
            return _("%(start)s to %(end)s") % {
                "start": date_format(start, DAY),
                "end": date_format(end, DAY),
            }
        if start:
            return _("from %(start)s") % {"start": date_format(start, DAY)}
        if end:
            return _("until %(end)s") % {"end": date_format(end, DAY)}
        return str(_("all time"))

    def query_string(self) -> str:
        """The filters as a query string, for the CSV links (only what was asked for)."""
        query = QueryDict(mutable=True)
        for name in self.fields:
            value = self.data.get(name, "")
            if value:
                query[name] = value
        return query.urlencode()
