"""The pages people in a story use: nominating a collaboration, answering a testimonial request,
approving the text for their organisation, consenting to a quote, and the dashboard panel.

Lena (Northbridge) and Oscar (Pixel Forge) are the sides; Olga (Other Studio) and Sam the
student are outsiders; Ada curates.
"""

import re

import pytest
from django.urls import reverse

from partnerships.organisations.models import MemberRole
from partnerships.placements.models import ApplicationStatus
from partnerships.stories import services
from partnerships.stories.models import (
    OutcomeFigure,
    Story,
    StoryApproval,
    StoryQuote,
    StoryStatus,
    TestimonialRequest,
)
from tests.events.conftest import EventFactory
from tests.factories import MembershipFactory
from tests.placements.conftest import ApplicationFactory, PlacementFactory

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "student", "other_owner", "lecturer", "studio_owner", "platform_admin"]


def person(request, name):
    return None if name == "anonymous" else request.getfixturevalue(name)


def as_(client, user):
    if user is not None:
        client.force_login(user)
    return client


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and response.url.startswith(reverse("account_login"))


# --- Nominate ---------------------------------------------------------------------------------


def test_nominate_page_prefills_the_title(client, lecturer, partnership):
    url = reverse("stories:nominate", args=["partnership", partnership.pk])
    page = as_(client, lecturer).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="Northbridge × Pixel Forge"' in html
    assert 'for="id_reason"' in html and "Why it is a story" in html


def test_side_member_nominates_and_lands_on_the_story(client, lecturer, partnership):
    url = reverse("stories:nominate", args=["partnership", partnership.pk])
    response = as_(client, lecturer).post(
        url, {"title": "Games that teach", "reason": "Students shipped a real game."}
    )
    story = Story.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("stories:detail", args=[story.slug])
    assert (story.nominated_by, story.partnership, story.status) == (
        lecturer,
        partnership,
        StoryStatus.NOMINATED,
    )
    assert story.nomination_reason == "Students shipped a real game."


def test_nominator_outside_the_sides_gets_the_thank_you_page(client, student, studio):
    placement = PlacementFactory(organisation=studio)
    url = reverse("stories:nominate", args=["placement", placement.pk])
    response = as_(client, student).post(url, {"title": "Great intern", "reason": "It was."})
    assert response.status_code == 302
    assert response.url == reverse("stories:nominate_thanks")
    page = client.get(response.url)
    assert page.status_code == 200
    assert "curators will look at it" in page.content.decode()
    assert Story.objects.get().nominated_by == student


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_nominate_a_partnership(request, client, persona, partnership):
    user = person(request, persona)
    url = reverse("stories:nominate", args=["partnership", partnership.pk])
    data = {"title": "Nominated", "reason": "Because."}
    get, post = as_(client, user).get(url), client.post(url, data)
    if persona == "anonymous":
        assert is_login_redirect(get) and is_login_redirect(post)
        assert not Story.objects.exists()
    elif persona in ("student", "other_owner"):  # a partnership is private to its sides
        assert get.status_code == post.status_code == 404
        assert not Story.objects.exists()
    else:
        assert get.status_code == 200 and post.status_code == 302
        assert Story.objects.count() == 1


def test_each_kind_of_collaboration_can_be_nominated(client, studio_owner, studio, completed_call):
    event = EventFactory(organisation=studio)
    placement = PlacementFactory(organisation=studio)
    as_(client, studio_owner)
    for kind, target in (("project", completed_call), ("placement", placement), ("event", event)):
        url = reverse("stories:nominate", args=[kind, target.pk])
        assert client.get(url).status_code == 200
        assert client.post(url, {"title": f"A {kind}", "reason": "Yes."}).status_code == 302
    assert set(Story.objects.values_list("title", flat=True)) == {
        "A project",
        "A placement",
        "A event",
    }


def test_unknown_kind_or_missing_collaboration_is_404(client, lecturer, partnership):
    as_(client, lecturer)
    assert client.get(reverse("stories:nominate", args=["studio", 1])).status_code == 404
    assert client.get(reverse("stories:nominate", args=["partnership", 999999])).status_code == 404


def test_draft_event_of_another_studio_is_not_nominatable(client, other_owner, studio):
    draft = EventFactory(organisation=studio, status="draft")
    url = reverse("stories:nominate", args=["event", draft.pk])
    assert as_(client, other_owner).post(url, {"title": "x", "reason": "y"}).status_code == 404
    assert not Story.objects.exists()


def test_nomination_form_errors_are_specific(client, lecturer, partnership):
    url = reverse("stories:nominate", args=["partnership", partnership.pk])
    response = as_(client, lecturer).post(url, {"title": "   ", "reason": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert (
        'id="id_title_error"' in html
        and 'aria-describedby="id_title_helptext id_title_error"' in (html)
    )
    assert 'id="id_reason_error"' in html
    response = client.post(url, {"title": "x" * 161, "reason": "Because."})
    assert response.status_code == 400
    assert "at most 160 characters" in response.content.decode()
    assert not Story.objects.exists()


def test_nominate_link_on_collaboration_pages(
    client, lecturer, partnership, studio, completed_call
):
    placement = PlacementFactory(organisation=studio)
    event = EventFactory(organisation=studio)
    pages = {
        "partnership": (partnership.get_absolute_url(), partnership.pk),
        "project": (completed_call.get_absolute_url(), completed_call.pk),
        "placement": (placement.get_absolute_url(), placement.pk),
        "event": (event.get_absolute_url(), event.pk),
    }
    as_(client, lecturer)
    for kind, (url, pk) in pages.items():
        html = client.get(url).content.decode()
        assert reverse("stories:nominate", args=[kind, pk]) in html, kind
    client.logout()
    html = client.get(placement.get_absolute_url()).content.decode()
    assert "/stories/nominate/" not in html


def test_pages_for_signed_in_people_send_visitors_to_log_in(client):
    for name in ("stories:nominate_thanks", "stories:testimonials", "stories:review_list"):
        assert is_login_redirect(client.get(reverse(name))), name


# --- Reserved slugs ---------------------------------------------------------------------------


def test_story_slugs_never_take_a_management_path(partnership, lecturer, platform_admin):
    for word in ("curate", "nominate", "testimonials", "review", "quotes", "feed"):
        story = services.nominate(actor=lecturer, collaboration=partnership, title=word)
        assert story.slug == f"{word}-2"
        with pytest.raises(services.DomainError) as error:
            services.edit_story(actor=platform_admin, story=story, slug=word)
        assert error.value.field == "slug"
    assert {"curate", "feed.atom", "feed"} <= services.RESERVED_SLUGS


# --- Testimonials -----------------------------------------------------------------------------


@pytest.fixture
def prompted(completed_call):
    """The completion prompt ran: Pixel Forge and Northbridge are each asked."""
    return services.request_testimonials_for_completion(completed_call)


@pytest.fixture
def university_request(prompted, university):
    return TestimonialRequest.objects.get(story=prompted, organisation=university)


def answer(**overrides):
    data = {
        "text": "Our students learnt more in six weeks than in a term.",
        "person_role": "Programme lead",
        "hires": "2",
        "funding": "15000",
        "revenue": "",
        "audience": "1200",
        "students_involved": "18",
        "consent": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_testimonial_page_explains_and_labels_everything(client, lecturer, university_request):
    url = reverse("stories:testimonial", args=[university_request.token])
    page = as_(client, lecturer).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert university_request.opportunity.title in html
    assert "I agree that Tandem may publish my words with my name and role" in html
    for name in ("text", "person_role", "hires", "funding", "revenue", "audience"):
        assert f'for="id_{name}"' in html, name
    assert 'type="number"' in html and 'min="0"' in html
    assert "In pounds (£)" in html
    assert "<script" not in html.split("</head>")[1] and 'style="' not in html


def test_side_member_answers_and_sees_what_was_sent(client, lecturer, university_request):
    url = reverse("stories:testimonial", args=[university_request.token])
    response = as_(client, lecturer).post(url, answer())
    assert response.status_code == 302 and response.url == url
    university_request.refresh_from_db()
    assert university_request.is_submitted
    assert university_request.submitted_by == lecturer
    assert university_request.figures == {
        "hires": "2.00",
        "funding": "15000.00",
        "audience": "1200.00",
        "students_involved": "18.00",
    }
    quote = StoryQuote.objects.get(story=university_request.story)
    assert quote.has_consent and quote.user == lecturer
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "What was sent" in html and "six weeks" in html and "£15000.00" in html
    assert "<textarea" not in html


def test_submitting_twice_says_so_and_changes_nothing(client, lecturer, university_request):
    url = reverse("stories:testimonial", args=[university_request.token])
    as_(client, lecturer).post(url, answer())
    again = client.post(url, answer(text="Something else entirely", hires="9"))
    assert again.status_code == 409
    assert "already been submitted" in again.content.decode()
    university_request.refresh_from_db()
    assert university_request.figures["hires"] == "2.00"
    assert StoryQuote.objects.count() == 1
    assert OutcomeFigure.objects.filter(metric="hires").count() == 1


def test_a_colleague_answering_meanwhile_is_shown_not_overwritten(
    client, lecturer, university, university_request
):
    colleague = MembershipFactory(organisation=university, role=MemberRole.MEMBER).user
    url = reverse("stories:testimonial", args=[university_request.token])
    as_(client, colleague).get(url)  # the colleague has the form open …
    services.submit_testimonial(
        actor=lecturer, request=university_request, text="First.", consent_to_publish=False
    )
    late = client.post(url, answer())  # … and sends it after Lena did
    assert late.status_code == 409
    assert "First." in late.content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"hires": "-1"}, "hires", "Figures cannot be negative"),
        ({"funding": "lots"}, "funding", "Enter an amount in pounds"),
        ({"audience": "1.5"}, "audience", "Enter a whole number"),
        ({"text": "", "hires": "", "funding": "", "audience": "", "students_involved": ""},
         "text", "Write a testimonial or give at least one figure"),
        ({"text": "x" * 2001}, "text", "at most 2000 characters"),
    ],
)  # fmt: skip
def test_testimonial_errors_are_linked_to_their_fields(
    client, lecturer, university_request, data, field, message
):
    url = reverse("stories:testimonial", args=[university_request.token])
    response = as_(client, lecturer).post(url, answer(**data))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'id="id_{field}_error"' in html
    assert re.search(
        rf'id="id_{field}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="id_{field}"', html
    )
    assert f'href="#id_{field}"' in html  # the summary links to the field
    university_request.refresh_from_db()
    assert not university_request.is_submitted


@pytest.mark.parametrize("persona", ["student", "other_owner", "platform_admin", "studio_owner"])
def test_testimonial_page_is_hidden_from_everyone_but_the_side_asked(
    request, client, persona, university_request
):
    user = person(request, persona)
    url = reverse("stories:testimonial", args=[university_request.token])
    as_(client, user)
    assert client.get(url).status_code == 404
    assert client.post(url, answer()).status_code == 404
    university_request.refresh_from_db()
    assert not university_request.is_submitted


def test_testimonial_page_needs_sign_in(client, university_request):
    url = reverse("stories:testimonial", args=[university_request.token])
    assert is_login_redirect(client.get(url))
    assert is_login_redirect(client.post(url, answer()))
    assert client.get(reverse("stories:testimonial", args=["0" * 32])).status_code == 302


def test_unknown_token_is_404(client, lecturer):
    as_(client, lecturer)
    assert client.get(reverse("stories:testimonial", args=["f" * 32])).status_code == 404


def test_a_published_story_takes_no_more_testimonials(
    client, lecturer, university_request, platform_admin
):
    Story.objects.filter(pk=university_request.story_id).update(status=StoryStatus.ARCHIVED)
    url = reverse("stories:testimonial", args=[university_request.token])
    page = as_(client, lecturer).get(url)
    assert page.status_code == 200 and "no longer being prepared" in page.content.decode()
    assert client.post(url, answer()).status_code == 409
    university_request.refresh_from_db()
    assert not university_request.is_submitted


def test_a_completed_placement_asks_the_studio_and_the_university(
    client, studio, studio_owner, student, university, lecturer
):
    placement = PlacementFactory(organisation=studio, created_by=studio_owner)
    application = ApplicationFactory(
        placement=placement,
        student=student,
        institution=university,
        status=ApplicationStatus.COMPLETED,
    )
    story = services.request_testimonials_for_completion(application)
    for member, org in ((studio_owner, studio), (lecturer, university)):
        request_ = TestimonialRequest.objects.get(story=story, organisation=org)
        url = reverse("stories:testimonial", args=[request_.token])
        page = as_(client, member).get(url)
        assert page.status_code == 200
        assert f"How did the placement “{placement.title}” go?" in page.content.decode()
        assert client.post(url, answer(text="", consent=None)).status_code == 302
        assert client.post(url, answer()).status_code == 409
    assert TestimonialRequest.objects.filter(story=story, submitted_at__isnull=False).count() == 2
    assert not StoryQuote.objects.exists()  # figures only: nothing to quote
    assert OutcomeFigure.objects.filter(story=story, metric="hires").count() == 2
    assert as_(client, student).get(url).status_code == 404  # the student is not a side


def test_my_testimonial_requests(client, lecturer, studio_owner, other_owner, university_request):
    page = as_(client, lecturer).get(reverse("stories:testimonials"))
    html = page.content.decode()
    assert page.status_code == 200
    assert reverse("stories:testimonial", args=[university_request.token]) in html
    studio_token = TestimonialRequest.objects.exclude(pk=university_request.pk).get().token
    assert studio_token not in html  # Pixel Forge's request is Oscar's to answer
    client.force_login(other_owner)
    html = client.get(reverse("stories:testimonials")).content.decode()
    assert "Nothing to answer." in html and university_request.token not in html
    client.logout()
    assert is_login_redirect(client.get(reverse("stories:testimonials")))


# --- Review and approval ----------------------------------------------------------------------


def test_sides_read_the_story_as_it_stands(client, lecturer, in_review, platform_admin):
    services.add_figure(
        actor=platform_admin, story=in_review, metric="hires", value="3", note="Juniors"
    )
    page = as_(client, lecturer).get(reverse("stories:review", args=[in_review.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert in_review.title in html and "Students and a studio shipped a game." in html
    assert "<strong>worked</strong>" in html  # the body, rendered
    assert "Hires made" in html and "Juniors" in html
    assert "Pixel Forge" in html and "Not yet" in html
    assert "Approve for Northbridge University" in html


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_read_and_approve(request, client, persona, in_review):
    user = person(request, persona)
    url = reverse("stories:review", args=[in_review.pk])
    as_(client, user)
    get = client.get(url)
    post = client.post(url, {})
    if persona == "anonymous":
        assert is_login_redirect(get) and is_login_redirect(post)
    elif persona in ("student", "other_owner"):
        assert get.status_code == post.status_code == 404
    elif persona == "platform_admin":  # reads it, but approval is for the organisations
        assert get.status_code == 200 and post.status_code == 403
    else:
        assert get.status_code == 200
        assert post.status_code == 302
    expected = {"lecturer": 1, "studio_owner": 1}.get(persona, 0)
    assert StoryApproval.objects.filter(story=in_review).count() == expected


def test_approving_twice_is_told_kindly(client, lecturer, in_review, university):
    url = reverse("stories:review", args=[in_review.pk])
    as_(client, lecturer)
    client.post(url, {"organisation": university.pk})
    again = client.post(url, {"organisation": university.pk}, follow=True)
    assert "already approved" in again.content.decode()
    assert StoryApproval.objects.filter(story=in_review).count() == 1


def test_member_of_both_sides_chooses_the_organisation(
    client, lecturer, in_review, studio, university
):
    MembershipFactory(organisation=studio, user=lecturer, role=MemberRole.MEMBER)
    url = reverse("stories:review", args=[in_review.pk])
    html = as_(client, lecturer).get(url).content.decode()
    assert 'type="radio"' in html and "Approve for" in html
    response = client.post(url, {})
    assert response.status_code == 400
    assert StoryApproval.objects.count() == 0
    client.post(url, {"organisation": studio.pk})
    assert list(StoryApproval.objects.values_list("organisation", flat=True)) == [studio.pk]
    client.post(url, {"organisation": university.pk})
    assert StoryApproval.objects.count() == 2


def test_approving_outside_review_is_refused(client, lecturer, nominated, university):
    url = reverse("stories:review", args=[nominated.pk])
    response = as_(client, lecturer).post(url, {"organisation": university.pk})
    assert response.status_code == 409
    assert "Only a story in review can be approved." in response.content.decode()
    assert not StoryApproval.objects.exists()


def test_choosing_someone_elses_organisation_is_refused(
    client, lecturer, in_review, studio, other_studio
):
    url = reverse("stories:review", args=[in_review.pk])
    for org in (studio, other_studio):
        assert as_(client, lecturer).post(url, {"organisation": org.pk}).status_code == 400
    assert not StoryApproval.objects.exists()


def test_stories_to_approve_list(client, lecturer, other_owner, in_review):
    page = as_(client, lecturer).get(reverse("stories:review_list"))
    assert page.status_code == 200
    assert reverse("stories:review", args=[in_review.pk]) in page.content.decode()
    client.force_login(other_owner)
    html = client.get(reverse("stories:review_list")).content.decode()
    assert "Nothing to approve." in html and in_review.title not in html


# --- Consent to a quote -----------------------------------------------------------------------


@pytest.fixture
def mias_quote(nominated, platform_admin, studio_member):
    story = services.accept_nomination(actor=platform_admin, story=nominated)
    return services.add_quote(
        actor=platform_admin,
        story=story,
        text="Best six weeks of the year.",
        person_name="Mia",
        user=studio_member,
    )


@pytest.mark.parametrize("persona", [*PERSONAS, "studio_member"])
def test_only_the_person_quoted_consents(request, client, persona, mias_quote):
    user = person(request, persona)
    url = reverse("stories:quote_consent", args=[mias_quote.pk])
    as_(client, user)
    get, post = client.get(url), client.post(url, {"action": "give"})
    mias_quote.refresh_from_db()
    if persona == "anonymous":
        assert is_login_redirect(get) and is_login_redirect(post)
    elif persona in ("student", "other_owner"):
        assert get.status_code == post.status_code == 404
    elif persona in ("lecturer", "studio_owner", "platform_admin"):  # they see the story
        assert get.status_code == post.status_code == 403
    else:
        assert get.status_code == 200 and "May we quote you?" in get.content.decode()
        assert post.status_code == 302
    assert mias_quote.has_consent is (persona == "studio_member")


def test_giving_and_withdrawing_consent(client, studio_member, mias_quote):
    url = reverse("stories:quote_consent", args=[mias_quote.pk])
    as_(client, studio_member)
    client.post(url, {"action": "give"})
    twice = client.post(url, {"action": "give"}, follow=True)
    assert "already given" in twice.content.decode()
    mias_quote.refresh_from_db()
    assert mias_quote.consent_by == studio_member
    client.post(url, {"action": "withdraw"})
    mias_quote.refresh_from_db()
    assert not mias_quote.has_consent
    assert client.post(url, {"action": "shout"}).status_code == 400


def test_curator_records_consent_for_someone_without_an_account(client, platform_admin, nominated):
    quote = services.add_quote(
        actor=platform_admin, story=nominated, text="Wonderful.", person_name="A. Visitor"
    )
    url = reverse("stories:quote_consent", args=[quote.pk])
    page = as_(client, platform_admin).get(url)
    assert page.status_code == 200 and "Record their consent" in page.content.decode()
    response = client.post(url, {"action": "give"})
    assert response.url == reverse("stories:curate_story", args=[nominated.pk]) + "#quotes"
    quote.refresh_from_db()
    assert quote.has_consent and quote.consent_by == platform_admin


# --- Dashboard panel --------------------------------------------------------------------------


def test_dashboard_shows_what_i_am_asked_to_do(
    client, lecturer, studio_member, university_request, platform_admin, completed_call
):
    story = services.nominate(actor=lecturer, collaboration=completed_call, title="Ours")
    story = services.accept_nomination(actor=platform_admin, story=story)
    services.add_quote(
        actor=platform_admin, story=story, text="Great.", person_name="Mia", user=studio_member
    )
    services.send_for_review(actor=platform_admin, story=story)
    html = as_(client, lecturer).get(reverse("dashboard")).content.decode()
    assert reverse("stories:testimonial", args=[university_request.token]) in html
    assert reverse("stories:review", args=[story.pk]) in html
    html = as_(client, studio_member).get(reverse("dashboard")).content.decode()
    quote = StoryQuote.objects.get(user=studio_member)
    assert reverse("stories:quote_consent", args=[quote.pk]) in html


def test_dashboard_panel_is_absent_when_nothing_is_asked(client, other_owner, student, nominated):
    for user in (other_owner, student):
        html = as_(client, user).get(reverse("dashboard")).content.decode()
        assert "stories-panel-title" not in html


def test_admin_dashboard_counts_the_curation_queue(
    client, platform_admin, in_review, partnership, studio_owner
):
    services.nominate(actor=studio_owner, collaboration=partnership, title="Another one")
    html = as_(client, platform_admin).get(reverse("dashboard")).content.decode()
    assert reverse("stories:curate") in html
    assert "2</span> stories are waiting in the curation queue" in html
