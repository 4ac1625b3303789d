import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import Profile, Role, User
from partnerships.core.management.commands.seed_demo import (
    LOGINS,
    ORGANISATIONS,
    PASSWORD,
    PEOPLE,
    STUDENTS,
)
from partnerships.core.models import Sector, Skill
from partnerships.organisations.models import (
    Invitation,
    JoinRequest,
    JoinRequestStatus,
    Kind,
    MemberRole,
    Membership,
    Organisation,
    Status,
)

pytestmark = pytest.mark.django_db

DEMO_EMAILS = [p[0] for p in PEOPLE] + [s[0] for s in STUDENTS]


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            User,
            Profile,
            EmailAddress,
            Organisation,
            Membership,
            JoinRequest,
            Invitation,
        )
    }


@pytest.fixture
def seeded(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    return capsys.readouterr().out


def test_seed_demo_creates_organisations_people_and_requests(seeded):
    institutions = Organisation.objects.filter(kind=Kind.INSTITUTION, status=Status.VERIFIED)
    assert set(institutions.values_list("category", flat=True)) == {
        "university",
        "art_school",
        "college",
    }
    industry = Organisation.objects.filter(kind=Kind.INDUSTRY, status=Status.VERIFIED)
    assert industry.count() >= 4
    assert all(o.description and o.location and o.size_band for o in industry)
    assert all(o.sectors.exists() for o in Organisation.objects.all())
    assert list(Organisation.objects.filter(status=Status.PENDING).values_list("slug", flat=True))
    # Staff with every membership role, on both sides.
    uni_roles = set(
        Membership.objects.filter(organisation__kind=Kind.INSTITUTION).values_list(
            "role", flat=True
        )
    )
    assert uni_roles == set(MemberRole.values)
    assert (
        Membership.objects.filter(
            organisation__kind=Kind.INDUSTRY, user__role=Role.INDUSTRY
        ).count()
        >= 5
    )

    students = Profile.objects.filter(user__role=Role.STUDENT)
    assert students.count() >= 8
    for profile in students:
        assert profile.institution.kind == Kind.INSTITUTION
        assert profile.course and profile.level and profile.expected_graduation
        assert profile.skills.exists() and profile.sectors.exists()
    assert students.filter(discoverable=True).exists()
    assert students.filter(discoverable=False).exists()

    admin = User.objects.get(role=Role.ADMIN)
    assert admin.is_staff and admin.is_superuser

    assert JoinRequest.objects.filter(status=JoinRequestStatus.PENDING).count() == 1
    assert [i.is_open for i in Invitation.objects.all()] == [True]

    assert set(User.objects.values_list("email", flat=True)) == set(DEMO_EMAILS)
    for user in User.objects.all():
        assert EmailAddress.objects.filter(
            user=user, email=user.email, verified=True, primary=True
        ).exists()

    for _role, email, _hint in LOGINS:
        assert email in seeded
    assert PASSWORD in seeded
    assert "Password" in seeded and "What to try" in seeded


def test_second_run_creates_nothing_new(seeded, capsys):
    first = counts()
    call_command("seed_demo")
    assert counts() == first
    assert "nothing new" in capsys.readouterr().out


def test_every_demo_user_can_log_in(seeded, client):
    for email in DEMO_EMAILS:
        response = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
        assert response.status_code == 302, email
        assert response["Location"] == reverse("dashboard"), email
        assert client.session["_auth_user_id"] == str(User.objects.get(email=email).pk)
        client.logout()


def test_refuses_without_debug_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("seed_demo")
    assert not User.objects.exists()

    call_command("seed_demo", "--force", "--password", "another-secret-42")
    assert User.objects.count() == len(DEMO_EMAILS)
    assert User.objects.get(email="admin@tandem.example").check_password("another-secret-42")


def test_demo_data_only_names_skills_and_sectors_that_exist():
    skills = set(Skill.objects.values_list("slug", flat=True))
    sectors = set(Sector.objects.values_list("slug", flat=True))
    for student in STUDENTS:
        assert set(student[7]) <= skills, student[0]
        assert set(student[8]) <= sectors, student[0]
    for organisation in ORGANISATIONS:
        assert set(organisation[6]) <= sectors, organisation[0]


def test_demo_has_a_published_story_a_nomination_and_funding(seeded, client):
    from django.utils.html import escape

    from partnerships.stories.models import Story, StoryStatus

    published = Story.objects.get(status=StoryStatus.PUBLISHED)
    assert published.featured and published.images.count() == 1
    assert published.quotes.filter(consent_given_at__isnull=False).count() == 1
    assert Story.objects.filter(status=StoryStatus.NOMINATED).count() == 1
    assert published.partnership.funding_amount == 6000
    showcase = client.get(reverse("stories:showcase"))
    assert escape(published.title) in showcase.content.decode()
    page = client.get(reverse("stories:detail", args=[published.slug]))
    assert page.status_code == 200
