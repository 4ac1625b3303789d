"""Forms for the story pages. They check the shape of the input; the services decide the rules.

Limits mirror the model fields, so a value that passes a form never fails in the database.
"""

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from partnerships.core.models import Sector
from partnerships.core.validators import validate_image_upload
from partnerships.organisations.models import Organisation

from .models import Metric, StoryStatus

User = get_user_model()
FILTERABLE = {"data-filterable": "true", "size": 8}
MAX_AMOUNT = Decimal("999999999999.99")
MAX_COUNT = 1_000_000_000
NOT_NEGATIVE = {"min_value": _("Figures cannot be negative: give 0 or more.")}


def _count_field(label, help_text) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, help_text=help_text, required=False, min_value=0, max_value=MAX_COUNT,
        error_messages={**NOT_NEGATIVE, "invalid": _("Enter a whole number, such as 3.")},
        widget=forms.NumberInput(attrs={"min": 0, "step": 1, "inputmode": "numeric"}),
    )  # fmt: skip


def _amount_field(label, help_text) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, help_text=help_text, required=False, min_value=0, max_value=MAX_AMOUNT,
        max_digits=14, decimal_places=2,
        error_messages={**NOT_NEGATIVE, "invalid": _("Enter an amount in pounds, such as 2500.")},
        widget=forms.NumberInput(attrs={"min": 0, "step": "0.01", "inputmode": "decimal"}),
    )  # fmt: skip


class NominateForm(forms.Form):
    title = forms.CharField(
        label=_("Title of the story"), max_length=160,
        help_text=_("A working title; curators may change it."),
    )  # fmt: skip
    reason = forms.CharField(
        label=_("Why it is a story"), max_length=4000, widget=forms.Textarea({"rows": 6}),
        help_text=_("What happened, who it helped, what changed. A few sentences are enough."),
    )  # fmt: skip


class TestimonialForm(forms.Form):
    """A side's answer: words, a role, outcome figures in stated units, and explicit consent."""

    __test__ = False  # not a pytest test class, whatever its name

    FIGURES = {
        "hires": Metric.HIRES,
        "funding": Metric.FUNDING,
        "revenue": Metric.REVENUE,
        "audience": Metric.AUDIENCE,
        "students_involved": Metric.STUDENTS_INVOLVED,
    }

    text = forms.CharField(
        label=_("Your testimonial"), max_length=2000, required=False,
        widget=forms.Textarea({"rows": 6}),
        help_text=_("In your own words: what you did together and what came of it."),
    )  # fmt: skip
    person_role = forms.CharField(
        label=_("Your role"), max_length=160, required=False,
        help_text=_("As it should appear next to your name, e.g. “Creative director”."),
    )  # fmt: skip
    hires = _count_field(_("Hires made"), _("People hired because of it (a number)."))
    funding = _amount_field(
        _("Funding attracted"), _("In pounds (£): grants or investment it brought in.")
    )
    revenue = _amount_field(_("Revenue"), _("In pounds (£): sales or fees that came of it."))
    audience = _count_field(
        _("Audience reached"), _("People who saw, played, visited or used the work (a number).")
    )
    students_involved = _count_field(
        _("Students involved"), _("Students who took part (a number).")
    )
    consent = forms.BooleanField(
        label=_("I agree that Tandem may publish my words with my name and role"),
        required=False,
        help_text=_(
            "Without this we keep your words for the curators only. You can withdraw your "
            "consent later."
        ),
    )

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("text", "").strip() and not self.figures():
            self.add_error("text", _("Write a testimonial or give at least one figure."))
        return data

    def figures(self) -> dict[str, str]:
        """The figures given, keyed by metric (empty ones left out)."""
        data = getattr(self, "cleaned_data", {})
        return {
            metric.value: str(data[name])
            for name, metric in self.FIGURES.items()
            if data.get(name) is not None
        }

    def figure_fields(self):
        return [self[name] for name in self.FIGURES]


class ApproveForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Approve for"), queryset=Organisation.objects.none(), empty_label=None,
        widget=forms.RadioSelect,
    )  # fmt: skip

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        organisations = list(organisations)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            pk__in=[o.pk for o in organisations]
        ).order_by("name")
        self.only = organisations[0] if len(organisations) == 1 else None
        if self.only is not None:
            self.fields["organisation"].initial = self.only.pk
            self.fields["organisation"].widget = forms.HiddenInput()
            self.fields["organisation"].required = False

    def clean_organisation(self):
        """One organisation to approve for: it is the one, whether or not the form says so."""
        return self.cleaned_data["organisation"] or self.only


# --- Curation -------------------------------------------------------------------------------


class QueueFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"), required=False, max_length=200,
        widget=forms.TextInput({"type": "search"}),
        help_text=_("Words in the title or summary, or an organisation’s name."),
    )  # fmt: skip
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Waiting")), *StoryStatus.choices]
    )

    def clean_q(self) -> str:
        q = self.cleaned_data["q"].strip()
        if "\x00" in q:
            raise forms.ValidationError(_("Search without control characters."))
        return q


class StoryForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=160)
    slug = forms.SlugField(
        label=_("Web address"), max_length=180,
        help_text=_("Lowercase letters, numbers and hyphens; the story is at /stories/address/."),
    )  # fmt: skip
    summary = forms.CharField(
        label=_("Summary"), max_length=400, required=False, widget=forms.Textarea({"rows": 3}),
        help_text=_("One or two sentences for lists and link previews."),
    )  # fmt: skip
    body = forms.CharField(
        label=_("Story"), max_length=20000, required=False, widget=forms.Textarea({"rows": 14}),
        help_text=_("Markdown: headings, lists, links, emphasis. Changing the title, summary "
                    "or story withdraws the organisations’ approvals."),
    )  # fmt: skip
    sectors = forms.ModelMultipleChoiceField(
        label=_("Sectors"), queryset=Sector.objects.order_by("name"), required=False,
        widget=forms.SelectMultiple(attrs=FILTERABLE),
    )  # fmt: skip
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations in the story"), queryset=Organisation.objects.order_by("name"),
        required=False, widget=forms.SelectMultiple(attrs=FILTERABLE),
        help_text=_("Each of them approves the text before it is published."),
    )  # fmt: skip

    @classmethod
    def initial_for(cls, story) -> dict:
        return {
            "title": story.title,
            "slug": story.slug,
            "summary": story.summary,
            "body": story.body,
            "sectors": [s.pk for s in story.sectors.all()],
            "organisations": [o.pk for o in story.organisations.all()],
        }


class FeatureForm(forms.Form):
    featured = forms.BooleanField(label=_("Feature on the stories page"), required=False)
    feature_order = forms.IntegerField(
        label=_("Order among featured stories"), min_value=0, max_value=10_000, initial=0,
        help_text=_("Lower numbers come first."),
        error_messages={"min_value": _("The order cannot be negative.")},
    )  # fmt: skip


class ImageForm(forms.Form):
    image = forms.FileField(
        label=_("Image"), validators=[validate_image_upload],
        help_text=_("A JPEG, PNG, WebP or GIF photograph or artwork."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}
        ),
    )  # fmt: skip
    alt_text = forms.CharField(
        label=_("Alternative text"), max_length=250,
        help_text=_("What the image shows, for people who cannot see it."),
    )  # fmt: skip
    caption = forms.CharField(label=_("Caption"), max_length=300, required=False)


class QuoteForm(forms.Form):
    text = forms.CharField(label=_("Quote"), max_length=2000, widget=forms.Textarea({"rows": 4}))
    person_name = forms.CharField(label=_("Name of the person quoted"), max_length=120)
    person_role = forms.CharField(label=_("Their role"), max_length=160, required=False)
    organisation = forms.ModelChoiceField(
        label=_("Their organisation"), queryset=Organisation.objects.none(), required=False,
        empty_label=_("None of these"),
    )  # fmt: skip
    email = forms.EmailField(
        label=_("Their email on Tandem"), required=False, max_length=254,
        help_text=_("If they have an account, they are asked to consent themselves. Leave "
                    "empty for someone without an account and record their consent here."),
    )  # fmt: skip

    def __init__(self, *args, story=None, **kwargs):
        super().__init__(*args, **kwargs)
        if story is not None:
            self.fields["organisation"].queryset = story.organisations.order_by("name")

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if not email:
            return None
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise forms.ValidationError(
                _("Nobody on Tandem has this email address. Leave it empty for someone "
                  "without an account.")
            )  # fmt: skip
        return user


class QuoteEditForm(forms.Form):
    text = forms.CharField(label=_("Quote"), max_length=2000, widget=forms.Textarea({"rows": 4}))
    person_name = forms.CharField(label=_("Name of the person quoted"), max_length=120)
    person_role = forms.CharField(label=_("Their role"), max_length=160, required=False)


class FigureForm(forms.Form):
    metric = forms.ChoiceField(label=_("Figure"), choices=Metric.choices)
    value = forms.DecimalField(
        label=_("Value"), min_value=0, max_value=MAX_AMOUNT, max_digits=14, decimal_places=2,
        error_messages={**NOT_NEGATIVE, "invalid": _("Enter a number, such as 12 or 2500.50.")},
        widget=forms.NumberInput(attrs={"min": 0, "step": "0.01", "inputmode": "decimal"}),
        help_text=_("Money in pounds (£); hires, audience and students as a number of people."),
    )  # fmt: skip
    unit = forms.CharField(
        label=_("Unit or label"), max_length=60, required=False,
        help_text=_("Required for “Other”, e.g. “prototypes shipped”."),
    )  # fmt: skip
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    organisation = forms.ModelChoiceField(
        label=_("Reported by"), queryset=Organisation.objects.none(), required=False,
        empty_label=_("Not stated"),
    )  # fmt: skip

    def __init__(self, *args, story=None, **kwargs):
        super().__init__(*args, **kwargs)
        if story is not None:
            self.fields["organisation"].queryset = story.organisations.order_by("name")

    def clean(self):
        data = super().clean()
        if data.get("metric") == Metric.OTHER and not data.get("unit", "").strip():
            self.add_error("unit", _("Say what an “Other” figure counts."))
        return data
