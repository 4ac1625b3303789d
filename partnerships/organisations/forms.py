from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from partnerships.core.models import Sector
from partnerships.core.validators import validate_image_upload

from .models import (
    CATEGORIES_BY_KIND,
    Category,
    Kind,
    MemberRole,
    Organisation,
    SizeBand,
    slug_validator,
)


class OrganisationForm(forms.ModelForm):
    sectors = forms.ModelMultipleChoiceField(
        label=_("Sectors"),
        queryset=Sector.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        validators=[validate_image_upload],
        help_text=_("A JPEG, PNG, WebP or GIF image, at most 2 MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}
        ),
    )
    slug = forms.CharField(
        label=_("Web address"),
        max_length=80,
        required=False,
        validators=[slug_validator],
        error_messages={"unique": _("That web address is already taken.")},
        help_text=_("Lowercase letters, numbers and hyphens. Leave empty to use the name."),
    )

    class Meta:
        model = Organisation
        fields = [
            "kind",
            "category",
            "name",
            "slug",
            "description",
            "website",
            "location",
            "sectors",
            "size_band",
            "logo",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {"description": _("Markdown is supported.")}

    def __init__(self, *args, allowed_kinds=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["size_band"].choices = [("", _("— not stated —")), *SizeBand.choices]
        if self.instance.pk:
            del self.fields["kind"]
            del self.fields["slug"]
            allowed = CATEGORIES_BY_KIND[self.instance.kind]
            self.fields["category"].choices = [(c.value, c.label) for c in allowed]
        else:
            kinds = allowed_kinds or list(Kind)
            self.fields["kind"].choices = [(k.value, k.label) for k in kinds]
            if len(kinds) == 1:
                self.fields["kind"].initial = kinds[0].value
                self.fields["kind"].widget = forms.HiddenInput()
                allowed = CATEGORIES_BY_KIND[kinds[0]]
                self.fields["category"].choices = [(c.value, c.label) for c in allowed]

    def clean(self):
        data = super().clean()
        kind = data.get("kind") or getattr(self.instance, "kind", None)
        category = data.get("category")
        if kind and category and Category(category) not in CATEGORIES_BY_KIND[Kind(kind)]:
            self.add_error("category", _("Choose a type that fits this kind of organisation."))
        if "slug" in self.fields and not data.get("slug") and data.get("name"):
            data["slug"] = slugify(data["name"])[:80]
            if not data["slug"]:
                self.add_error("slug", _("Choose a web address using letters or numbers."))
        return data


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[
            (MemberRole.MEMBER.value, MemberRole.MEMBER.label),
            (MemberRole.ADMIN.value, MemberRole.ADMIN.label),
        ],
        initial=MemberRole.MEMBER,
    )


class JoinRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the organisation (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejection"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Sent to the organisation's owners."),
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices)


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind")), *Kind.choices]
    )
    category = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("Any type")), *Category.choices]
    )
    sector = forms.ModelChoiceField(
        label=_("Sector"),
        required=False,
        queryset=Sector.objects.all(),
        to_field_name="slug",
        empty_label=_("Any sector"),
    )
    location = forms.CharField(label=_("Location"), required=False, max_length=100)
