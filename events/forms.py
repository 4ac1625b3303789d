"""Forms for event pages. They validate input only; the services decide.

Times are typed as wall-clock times in the event's own time zone (a lecture in London at 18:00
is entered as 18:00 whoever types it), so the datetime fields keep the input naive and the form
attaches the chosen zone in ``clean``.
"""

import datetime
import zoneinfo

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.fields import BaseTemporalField
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from accounts.models import timezone_choices
from accounts.selectors import visible_profiles
from partnerships.core.models import Sector
from partnerships.core.widgets import FastSelect, NamedModelChoiceField
from partnerships.organisations.models import Organisation
from partnerships.projects.models import Partnership, PartnershipStatus

from .models import (
    Admission,
    Audience,
    EventFormat,
    EventKind,
    EventMessage,
    EventSession,
    RegistrationStatus,
)
from .services import EVENT_FIELDS, MAX_CAPACITY, MAX_STAFF_DAYS, MAX_YEAR, MIN_YEAR

User = get_user_model()
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
FILTERABLE = {"data-filterable": "true", "size": 8}
ATTENDANCE_CHOICES = [
    ("", _("Online or in person")),
    ("online", _("Online (or hybrid)")),
    ("in_person", _("In person (or hybrid)")),
]


def _year_in_range(value):
    if value is not None and not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValidationError(
            _("Give a date between the years %(low)d and %(high)d."),
            code="year_out_of_range",
            params={"low": MIN_YEAR, "high": MAX_YEAR},
        )
    return value


class BoundedDateField(forms.DateField):
    """A date within the years events can have (so a day after it still exists)."""

    widget = DATE_WIDGET

    def to_python(self, value):
        return _year_in_range(super().to_python(value))


class WallClockDateTimeField(forms.DateTimeField):
    """A date and time as typed, without a time zone (the form adds the event's own)."""

    widget = DATETIME_WIDGET

    def prepare_value(self, value):
        return value  # never shift into the viewer's zone: initial values are event-local

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value
        try:
            result = parse_datetime(str(value).strip())
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not result:
            # The other accepted formats, still without attaching any time zone.
            result = BaseTemporalField.to_python(self, value)
        return _year_in_range(result)


def attach_zone(naive: datetime.datetime, tz: zoneinfo.ZoneInfo) -> datetime.datetime:
    """The typed wall-clock time in ``tz``; refuses a time the clocks skip over."""
    if naive.tzinfo is not None:
        return naive
    aware = naive.replace(tzinfo=tz)
    try:
        round_trip = aware.astimezone(datetime.UTC).astimezone(tz).replace(tzinfo=None)
    except OverflowError:
        raise ValidationError(
            _("Give a date between the years %(low)d and %(high)d."),
            code="year_out_of_range",
            params={"low": MIN_YEAR, "high": MAX_YEAR},
        ) from None
    if round_trip != naive:
        raise ValidationError(
            _("%(time)s does not exist in %(zone)s: the clocks change then. Pick another time."),
            code="nonexistent",
            params={"time": naive.strftime("%d %b %Y %H:%M"), "zone": tz.key},
        )
    return aware


def local_naive(moment: datetime.datetime | None, tz: zoneinfo.ZoneInfo):
    """An aware moment as the wall-clock time in ``tz`` (for a form's initial value)."""
    if moment is None:
        return None
    return moment.astimezone(tz).replace(tzinfo=None)


class StaffDaysField(forms.DecimalField):
    """Academic staff time for knowledge-exchange reports (HE-BCI Table 5), in days."""

    def __init__(self, **kwargs):
        kwargs = {
            "label": _("Academic staff time (days)"), "required": False, "min_value": 0,
            "max_value": MAX_STAFF_DAYS, "max_digits": 7, "decimal_places": 2,
            "widget": forms.NumberInput(attrs={"step": "0.25", "inputmode": "decimal"}),
            "help_text": _("Time academic staff gave to the event itself, in days of eight "
                           "hours (preparation not included). Leave empty if not known yet."),
            **kwargs,
        }  # fmt: skip
        super().__init__(**kwargs)


class ReportingForm(forms.Form):
    """What knowledge-exchange reports ask about an event; editable after it is held."""

    admission = forms.ChoiceField(
        label=_("Admission"), choices=Admission.choices, widget=forms.RadioSelect
    )
    academic_staff_days = StaffDaysField()


class PartnershipChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title} ({obj.institution.name} × {obj.industry_partner.name})"


class BrowseForm(forms.Form):
    q = forms.CharField(
        label=_("Search"), required=False, max_length=200,
        widget=forms.TextInput({"type": "search"}),
    )  # fmt: skip
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind")), *EventKind.choices]
    )
    sector = forms.ModelChoiceField(
        label=_("Sector"), queryset=Sector.objects.order_by("name"), required=False,
        to_field_name="slug", empty_label=_("Any sector"), widget=FastSelect,
    )  # fmt: skip
    organiser = NamedModelChoiceField(
        label=_("Organiser"), queryset=Organisation.objects.verified().order_by("name"),
        required=False, to_field_name="slug", empty_label=_("Any organiser"), widget=FastSelect,
    )  # fmt: skip
    attendance = forms.ChoiceField(label=_("Attend"), required=False, choices=ATTENDANCE_CHOICES)
    date_from = BoundedDateField(label=_("From"), required=False)
    date_to = BoundedDateField(label=_("Until"), required=False)
    when = forms.ChoiceField(
        required=False,
        choices=[("upcoming", _("Upcoming")), ("past", _("Past"))],
        widget=forms.HiddenInput,
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date must not be before the start date."))
        return data

    def filters(self) -> dict:
        data = self.cleaned_data
        return {
            "q": data["q"].strip(),
            "kind": data["kind"],
            "sector": data["sector"].slug if data["sector"] else "",
            "organiser": data["organiser"].slug if data["organiser"] else "",
            "attendance": data["attendance"],
            "date_from": data["date_from"],
            "date_to": data["date_to"],
        }


class MonthFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind")), *EventKind.choices]
    )
    attendance = forms.ChoiceField(label=_("Attend"), required=False, choices=ATTENDANCE_CHOICES)

    def filters(self) -> dict:
        attendance = self.cleaned_data["attendance"]
        formats = {
            "online": [EventFormat.ONLINE, EventFormat.HYBRID],
            "in_person": [EventFormat.IN_PERSON, EventFormat.HYBRID],
        }
        return {"kind": self.cleaned_data["kind"], "format__in": formats.get(attendance)}


class EventForm(forms.Form):
    """Create (with an ``organisation`` choice) or edit an event."""

    organisation = forms.ModelChoiceField(
        label=_("Organised by"), queryset=Organisation.objects.none(), empty_label=None
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=EventKind.choices)
    title = forms.CharField(label=_("Title"), max_length=160)
    summary = forms.CharField(
        label=_("Summary"), max_length=300, required=False,
        help_text=_("One or two sentences for lists and calendars."),
    )  # fmt: skip
    description = forms.CharField(
        label=_("Description"), max_length=20000, widget=forms.Textarea({"rows": 8}),
        help_text=_("Markdown: headings, lists, links."),
    )  # fmt: skip
    timezone = forms.ChoiceField(
        label=_("Time zone"), choices=timezone_choices,
        help_text=_("Type the times below as clocks show them there."),
    )  # fmt: skip
    starts_at = WallClockDateTimeField(label=_("Starts"))
    ends_at = WallClockDateTimeField(label=_("Ends"))
    format = forms.ChoiceField(
        label=_("Format"), choices=EventFormat.choices, widget=forms.RadioSelect
    )
    venue_name = forms.CharField(label=_("Venue"), max_length=160, required=False)
    venue_address = forms.CharField(label=_("Venue address"), max_length=300, required=False)
    online_url = forms.URLField(
        label=_("Online link"), max_length=500, required=False, assume_scheme="https",
        help_text=_("Shown only to people with a confirmed place."),
    )  # fmt: skip
    capacity = forms.IntegerField(
        label=_("Capacity"), min_value=1, max_value=MAX_CAPACITY, required=False,
        help_text=_("Leave empty for no limit. When it is full, people join a waitlist."),
    )  # fmt: skip
    registration_opens_at = WallClockDateTimeField(
        label=_("Registration opens"), required=False, help_text=_("Empty: when published.")
    )
    registration_closes_at = WallClockDateTimeField(
        label=_("Registration closes"), required=False, help_text=_("Empty: when it starts.")
    )
    requires_approval = forms.BooleanField(
        label=_("Organisers approve each registration"), required=False
    )
    audience = forms.ChoiceField(
        label=_("Who may attend"), choices=Audience.choices, widget=forms.RadioSelect
    )
    audience_organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations invited"), queryset=Organisation.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs=FILTERABLE),
        help_text=_("For “Members of chosen organisations”: their members, and students of "
                    "invited institutions, may attend."),
    )  # fmt: skip
    sectors = forms.ModelMultipleChoiceField(
        label=_("Sectors"), queryset=Sector.objects.order_by("name"), required=False,
        widget=forms.SelectMultiple(attrs=FILTERABLE),
    )  # fmt: skip
    partnership = PartnershipChoiceField(
        label=_("Run together with a partnership"), queryset=Partnership.objects.none(),
        required=False, empty_label=_("No, just us"),
        help_text=_("Both sides of an active partnership organise the event together."),
    )  # fmt: skip
    admission = forms.ChoiceField(
        label=_("Admission"), choices=Admission.choices, widget=forms.RadioSelect,
        required=False, initial=Admission.FREE,
        help_text=_("Knowledge-exchange reports count free and chargeable events apart."),
    )  # fmt: skip
    academic_staff_days = StaffDaysField()

    DATETIMES = ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")

    def __init__(self, *args, organisations=None, event=None, **kwargs):
        super().__init__(*args, **kwargs)
        if event is not None:
            del self.fields["organisation"]
            hosts = [event.organisation]
        else:
            self.fields["organisation"].queryset = Organisation.objects.filter(
                pk__in=[o.pk for o in organisations or []]
            ).order_by("name")
            hosts = list(organisations or [])
        partnerships = Partnership.objects.filter(
            Q(institution__in=hosts) | Q(industry_partner__in=hosts),
            status=PartnershipStatus.ACTIVE,
        )
        if event is not None and event.partnership_id:
            partnerships = Partnership.objects.filter(
                Q(pk__in=partnerships) | Q(pk=event.partnership_id)
            )
        self.fields["partnership"].queryset = partnerships.select_related(
            "institution", "industry_partner"
        ).order_by("title")
        if not self.fields["partnership"].queryset.exists():
            del self.fields["partnership"]
        self.fields["audience_organisations"].queryset = Organisation.objects.verified().order_by(
            "name"
        )

    def clean(self):
        data = super().clean()
        zone = data.get("timezone")
        if not zone:
            return data
        tz = zoneinfo.ZoneInfo(zone)
        for name in self.DATETIMES:
            if data.get(name) is not None:
                try:
                    data[name] = attach_zone(data[name], tz)
                except ValidationError as exc:
                    self.add_error(name, exc)
        partnership, organisation = data.get("partnership"), data.get("organisation")
        sides = (partnership.institution_id, partnership.industry_partner_id) if partnership else ()
        if partnership is not None and organisation is not None and organisation.pk not in sides:
            self.add_error(
                "partnership",
                _("Choose a partnership %(org)s is part of.") % {"org": organisation.name},
            )
        return data

    def service_data(self) -> dict:
        """Keyword arguments for ``services.event_create`` / ``event_update``."""
        data = {name: self.cleaned_data[name] for name in EVENT_FIELDS if name in self.cleaned_data}
        if not data.get("admission"):
            data.pop("admission", None)  # left unticked: free when new, unchanged when editing
        data["sectors"] = list(self.cleaned_data["sectors"])
        data["audience_organisations"] = list(self.cleaned_data["audience_organisations"])
        return data

    @staticmethod
    def initial_for(event) -> dict:
        tz = event.tzinfo
        initial = {name: getattr(event, name) for name in EVENT_FIELDS}
        for name in EventForm.DATETIMES:
            initial[name] = local_naive(getattr(event, name), tz)
        initial.update(
            partnership=event.partnership_id,
            sectors=list(event.sectors.all()),
            audience_organisations=list(event.audience_organisations.all()),
        )
        return initial


class CancelEventForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"), max_length=500, required=False,
        widget=forms.Textarea({"rows": 4}),
        help_text=_("Everyone registered is emailed with this reason. Needed once published."),
    )  # fmt: skip


class SessionForm(forms.Form):
    title = forms.CharField(label=_("Session title"), max_length=200)
    starts_at = WallClockDateTimeField(label=_("Starts"))
    ends_at = WallClockDateTimeField(label=_("Ends"))
    room = forms.CharField(label=_("Room or stream"), max_length=120, required=False)
    description = forms.CharField(
        label=_("Description"), max_length=4000, required=False,
        widget=forms.Textarea({"rows": 3}),
    )  # fmt: skip

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        zone = event.timezone
        for name in ("starts_at", "ends_at"):
            self.fields[name].help_text = _("Time in %(zone)s.") % {"zone": zone}

    def clean(self):
        data = super().clean()
        for name in ("starts_at", "ends_at"):
            if data.get(name) is not None:
                try:
                    data[name] = attach_zone(data[name], self.event.tzinfo)
                except ValidationError as exc:
                    self.add_error(name, exc)
        return data


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.title


class SpeakerForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address of a person on Tandem"), required=False,
        help_text=_("Links the speaker to their Tandem profile."),
    )  # fmt: skip
    name = forms.CharField(
        label=_("Or their name"), max_length=120, required=False,
        help_text=_("For a guest without a Tandem account."),
    )  # fmt: skip
    affiliation = forms.CharField(label=_("Role and affiliation"), max_length=160, required=False)
    session = SessionChoiceField(
        label=_("Session"), queryset=EventSession.objects.none(), required=False,
        empty_label=_("The whole event"),
    )  # fmt: skip

    def __init__(self, *args, event, viewer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.viewer = viewer
        self.fields["session"].queryset = EventSession.objects.filter(event=event).order_by(
            "starts_at", "pk"
        )
        if not self.fields["session"].queryset.exists():
            del self.fields["session"]

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if not email:
            return None
        # Only people whose profile the organiser may see (the API's rule too), so the form
        # neither confirms who else has an account nor links a private profile.
        visible = visible_profiles(self.viewer).values("user_id") if self.viewer else []
        user = User.objects.filter(email__iexact=email, is_active=True, pk__in=visible).first()
        if user is None:
            raise ValidationError(
                _("No one on Tandem uses that address; type their name instead."),
                code="unknown_email",
            )
        return user


class RegistrantFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Name, email or institution"), required=False, max_length=200,
        widget=forms.TextInput({"type": "search"}),
    )  # fmt: skip
    status = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[("", _("Every status")), *RegistrationStatus.choices],
    )  # fmt: skip


class MessageForm(forms.Form):
    recipients = forms.ChoiceField(
        label=_("Send to"), choices=EventMessage.Recipients.choices, widget=forms.RadioSelect,
        initial=EventMessage.Recipients.CONFIRMED,
    )  # fmt: skip
    subject = forms.CharField(label=_("Subject"), max_length=160)
    body = forms.CharField(
        label=_("Message"), max_length=5000, widget=forms.Textarea({"rows": 8}),
        help_text=_("Each person gets their own copy; replies come to your email address."),
    )  # fmt: skip
