"""Forms for placement pages. They validate input only; the services decide."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from accounts.models import StudyLevel
from partnerships.core.models import Sector, Skill
from partnerships.core.widgets import FastSelect, NamedModelChoiceField
from partnerships.organisations.models import Kind, Organisation
from partnerships.projects.forms import PDF_WIDGET_ATTRS, PersonChoiceField, SkillChoiceField
from partnerships.projects.models import Mode

from .models import MAX_RATING, MIN_RATING, ApplicationStatus, PayPeriod, PlacementKind

User = get_user_model()
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SKILL_WIDGET = {"data-filterable": "true", "size": 8}


class BrowseForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput({"type": "search"}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind")), *PlacementKind.choices]
    )
    sector = NamedModelChoiceField(
        label=_("Sector"), queryset=Sector.objects.order_by("name"), required=False,
        to_field_name="slug", empty_label=_("Any sector"), widget=FastSelect,
    )  # fmt: skip
    skill = NamedModelChoiceField(
        label=_("Skill"), queryset=Skill.objects.order_by("name"), required=False,
        to_field_name="slug", empty_label=_("Any skill"), widget=FastSelect,
    )  # fmt: skip
    mode = forms.ChoiceField(
        label=_("Where"), required=False, choices=[("", _("Anywhere")), *Mode.choices]
    )
    location = forms.CharField(label=_("Location"), required=False, max_length=120)
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=[("", _("Any level")), *StudyLevel.choices]
    )
    paid_only = forms.BooleanField(label=_("Paid only"), required=False)
    deadline_soon = forms.BooleanField(label=_("Closing within 14 days"), required=False)

    def filters(self) -> dict:
        data = self.cleaned_data
        return {
            "q": data["q"].strip(),
            "kind": data["kind"],
            "sector": data["sector"].slug if data["sector"] else "",
            "skill": data["skill"].slug if data["skill"] else "",
            "mode": data["mode"],
            "location": data["location"].strip(),
            "level": data["level"],
            "paid_only": data["paid_only"],
        }


class PlacementForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PlacementKind.choices)
    title = forms.CharField(label=_("Title"), max_length=160)
    description = forms.CharField(
        label=_("Description"), max_length=20000, widget=forms.Textarea({"rows": 8})
    )
    required_skills = SkillChoiceField(
        label=_("Required skills"), queryset=Skill.objects.order_by("name"), required=False,
        widget=forms.SelectMultiple(attrs=SKILL_WIDGET),
    )  # fmt: skip
    nice_skills = SkillChoiceField(
        label=_("Nice-to-have skills"), queryset=Skill.objects.order_by("name"), required=False,
        widget=forms.SelectMultiple(attrs=SKILL_WIDGET),
    )  # fmt: skip
    sector = forms.ModelChoiceField(
        label=_("Sector"), queryset=Sector.objects.order_by("name"), required=False
    )
    location = forms.CharField(label=_("Location"), max_length=120, required=False)
    mode = forms.ChoiceField(label=_("Where"), choices=Mode.choices)
    is_paid = forms.BooleanField(label=_("Paid"), required=False)
    pay_amount = forms.DecimalField(
        label=_("Pay"), max_digits=10, decimal_places=2, required=False, min_value=0
    )
    pay_currency = forms.CharField(label=_("Currency"), max_length=3, initial="GBP")
    pay_period = forms.ChoiceField(
        label=_("Pay period"), choices=[("", "—"), *PayPeriod.choices], required=False
    )
    hours_per_week = forms.IntegerField(
        label=_("Hours per week"), min_value=1, max_value=80, required=False
    )
    duration = forms.CharField(label=_("Duration"), max_length=120, required=False)
    start_date = forms.DateField(label=_("Start date"), required=False, widget=DATE_WIDGET)
    end_date = forms.DateField(label=_("End date"), required=False, widget=DATE_WIDGET)
    positions = forms.IntegerField(label=_("Number of positions"), min_value=1, initial=1)
    deadline = forms.DateTimeField(label=_("Application deadline"), widget=DATETIME_WIDGET)
    eligible_levels = forms.MultipleChoiceField(
        label=_("Eligible levels"), choices=StudyLevel.choices, required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("None ticked: every level."),
    )  # fmt: skip
    eligible_institutions = forms.ModelMultipleChoiceField(
        label=_("Eligible institutions"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs=SKILL_WIDGET),
        help_text=_("None chosen: students of every institution."),
    )
    questions = forms.CharField(
        label=_("Questions for applicants"), required=False, max_length=5000,
        widget=forms.Textarea({"rows": 4}),
        help_text=_("One question per line. Leave empty to ask none."),
    )  # fmt: skip
    contact = PersonChoiceField(label=_("Contact / supervisor"), queryset=User.objects.none())

    def __init__(self, *args, members=None, questions_locked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = members if members is not None else User.objects.none()
        self.fields["eligible_institutions"].queryset = (
            Organisation.objects.verified().filter(kind=Kind.INSTITUTION).order_by("name")
        )
        if questions_locked:
            self.fields["questions"].disabled = True
            self.fields["questions"].help_text = _(
                "Students have already applied, so the questions can no longer change."
            )

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        if not data["is_paid"]:
            data["pay_amount"] = None
            data["pay_period"] = ""
        lines = [line.strip() for line in (data.pop("questions") or "").splitlines()]
        if not self.fields["questions"].disabled:
            data["questions"] = [{"text": line} for line in lines if line]
        return data


class ApplicationForm(forms.Form):
    cover_letter = forms.CharField(
        label=_("Cover letter"), max_length=8000, required=False,
        widget=forms.Textarea({"rows": 8}),
    )  # fmt: skip
    cv = forms.FileField(
        label=_("CV (PDF)"), required=False, widget=forms.FileInput(attrs=PDF_WIDGET_ATTRS),
        help_text=_("A PDF of at most 5 MB. Leave empty to keep the one you uploaded."),
    )  # fmt: skip
    portfolio_url = forms.URLField(label=_("Portfolio link"), required=False)
    for_credit = forms.BooleanField(
        label=_("This placement counts for academic credit"), required=False,
        help_text=_("Your university then approves the placement once you accept an offer."),
    )  # fmt: skip

    def __init__(self, *args, questions=(), drafting: bool = False, **kwargs):
        """Required questions are shown as such; a saved draft may still leave them empty (the
        service refuses to submit without them)."""
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            field = forms.CharField(
                label=question.text, required=question.required, max_length=4000,
                widget=forms.Textarea({"rows": 3}),
            )  # fmt: skip
            if drafting:
                field.required = False
            self.fields[f"q_{question.pk}"] = field

    def answers(self) -> dict[int, str]:
        return {q.pk: self.cleaned_data.get(f"q_{q.pk}", "") for q in self.questions}


class MessageForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the student"), required=False, max_length=4000,
        widget=forms.Textarea({"rows": 2}),
    )  # fmt: skip


STAGE_FILTER = [("", _("All stages"))] + [
    c for c in ApplicationStatus.choices if c[0] != ApplicationStatus.DRAFT
]


class HireForm(forms.Form):
    """The host organisation's answer after a completed placement (impact: hires)."""

    CHOICES = [("yes", _("Yes, we hired them")), ("no", _("No")), ("", _("Not known yet"))]
    VALUES = {"yes": True, "no": False, "": None}

    hired = forms.ChoiceField(
        label=_("Hired after the placement?"),
        choices=CHOICES,
        required=False,
        widget=forms.RadioSelect,
    )

    @classmethod
    def initial_for(cls, application) -> dict:
        answer = application.hired_after_placement
        return {"hired": "" if answer is None else ("yes" if answer else "no")}

    def hired_value(self) -> bool | None:
        return self.VALUES[self.cleaned_data["hired"]]


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Private note"), max_length=4000, widget=forms.Textarea({"rows": 2})
    )


class ApprovalForm(forms.Form):
    checked_items = forms.MultipleChoiceField(
        label=_("Checklist"), required=False, widget=forms.CheckboxSelectMultiple
    )
    low_risk = forms.BooleanField(label=_("Low-risk placement (lighter checklist)"), required=False)

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["checked_items"].choices = [
            (str(item.pk), item.text + ("" if item.required_for_low_risk else " *"))
            for item in items
        ]


class RefuseForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=4000, widget=forms.Textarea({"rows": 3}))


class OfficerForm(forms.Form):
    user = PersonChoiceField(
        label=_("Member to appoint"), queryset=User.objects.none(), empty_label=None
    )

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = members if members is not None else User.objects.none()


class ChecklistItemForm(forms.Form):
    text = forms.CharField(label=_("Item"), max_length=200)
    required_for_low_risk = forms.BooleanField(
        label=_("Also required for low-risk placements"), required=False, initial=True,
        help_text=_("Untick for items only a full check needs."),
    )  # fmt: skip


RATING_CHOICES = [(str(n), str(n)) for n in range(MIN_RATING, MAX_RATING + 1)]


def _rating(label):
    return forms.TypedChoiceField(
        label=label, choices=RATING_CHOICES, coerce=int, widget=forms.RadioSelect
    )


class StudentEvaluationForm(forms.Form):
    overall = _rating(_("Overall"))
    learning = _rating(_("What I learned"))
    support = _rating(_("Support from the studio"))
    comments = forms.CharField(
        label=_("Comments"), required=False, max_length=4000, widget=forms.Textarea({"rows": 4})
    )


class SupervisorEvaluationForm(forms.Form):
    supervisor_name = forms.CharField(label=_("Your name"), max_length=120)
    overall = _rating(_("Overall"))
    skills = _rating(_("Skills"))
    professionalism = _rating(_("Professionalism"))
    communication = _rating(_("Communication"))
    comments = forms.CharField(
        label=_("Comments"), required=False, max_length=4000, widget=forms.Textarea({"rows": 4})
    )
