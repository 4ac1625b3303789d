"""Load realistic demo data: institutions, studios, staff, students, a pending organisation.

Idempotent (running it again creates nothing new) and refuses to run with DEBUG off unless
``--force`` is given, so it never pollutes a production database by accident.
"""

from datetime import date, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import Role, User
from partnerships.core.models import Sector, Skill
from partnerships.organisations import services as org_services
from partnerships.organisations.models import Invitation, JoinRequest, Membership, Organisation

PASSWORD = "tandem-demo-2026"  # noqa: S105 - documented demo password, DEBUG only

ORGANISATIONS = [
    # slug, kind, category, name, location, size, sectors, description
    ("northbridge", "institution", "university", "Northbridge University", "Manchester",
     "250+", ["design", "it-software-games", "film-tv-radio-photography"],
     "A civic university with a **School of Digital Arts** (games, animation, interaction "
     "design) and a knowledge-exchange office that brokers live briefs every term."),
    ("harbourside", "institution", "art_school", "Harbourside School of Art", "Bristol",
     "50-249", ["design", "crafts", "music-performing-visual-arts"],
     "An independent art school known for graphic communication, illustration and making. "
     "Every undergraduate works on at least one live brief with a local studio."),
    ("kelvin-vale", "institution", "college", "Kelvin Vale College", "Glasgow",
     "250+", ["film-tv-radio-photography", "music-performing-visual-arts"],
     "A further- and higher-education college with strong broadcast, sound and stage courses."),
    ("pixel-forge", "industry", "studio", "Pixel Forge Games", "Manchester",
     "10-49", ["it-software-games"],
     "An independent games studio making narrative adventures in Unity. We host two interns a "
     "year and love guest-lecturing."),
    ("brightline", "industry", "agency", "Brightline Design Agency", "Bristol",
     "10-49", ["design", "advertising-marketing"],
     "Brand identity and digital design for cultural clients. We run a yearly student "
     "challenge with Harbourside."),
    ("clyde-museum", "industry", "cultural_organisation", "Clyde Maritime Museum", "Glasgow",
     "50-249", ["museums-galleries-libraries"],
     "A museum of ships and the people who built them, with a busy learning and digitisation "
     "programme."),
    ("lumen-vfx", "industry", "creative_business", "Lumen VFX", "London",
     "50-249", ["film-tv-radio-photography"],
     "Visual effects and virtual production for film and high-end TV."),
]  # fmt: skip

PENDING = ("fable-collective", "industry", "freelancer_collective", "Fable Illustration Collective",
           "Leeds", "1-9", ["design", "publishing"],
           "Twelve freelance illustrators sharing a studio and a client list.")  # fmt: skip

PEOPLE = [
    # email, role, name, headline, [(org slug, membership role)]
    ("admin@tandem.example", Role.ADMIN, "Ada Admin", "Platform admin", []),
    ("lena.okafor@northbridge.example", Role.UNIVERSITY, "Dr Lena Okafor",
     "Knowledge-exchange lead, School of Digital Arts", [("northbridge", "owner")]),
    ("tom.hughes@northbridge.example", Role.UNIVERSITY, "Tom Hughes",
     "Senior lecturer in games design", [("northbridge", "member")]),
    ("rosa.jones@harbourside.example", Role.UNIVERSITY, "Rosa Jones",
     "Head of graphic communication", [("harbourside", "owner")]),
    ("fiona.reid@kelvinvale.example", Role.UNIVERSITY, "Fiona Reid",
     "Curriculum manager, creative industries", [("kelvin-vale", "owner")]),
    ("oscar.pike@pixelforge.example", Role.INDUSTRY, "Oscar Pike",
     "Studio director", [("pixel-forge", "owner")]),
    ("mia.chen@pixelforge.example", Role.INDUSTRY, "Mia Chen",
     "Lead technical artist", [("pixel-forge", "admin")]),
    ("sara.ali@brightline.example", Role.INDUSTRY, "Sara Ali",
     "Creative director", [("brightline", "owner")]),
    ("jon.mackay@clydemuseum.example", Role.INDUSTRY, "Jon MacKay",
     "Head of learning", [("clyde-museum", "owner")]),
    ("priya.shah@lumenvfx.example", Role.INDUSTRY, "Priya Shah",
     "Head of talent", [("lumen-vfx", "owner")]),
    ("ivy.okoro@fable.example", Role.INDUSTRY, "Ivy Okoro",
     "Illustrator", [("fable-collective", "owner")]),
    ("dan.webb@freelance.example", Role.INDUSTRY, "Dan Webb",
     "Freelance sound designer", []),
]  # fmt: skip

STUDENTS = [
    # email, name, institution, course, level, graduation year, discoverable, skills, sectors
    ("sam.taylor@student.northbridge.example", "Sam Taylor", "northbridge", "BSc Games Design",
     "undergraduate", 2027, True, ["unity", "c-sharp", "level-design", "blender"],
     ["it-software-games"]),
    ("amira.hassan@student.northbridge.example", "Amira Hassan", "northbridge",
     "BA Animation", "undergraduate", 2027, True,
     ["2d-animation", "toon-boom-harmony", "storyboarding", "character-animation"],
     ["film-tv-radio-photography"]),
    ("leo.martin@student.northbridge.example", "Leo Martin", "northbridge",
     "MA Interaction Design", "postgraduate", 2026, False,
     ["figma", "ux-research", "creative-coding", "p5-js"], ["design", "it-software-games"]),
    ("chloe.evans@student.harbourside.example", "Chloe Evans", "harbourside",
     "BA Graphic Communication", "undergraduate", 2028, True,
     ["typography", "brand-identity", "adobe-indesign", "screen-printing"],
     ["design", "advertising-marketing"]),
    ("noah.brown@student.harbourside.example", "Noah Brown", "harbourside",
     "BA Illustration", "undergraduate", 2027, False,
     ["illustration", "procreate", "printmaking"], ["design", "publishing"]),
    ("ella.wright@student.harbourside.example", "Ella Wright", "harbourside",
     "Foundation Diploma in Art and Design", "foundation", 2026, True,
     ["drawing", "ceramics", "textile-design"], ["crafts"]),
    ("kai.robertson@student.kelvinvale.example", "Kai Robertson", "kelvin-vale",
     "HND Sound Production", "undergraduate", 2026, True,
     ["sound-design", "pro-tools", "location-sound", "mixing"],
     ["film-tv-radio-photography", "music-performing-visual-arts"]),
    ("isla.campbell@student.kelvinvale.example", "Isla Campbell", "kelvin-vale",
     "PhD in Digital Heritage", "doctoral", 2028, True,
     ["digitisation", "photogrammetry", "collections-management"],
     ["museums-galleries-libraries"]),
]  # fmt: skip


class Command(BaseCommand):
    help = "Load demo institutions, studios, staff and students (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Run even when DEBUG is off (never in production)."
        )
        parser.add_argument("--password", default=PASSWORD, help="Password for every demo account.")

    def handle(self, *args, force: bool = False, password: str = PASSWORD, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo loads demo accounts with a shared password; it refuses to run with "
                "DEBUG off. Use --force only on a throw-away database."
            )
        # Demo data should not send real email, whatever EMAIL_URL says.
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
            transaction.atomic(),
        ):
            created = self.seed(password)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({created} new objects)."))
        self.print_logins(password)

    # -- seeding -----------------------------------------------------------------------------

    def user(self, email: str, role: str, name: str, password: str, headline: str = ""):
        user, created = User.objects.get_or_create(email=email, defaults={"role": role})
        if created:
            user.set_password(password)
            if role == Role.ADMIN:
                user.is_staff = user.is_superuser = True
            user.save()
            profile = user.profile
            profile.display_name = name
            profile.headline = headline
            profile.save()
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        return user, created

    def seed(self, password: str) -> int:
        created = 0
        people = {}
        for email, role, name, headline, _memberships in PEOPLE:
            people[email], new = self.user(email, role, name, password, headline)
            created += new
        admin = people["admin@tandem.example"]
        owners = {
            slug: people[email]
            for email, _r, _n, _h, memberships in PEOPLE
            for slug, member_role in memberships
            if member_role == "owner"
        }
        sectors = {s.slug: s for s in Sector.objects.all()}
        organisations = {}
        for slug, kind, category, name, location, size, sector_slugs, description in [
            *ORGANISATIONS,
            PENDING,
        ]:
            organisation = Organisation.objects.filter(slug=slug).first()
            if organisation is None:
                organisation = org_services.organisation_create(
                    actor=owners[slug], kind=kind, category=category, name=name, slug=slug,
                    location=location, size_band=size, description=description,
                    website=f"https://{slug}.example",
                    sectors=[sectors[s] for s in sector_slugs if s in sectors],
                )  # fmt: skip
                created += 1
                if slug != PENDING[0]:
                    organisation = org_services.organisation_verify(
                        actor=admin, organisation=organisation
                    )
            organisations[slug] = organisation
        for email, _role, _name, _headline, memberships in PEOPLE:
            for slug, member_role in memberships:
                _, new = Membership.objects.get_or_create(
                    organisation=organisations[slug],
                    user=people[email],
                    defaults={"role": member_role},
                )
                created += new
        skills = {s.slug: s for s in Skill.objects.all()}
        for (
            email,
            name,
            institution,
            course,
            level,
            year,
            discoverable,
            skill_slugs,
            sector_slugs,
        ) in STUDENTS:
            student, new = self.user(email, Role.STUDENT, name, password, course)
            created += new
            if new:
                profile = student.profile
                profile.institution = organisations[institution]
                profile.course = course
                profile.level = level
                profile.expected_graduation = date(year, 6, 30)
                profile.discoverable = discoverable
                profile.location = organisations[institution].location
                profile.bio = f"{course} student at {organisations[institution].name}."
                profile.save()
                profile.skills.set([skills[s] for s in skill_slugs if s in skills])
                profile.sectors.set([sectors[s] for s in sector_slugs if s in sectors])
        dan = people["dan.webb@freelance.example"]
        if not JoinRequest.objects.filter(user=dan).exists():
            org_services.join_request_create(
                user=dan,
                organisation=organisations["lumen-vfx"],
                message="I have mixed sound for three of your shorts; I'd like to join the team.",
            )
            created += 1
        if not Invitation.objects.filter(email="new.lecturer@harbourside.example").exists():
            invitation = org_services.invitation_create(
                actor=people["rosa.jones@harbourside.example"],
                organisation=organisations["harbourside"],
                email="new.lecturer@harbourside.example",
            )
            invitation.expires_at = timezone.now() + timedelta(days=14)
            invitation.save(update_fields=["expires_at"])
            created += 1
        return created

    def print_logins(self, password: str) -> None:
        rows = [
            ("Platform admin", "admin@tandem.example", "verify Fable Illustration Collective"),
            ("University staff", "lena.okafor@northbridge.example", "run Northbridge University"),
            ("University staff", "rosa.jones@harbourside.example", "an open invitation is out"),
            ("Industry member", "oscar.pike@pixelforge.example", "run Pixel Forge Games"),
            ("Industry member", "priya.shah@lumenvfx.example", "answer Dan's join request"),
            ("Industry member", "ivy.okoro@fable.example", "owner of a pending organisation"),
            ("Student", "sam.taylor@student.northbridge.example", "games design student"),
            ("Student", "chloe.evans@student.harbourside.example", "graphic design student"),
        ]
        self.stdout.write(
            f"\nLog in at {settings.SITE_URL}/accounts/login/ — password: {password}\n"
        )
        width = max(len(email) for _, email, _ in rows)
        for role, email, hint in rows:
            self.stdout.write(f"  {role:<17} {email:<{width}}  {hint}")
        self.stdout.write("")
