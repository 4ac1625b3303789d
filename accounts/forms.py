from django import forms
from django.utils.translation import gettext_lazy as _

from partnerships.core.models import Sector, Skill
from partnerships.core.validators import validate_image_upload
from partnerships.organisations.models import Kind, Organisation

from .models import SIGNUP_ROLES, Profile, Role, StudyLevel, timezone_choices


class SignupForm(forms.Form):
    """Extra sign-up fields; allauth's own form adds email and passwords."""

    display_name = forms.CharField(
        label=_("Your name"),
        max_length=80,
        help_text=_("How other people on Tandem will see you."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    role = forms.ChoiceField(
        label=_("I am joining as"),
        choices=[(role.value, role.label) for role in SIGNUP_ROLES],
        widget=forms.RadioSelect,
        help_text=_(
            "Students build a profile and apply; university staff and industry members act for "
            "their organisations."
        ),
    )

    field_order = ["display_name", "email", "role", "password1", "password2"]

    def signup(self, request, user) -> None:
        from .services import user_complete_signup

        user_complete_signup(
            user=user,
            role=self.cleaned_data["role"],
            display_name=self.cleaned_data["display_name"],
        )


class SkillChoiceField(forms.ModelMultipleChoiceField):
    default_error_messages = {
        "invalid_choice": _("“%(value)s” is not in the skills list. Pick skills from the list."),
        "invalid_pk_value": _("“%(pk)s” is not a skill we know. Pick skills from the list."),
    }


class ProfileForm(forms.ModelForm):
    skills = SkillChoiceField(
        label=_("Skills"),
        queryset=Skill.objects.filter(is_active=True),
        required=False,
        help_text=_("Type to filter the list; hold Ctrl (or ⌘) to pick several."),
        widget=forms.SelectMultiple(attrs={"data-filterable": "true", "size": 10}),
    )
    sectors = forms.ModelMultipleChoiceField(
        label=_("Creative sectors of interest"),
        queryset=Sector.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    timezone = forms.ChoiceField(label=_("Time zone"), choices=timezone_choices)
    avatar = forms.FileField(
        label=_("Picture"),
        required=False,
        validators=[validate_image_upload],
        help_text=_("A JPEG, PNG, WebP or GIF image, at most 2 MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}
        ),
    )
    institution = forms.ModelChoiceField(
        label=_("Institution"),
        queryset=Organisation.objects.verified().filter(kind=Kind.INSTITUTION),
        required=False,
        empty_label=_("— choose your institution —"),
    )

    class Meta:
        model = Profile
        fields = [
            "display_name",
            "headline",
            "bio",
            "location",
            "website",
            "avatar",
            "skills",
            "sectors",
            "timezone",
            "institution",
            "course",
            "level",
            "expected_graduation",
            "discoverable",
        ]
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 5}),
            "expected_graduation": forms.DateInput(attrs={"type": "date"}),
        }

    STUDENT_FIELDS = ("institution", "course", "level", "expected_graduation", "discoverable")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.user.role != Role.STUDENT:
            for name in self.STUDENT_FIELDS:
                del self.fields[name]
        else:
            self.fields["level"].choices = [("", _("— choose your level —")), *StudyLevel.choices]


class AccountDeleteForm(forms.Form):
    """Typing the address is the confirmation; the service checks it matches."""

    email = forms.CharField(
        label=_("Type your email address to confirm"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
