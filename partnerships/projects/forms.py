"""Forms for calls, proposals and partnerships. They validate input only; the services decide."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnerships.core.models import Sector, Skill
from partnerships.core.validators import validate_pdf_upload
from partnerships.organisations.models import Organisation

from .models import Mode, Opportunity, OpportunityKind, OpportunityStatus, Partnership, Proposal

User = get_user_model()

PDF_WIDGET_ATTRS = {"accept": "application/pdf,.pdf"}


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class SkillChoiceField(forms.ModelMultipleChoiceField):
    default_error_messages = {
        "invalid_choice": _("“%(value)s” is not in the skills list. Pick skills from the list."),
        "invalid_pk_value": _("“%(pk)s” is not a skill we know. Pick skills from the list."),
    }


class ServiceCheckedModelForm(forms.ModelForm):
    """A model form that leaves the model's rules to the service.

    The form checks input (types, lengths, choices); the service checks the business rules and
    raises ``DomainError`` naming the field at fault, which the view puts back on the form. Running
    the model's constraints here too would only add vaguer duplicates ("Constraint … is violated").
    The instance is never saved through the form.
    """

    def _post_clean(self):
        pass


def pdf_help(text) -> str:
    return text % {"limit": filesizeformat(settings.MAX_DOCUMENT_UPLOAD_BYTES)}


def members_of(organisations) -> "forms.QuerySet":
    return (
        User.objects.filter(memberships__organisation__in=organisations)
        .select_related("profile")
        .distinct()
        .order_by("profile__display_name", "pk")
    )


def _one_choice_hidden(form, name: str, choices) -> None:
    """A select of organisations, replaced by a hidden input when there is only one."""
    field = form.fields[name]
    field.queryset = Organisation.objects.filter(pk__in=[o.pk for o in choices])
    if len(choices) == 1:
        field.initial = choices[0].pk
        field.widget = forms.HiddenInput()


# --- Opportunities --------------------------------------------------------------------------

SHOW_CHOICES = [
    ("open", _("Open for proposals")),
    ("all", _("All published calls, including closed ones")),
]


class BrowseForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Words from the title, summary, description or place."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind")), *OpportunityKind.choices]
    )
    sector = forms.ModelChoiceField(
        label=_("Sector"),
        required=False,
        queryset=Sector.objects.all(),
        to_field_name="slug",
        empty_label=_("Any sector"),
    )
    skill = forms.ModelChoiceField(
        label=_("Skill"),
        required=False,
        queryset=Skill.objects.filter(is_active=True),
        to_field_name="slug",
        empty_label=_("Any skill"),
    )
    organisation = forms.ModelChoiceField(
        label=_("Posted by"),
        required=False,
        queryset=Organisation.objects.verified(),
        to_field_name="slug",
        empty_label=_("Any organisation"),
    )
    show = forms.ChoiceField(label=_("Show"), required=False, choices=SHOW_CHOICES)
    remote = forms.BooleanField(label=_("Remote or hybrid only"), required=False)
    deadline_soon = forms.BooleanField(label=_("Closing within 14 days"), required=False)

    def filters(self) -> dict:
        """Keyword arguments for ``selectors.opportunity_browse``."""
        if not self.is_bound or not self.is_valid():
            return {"open_only": True}
        data = self.cleaned_data
        return {
            "q": data["q"],
            "kind": data["kind"],
            "sector": data["sector"].slug if data["sector"] else "",
            "skill": data["skill"].slug if data["skill"] else "",
            "organisation": data["organisation"].slug if data["organisation"] else "",
            "remote": data["remote"],
            "open_only": data["show"] != "all",
            "deadline_soon": data["deadline_soon"],
        }

    def is_filtered(self) -> bool:
        filters = self.filters()
        return any(v for k, v in filters.items() if k != "open_only") or not filters["open_only"]


class OpportunityForm(ServiceCheckedModelForm):
    organisation = forms.ModelChoiceField(
        label=_("On behalf of"), queryset=Organisation.objects.none(), empty_label=None
    )
    deadline = forms.DateTimeField(
        label=_("Deadline for proposals"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    sectors = forms.ModelMultipleChoiceField(
        label=_("Sectors"),
        queryset=Sector.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    skills = SkillChoiceField(
        label=_("Skills sought"),
        queryset=Skill.objects.filter(is_active=True),
        required=False,
        help_text=_("Type to filter the list; hold Ctrl (or ⌘) to pick several."),
        widget=forms.SelectMultiple(attrs={"data-filterable": "true", "size": 8}),
    )
    contact = PersonChoiceField(
        label=_("Contact person"),
        queryset=User.objects.none(),
        empty_label=None,
        help_text=_("Who answers questions about this call. They must belong to the organisation."),
    )

    TERMS = ("ip_ownership", "student_credit", "is_paid", "payment_details", "deliverables")

    class Meta:
        model = Opportunity
        fields = [
            "organisation", "kind", "title", "summary", "description", "sectors", "skills",
            "timeline", "commitment", "mode", "location", "deadline", "visibility", "contact",
            "ip_ownership", "student_credit", "is_paid", "payment_details", "deliverables",
        ]  # fmt: skip
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 10}),
            "ip_ownership": forms.Textarea(attrs={"rows": 3}),
            "student_credit": forms.Textarea(attrs={"rows": 3}),
            "deliverables": forms.Textarea(attrs={"rows": 4}),
            "visibility": forms.RadioSelect,
            "mode": forms.RadioSelect,
        }
        help_texts = {
            "title": _("What people see in the list, e.g. “Rebrand a city museum”."),
            "summary": _("One or two sentences shown on the card in the list."),
            "description": _(
                "The full brief: context, what you need, what you offer. Markdown is supported."
            ),
            "timeline": _("For example “February to April 2026, final show in May”."),
            "commitment": _("For example “Two days a week for six weeks”."),
            "location": _("Town or venue, if any part happens in person."),
            "ip_ownership": _(
                "Who owns what the students make, and any licence the client receives."
            ),
            "student_credit": _("Where and how students are named for their work."),
            "payment_details": _("For example “£300 for each of three finalists”."),
            "deliverables": _("What is handed over at the end, in what form."),
        }
        labels = {
            "title": _("Title"),
            "summary": _("Summary"),
            "description": _("Description"),
            "timeline": _("Timeline"),
            "commitment": _("Time commitment"),
            "mode": _("Where the work happens"),
            "location": _("Location"),
            "visibility": _("Who can read it"),
            "ip_ownership": _("Who owns the resulting IP"),
            "student_credit": _("How students are credited"),
            "is_paid": _("Students are paid"),
            "payment_details": _("Payment"),
            "deliverables": _("Deliverables"),
        }

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].label = _("Kind of call")
        self.fields["kind"].choices = [("", _("— choose a kind —")), *OpportunityKind.choices]
        self.fields["mode"].choices = Mode.choices
        self.fields["description"].widget.attrs["maxlength"] = 20000
        for name in ("ip_ownership", "student_credit", "payment_details", "deliverables"):
            self.fields[name].required = False
        tz = timezone.get_current_timezone_name()
        self.fields["deadline"].help_text = _(
            "Date and time in your time zone (%(tz)s). Proposals are accepted until then."
        ) % {"tz": tz}
        if self.instance.pk:
            del self.fields["organisation"]
            self.fields["contact"].queryset = members_of([self.instance.organisation])
            if self.instance.status != OpportunityStatus.DRAFT:
                self.fields["kind"].disabled = True
                self.fields["kind"].help_text = _("The kind of a published call cannot change.")
        else:
            _one_choice_hidden(self, "organisation", organisations)
            self.fields["contact"].queryset = members_of(organisations)

    @property
    def terms_fields(self):
        return [self[name] for name in self.TERMS]

    @property
    def main_fields(self):
        skip = {"organisation", *self.TERMS}
        return [self[name] for name in self.fields if name not in skip]


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Sent to everyone with a live proposal."),
    )


# --- Proposals ------------------------------------------------------------------------------


class ProposalForm(ServiceCheckedModelForm):
    organisation = forms.ModelChoiceField(
        label=_("Propose on behalf of"), queryset=Organisation.objects.none(), empty_label=None
    )
    attachment = forms.FileField(
        label=_("Attachment"),
        required=False,
        validators=[validate_pdf_upload],
        widget=forms.FileInput(attrs=PDF_WIDGET_ATTRS),
    )
    save_as = forms.CharField(
        label=_("Save this text for reuse as…"),
        max_length=120,
        required=False,
        help_text=_("Give it a name to start later proposals from this text. Only you can see it."),
    )

    class Meta:
        model = Proposal
        fields = ["organisation", "team", "approach", "experience", "availability", "attachment"]
        widgets = {
            "team": forms.Textarea(attrs={"rows": 4}),
            "approach": forms.Textarea(attrs={"rows": 8}),
            "experience": forms.Textarea(attrs={"rows": 6}),
        }
        labels = {
            "team": _("Who would work on it"),
            "approach": _("Your approach"),
            "experience": _("Relevant experience"),
            "availability": _("Availability"),
        }
        help_texts = {
            "team": _("Names and roles of the people involved."),
            "approach": _("How you would tackle the brief, step by step."),
            "experience": _("Similar work you have done; links are welcome."),
            "availability": _("For example “From January, two days a week”."),
        }

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        _one_choice_hidden(self, "organisation", organisations)
        self.fields["attachment"].help_text = pdf_help(
            _("Optional: a PDF such as a portfolio, budget or CVs, at most %(limit)s.")
        )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("shortlist", _("Shortlist")), ("accept", _("Accept")), ("decline", _("Decline"))]
    )
    message = forms.CharField(
        label=_("Message to the proposer (optional)"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SavedProposalForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        help_text=_("Only you see it, e.g. “Museum rebrand pitch”."),
    )
    team = forms.CharField(
        label=_("Who would work on it"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    approach = forms.CharField(
        label=_("Your approach"),
        max_length=8000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    experience = forms.CharField(
        label=_("Relevant experience"),
        max_length=8000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    availability = forms.CharField(label=_("Availability"), max_length=300, required=False)


# --- Partnerships ---------------------------------------------------------------------------

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PartnershipProposeForm(forms.Form):
    from_organisation = forms.ModelChoiceField(
        label=_("On behalf of"), queryset=Organisation.objects.none(), empty_label=None
    )
    to_organisation = forms.ModelChoiceField(
        label=_("Partner organisation"),
        queryset=Organisation.objects.none(),
        empty_label=_("— choose an organisation —"),
        help_text=_("Verified organisations on the other side: institutions or industry partners."),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=160,
        help_text=_("For example “Games art placements and live briefs”."),
    )
    description = forms.CharField(
        label=_("What you would like to do together"),
        max_length=8000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    start_date = forms.DateField(label=_("Start date"), required=False, widget=DATE_WIDGET)
    end_date = forms.DateField(label=_("End date"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args, organisations=(), partners=None, **kwargs):
        super().__init__(*args, **kwargs)
        _one_choice_hidden(self, "from_organisation", organisations)
        self.fields["to_organisation"].queryset = partners


class PartnershipForm(ServiceCheckedModelForm):
    start_date = forms.DateField(label=_("Start date"), required=False, widget=DATE_WIDGET)
    end_date = forms.DateField(label=_("End date"), required=False, widget=DATE_WIDGET)
    institution_contacts = PeopleChoiceField(
        label="", queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    industry_contacts = PeopleChoiceField(
        label="", queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    funding_amount = forms.DecimalField(
        label=_("Funding attracted"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_(
            "Grants, contracts or sponsorship the partnership brought in, in total. Leave empty "
            "if not known."
        ),
    )
    funding_currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        min_length=3,
        required=False,
        initial="GBP",
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "size": 4}),
        help_text=_("Three-letter code, such as GBP or EUR."),
    )

    class Meta:
        model = Partnership
        fields = [
            "title",
            "description",
            "start_date",
            "end_date",
            "funding_amount",
            "funding_currency",
            "institution_contacts",
            "industry_contacts",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}
        labels = {"title": _("Title"), "description": _("Description")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        partnership = self.instance
        for name, organisation in (
            ("institution_contacts", partnership.institution),
            ("industry_contacts", partnership.industry_partner),
        ):
            field = self.fields[name]
            field.queryset = members_of([organisation])
            field.label = _("Contacts at %(org)s") % {"org": organisation.name}

    def clean_funding_currency(self) -> str:
        """Left empty: unchanged (GBP for a partnership that never had one)."""
        typed = (self.cleaned_data.get("funding_currency") or "").strip().upper()
        return typed or self.instance.funding_currency or "GBP"


class AgreementForm(forms.Form):
    agreement = forms.FileField(
        label=_("Signed agreement"),
        validators=[validate_pdf_upload],
        widget=forms.FileInput(attrs=PDF_WIDGET_ATTRS),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreement"].help_text = pdf_help(
            _("A PDF, at most %(limit)s. It replaces any earlier agreement.")
        )
