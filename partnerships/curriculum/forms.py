from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import StudyLevel
from partnerships.core.models import Sector, Skill
from partnerships.core.validators import validate_pdf_upload
from partnerships.organisations.models import Organisation

from .models import MAX_RELEVANCE, MAX_REVIEWERS, MIN_RELEVANCE, MIN_REVIEWERS, CurriculumReview


class SkillChoiceField(forms.ModelMultipleChoiceField):
    default_error_messages = {
        "invalid_choice": _("“%(value)s” is not in the skills list. Pick skills from the list."),
        "invalid_pk_value": _("“%(pk)s” is not a skill we know. Pick skills from the list."),
    }


def skill_field(label):
    return SkillChoiceField(
        label=label,
        queryset=Skill.objects.filter(is_active=True),
        required=False,
        help_text=_("Type to filter the list; hold Ctrl (or ⌘) to pick several."),
        widget=forms.SelectMultiple(attrs={"data-filterable": "true", "size": 8}),
    )


class ReviewForm(forms.ModelForm):
    institution = forms.ModelChoiceField(
        label=_("On behalf of"), queryset=None, empty_label=None, required=True
    )
    sectors = forms.ModelMultipleChoiceField(
        label=_("Sectors"),
        queryset=Sector.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The creative sectors the course prepares students for."),
    )
    syllabus = forms.FileField(
        label=_("Syllabus"),
        required=False,
        validators=[validate_pdf_upload],
        help_text=_("A PDF, at most 10 MB. Only people who volunteer to review can download it."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    reviewers_wanted = forms.IntegerField(
        label=_("Number of reviewers wanted"),
        min_value=MIN_REVIEWERS,
        max_value=MAX_REVIEWERS,
        initial=3,
        help_text=_("Between 1 and 20. You choose who to accept among the volunteers."),
    )
    deadline = forms.DateField(
        label=_("Deadline"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The last day reviewers can answer. It must be after today."),
    )

    class Meta:
        model = CurriculumReview
        fields = [
            "institution",
            "title",
            "course_name",
            "level",
            "learning_outcomes",
            "syllabus",
            "questions",
            "reviewers_wanted",
            "deadline",
            "sectors",
        ]
        widgets = {
            "learning_outcomes": forms.Textarea(attrs={"rows": 6}),
            "questions": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "title": _("What reviewers see in the list, e.g. “Review our games art BA”."),
            "learning_outcomes": _("One per line is easiest to read."),
            "questions": _("Anything you would especially like reviewers to comment on."),
        }

    def __init__(self, *args, institutions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [("", _("— choose a level —")), *StudyLevel.choices]
        if self.instance.pk:
            del self.fields["institution"]
        else:
            self.only_institution = institutions[0] if len(institutions) == 1 else None
            field = self.fields["institution"]
            field.queryset = Organisation.objects.filter(pk__in=[o.pk for o in institutions])
            if self.only_institution is not None:
                field.initial = self.only_institution.pk
                field.required = False
                field.widget = forms.HiddenInput()

    def clean_institution(self):
        institution = self.cleaned_data.get("institution") or self.only_institution
        if institution is None:
            raise forms.ValidationError(_("Choose the institution asking for the review."))
        return institution

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline <= timezone.localdate():
            raise forms.ValidationError(_("Choose a date after today."))
        return deadline


class VolunteerForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Review on behalf of"), queryset=None, empty_label=None
    )
    note = forms.CharField(
        label=_("Note to the institution"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why you are a good fit: your role, your experience, what you hire for."),
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.only_organisation = organisations[0] if len(organisations) == 1 else None
        field = self.fields["organisation"]
        field.queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations])
        if self.only_organisation is not None:
            field.initial = self.only_organisation.pk
            field.required = False
            field.widget = forms.HiddenInput()

    def clean_organisation(self):
        return self.cleaned_data.get("organisation") or self.only_organisation


RELEVANCE_LABELS = {
    1: _("1 — not relevant to current practice"),
    2: _("2 — somewhat out of date"),
    3: _("3 — partly relevant"),
    4: _("4 — mostly relevant"),
    5: _("5 — very relevant to current practice"),
}
RELEVANCE_CHOICES = [
    (score, RELEVANCE_LABELS[score]) for score in range(MIN_RELEVANCE, MAX_RELEVANCE + 1)
]


class ResponseForm(forms.Form):
    relevance = forms.TypedChoiceField(
        label=_("How relevant is this course to current practice?"),
        choices=RELEVANCE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Rate the course’s relevance from 1 to 5."),
            "invalid_choice": _("Rate the course’s relevance from 1 to 5."),
        },
    )
    missing_skills = skill_field(_("Skills the course misses"))
    missing_skills_other = forms.CharField(
        label=_("Other missing skills"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Skills that are not in the list."),
    )
    overweighted_skills = skill_field(_("Skills the course over-weights"))
    overweighted_skills_other = forms.CharField(
        label=_("Other over-weighted skills"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Skills that are not in the list."),
    )
    suggested_changes = forms.CharField(
        label=_("Suggested changes"),
        max_length=8000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    comments = forms.CharField(
        label=_("Other comments"),
        max_length=8000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    @classmethod
    def initial_from(cls, response) -> dict:
        if response is None:
            return {}
        return {
            "relevance": response.relevance,
            "missing_skills": list(response.missing_skills.all()),
            "missing_skills_other": response.missing_skills_other,
            "overweighted_skills": list(response.overweighted_skills.all()),
            "overweighted_skills_other": response.overweighted_skills_other,
            "suggested_changes": response.suggested_changes,
            "comments": response.comments,
        }


SCOPE_CHOICES = [
    ("open", _("Open for reviewers")),
    ("mine", _("Requested by my institution")),
    ("reviewing", _("Reviews I volunteered for")),
]


class BrowseFilterForm(forms.Form):
    q = forms.CharField(label=_("Search title or course"), required=False, max_length=100)
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=[("", _("Any level")), *StudyLevel.choices]
    )
    sector = forms.ModelChoiceField(
        label=_("Sector"),
        required=False,
        queryset=Sector.objects.all(),
        to_field_name="slug",
        empty_label=_("Any sector"),
    )
    scope = forms.ChoiceField(label=_("Show"), required=False, choices=SCOPE_CHOICES)
