"""Load realistic demo data: institutions, studios, staff, students, a pending organisation.

Idempotent (running it again creates nothing new) and refuses to run with DEBUG off unless
``--force`` is given, so it never pollutes a production database by accident. Every demo account
logs in straight away (verified primary email) with the password ``tandem-demo-2026``.
"""

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.models import Role, User
from accounts.services import profile_update, user_complete_signup
from events import services as events
from events.models import Event, Registration
from partnerships.celery import app as celery_app
from partnerships.core.models import Sector, Skill
from partnerships.matching.services import refresh_skill_weights
from partnerships.organisations import services as org_services
from partnerships.organisations.models import Invitation, JoinRequest, Membership, Organisation
from partnerships.placements import services as placements
from partnerships.placements.models import Application, Placement
from partnerships.projects import services as projects
from partnerships.projects.models import Opportunity, Partnership, Proposal
from partnerships.stories import services as stories
from partnerships.stories.models import Metric, Story

# A one-page PDF, so the demo application has a CV that passes the content check.
DEMO_CV = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Count 1/Kids[3 0 R]>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
DEMO_QUESTION = "Link us to a project you are proud of and tell us your part in it."
PASSWORD = "tandem-demo-2026"  # noqa: S105 - documented demo password, DEBUG only
PENDING_SLUG = "fable-collective"
INVITED_EMAIL = "new.lecturer@harbourside.example"

ORGANISATIONS = [
    # slug, kind, category, name, location, size, sectors, description (Markdown)
    ("northbridge", "institution", "university", "Northbridge University", "Manchester",
     "250+", ["design", "it-software-games", "film-tv-radio-photography"],
     "A civic university with a **School of Digital Arts** (games, animation, interaction "
     "design) and a knowledge-exchange office that brokers live briefs every term.\n\n"
     "- BSc Games Design, BA Animation, MA Interaction Design\n"
     "- A 40-seat motion-capture and virtual-production lab open to partners"),
    ("harbourside", "institution", "art_school", "Harbourside School of Art", "Bristol",
     "50-249", ["design", "crafts", "music-performing-visual-arts"],
     "An independent art school known for **graphic communication**, illustration and making. "
     "Every undergraduate works on at least one live brief with a local studio."),
    ("kelvin-vale", "institution", "college", "Kelvin Vale College", "Glasgow",
     "250+", ["film-tv-radio-photography", "music-performing-visual-arts"],
     "A further- and higher-education college with strong broadcast, sound and stage courses, "
     "and a research partnership in *digital heritage*."),
    ("pixel-forge", "industry", "studio", "Pixel Forge Games", "Manchester",
     "10-49", ["it-software-games"],
     "An independent **games studio** making narrative adventures in Unity.\n\n"
     "We host two interns a year, run playtests with students and love guest-lecturing."),
    ("brightline", "industry", "agency", "Brightline Design Agency", "Bristol",
     "10-49", ["design", "advertising-marketing"],
     "Brand identity and digital design for cultural clients. We run a yearly student "
     "challenge with Harbourside — see [our work](https://brightline.example/work)."),
    ("clyde-museum", "industry", "cultural_organisation", "Clyde Maritime Museum", "Glasgow",
     "50-249", ["museums-galleries-libraries"],
     "A museum of ships and the people who built them, with a busy **learning** and "
     "**digitisation** programme and 40,000 objects waiting to be photographed."),
    ("lumen-vfx", "industry", "creative_business", "Lumen VFX", "London",
     "50-249", ["film-tv-radio-photography"],
     "Visual effects and virtual production for film and high-end TV.\n\n"
     "Compositing (Nuke), FX (Houdini) and an LED volume in Park Royal."),
    (PENDING_SLUG, "industry", "freelancer_collective", "Fable Illustration Collective",
     "Leeds", "1-9", ["design", "publishing"],
     "Twelve freelance illustrators sharing a studio and a client list: children's books, "
     "editorial and packaging."),
]  # fmt: skip

PEOPLE = [
    # email, role, name, headline, [(org slug, membership role)]
    ("admin@tandem.example", Role.ADMIN, "Ada Admin", "Platform admin", []),
    ("lena.okafor@northbridge.example", Role.UNIVERSITY, "Dr Lena Okafor",
     "Knowledge-exchange lead, School of Digital Arts", [("northbridge", "owner")]),
    ("amara.osei@northbridge.example", Role.UNIVERSITY, "Amara Osei",
     "Placements and partnerships manager", [("northbridge", "admin")]),
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
    ("ben.carter@brightline.example", Role.INDUSTRY, "Ben Carter",
     "Junior designer", [("brightline", "member")]),
    ("jon.mackay@clydemuseum.example", Role.INDUSTRY, "Jon MacKay",
     "Head of learning", [("clyde-museum", "owner")]),
    ("priya.shah@lumenvfx.example", Role.INDUSTRY, "Priya Shah",
     "Head of talent", [("lumen-vfx", "owner")]),
    ("ivy.okoro@fable.example", Role.INDUSTRY, "Ivy Okoro",
     "Illustrator", [(PENDING_SLUG, "owner")]),
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
    ("ruby.patel@student.northbridge.example", "Ruby Patel", "northbridge",
     "BA Film and Television Production", "undergraduate", 2028, True,
     ["cinematography", "davinci-resolve", "colour-grading", "compositing", "nuke"],
     ["film-tv-radio-photography"]),
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
    ("finn.murray@student.kelvinvale.example", "Finn Murray", "kelvin-vale",
     "HNC Technical Theatre", "undergraduate", 2026, False,
     ["stage-management", "lighting-design", "set-design"],
     ["music-performing-visual-arts"]),
]  # fmt: skip

LOGINS = [
    # role, email, what to try
    ("Platform admin", "admin@tandem.example",
     "verify Fable Illustration Collective; Django admin at /admin/"),
    ("University staff", "lena.okafor@northbridge.example",
     "owner of Northbridge University: invite colleagues"),
    ("University staff", "amara.osei@northbridge.example", "admin of Northbridge University"),
    ("University staff", "rosa.jones@harbourside.example",
     "Harbourside School of Art, with an invitation out"),
    ("Industry member", "oscar.pike@pixelforge.example", "owner of Pixel Forge Games"),
    ("Industry member", "priya.shah@lumenvfx.example",
     "answer Dan Webb's request to join Lumen VFX"),
    ("Industry member", "ivy.okoro@fable.example",
     "owner of an organisation awaiting verification"),
    ("Student", "sam.taylor@student.northbridge.example",
     "games design student; waitlisted for the Pixel Forge guest lecture"),
    ("Student", "chloe.evans@student.harbourside.example", "graphic communication student"),
]  # fmt: skip

COUNTED = {
    "users": User,
    "organisations": Organisation,
    "memberships": Membership,
    "join requests": JoinRequest,
    "invitations": Invitation,
    "calls": Opportunity,
    "proposals": Proposal,
    "partnerships": Partnership,
    "placements": Placement,
    "applications": Application,
    "events": Event,
    "event registrations": Registration,
    "stories": Story,
}


class Command(BaseCommand):
    help = (
        "Load demo institutions, studios, staff and students (idempotent). Every demo account "
        f"uses the password {PASSWORD!r}. Refuses to run with DEBUG off unless --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even when DEBUG is off (only ever on a throw-away database).",
        )
        parser.add_argument(
            "--password",
            default=PASSWORD,
            help=f"Password for demo accounts created by this run (default: {PASSWORD}). "
            "Accounts that already exist keep theirs.",
        )

    def handle(self, *args, force: bool = False, password: str = PASSWORD, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates demo accounts with a shared, published password, so it "
                "refuses to run with DEBUG off. Use --force only on a throw-away database."
            )
        before = {label: model.objects.count() for label, model in COUNTED.items()}
        # Demo data sends no email, whatever EMAIL_URL says: the services' emails run in-process
        # (eager Celery) against the dummy backend when the transaction commits.
        eager = celery_app.conf.task_always_eager
        celery_app.conf.task_always_eager = True
        try:
            with (
                override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
                transaction.atomic(),
            ):
                self.seed(password)
        finally:
            celery_app.conf.task_always_eager = eager
        created = {label: model.objects.count() - before[label] for label, model in COUNTED.items()}
        summary = ", ".join(f"{label} {n}" for label, n in created.items() if n)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready. Created: {summary}."
                if summary
                else "Demo data already present: nothing new created."
            )
        )
        self.print_logins(password)

    # -- seeding -----------------------------------------------------------------------------

    def user(self, email: str, role: str, name: str, password: str, headline: str = ""):
        """Get or create a demo account; returns ``(user, created)``."""
        user = User.objects.filter(email=email).first()
        created = user is None
        if created:
            if role == Role.ADMIN:
                user = User.objects.create_superuser(email, password)
                profile_update(actor=user, profile=user.profile, display_name=name)
            else:
                user = User.objects.create_user(email, password)
                user_complete_signup(user=user, role=role, display_name=name)
                user.refresh_from_db()
            profile_update(actor=user, profile=user.profile, headline=headline)
        # Verified and primary, so the account logs in without an email round-trip.
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        return user, created

    def seed(self, password: str) -> None:
        people = {
            email: self.user(email, role, name, password, headline)[0]
            for email, role, name, headline, _memberships in PEOPLE
        }
        admin = people["admin@tandem.example"]
        owners = {
            slug: people[email]
            for email, _role, _name, _headline, memberships in PEOPLE
            for slug, member_role in memberships
            if member_role == "owner"
        }
        sectors = {s.slug: s for s in Sector.objects.all()}
        organisations = {}
        for slug, kind, category, name, location, size, sector_slugs, description in ORGANISATIONS:
            organisation = Organisation.objects.filter(slug=slug).first()
            if organisation is None:
                organisation = org_services.organisation_create(
                    actor=owners[slug],
                    kind=kind,
                    category=category,
                    name=name,
                    slug=slug,
                    location=location,
                    size_band=size,
                    description=description,
                    website=f"https://{slug}.example",
                    sectors=[sectors[s] for s in sector_slugs if s in sectors],
                )
                if slug != PENDING_SLUG:
                    organisation = org_services.organisation_verify(
                        actor=admin, organisation=organisation
                    )
            organisations[slug] = organisation
        for email, _role, _name, _headline, memberships in PEOPLE:
            for slug, member_role in memberships:
                Membership.objects.get_or_create(
                    organisation=organisations[slug],
                    user=people[email],
                    defaults={"role": member_role},
                )

        skills = {s.slug: s for s in Skill.objects.all()}
        for (
            email,
            name,
            slug,
            course,
            level,
            year,
            discoverable,
            skill_slugs,
            sector_slugs,
        ) in STUDENTS:
            student, created = self.user(email, Role.STUDENT, name, password, course)
            if not created:
                continue
            missing = sorted({*skill_slugs} - skills.keys() | {*sector_slugs} - sectors.keys())
            if missing:
                self.stderr.write(f"{email}: skipping unknown skills/sectors {missing}")
            institution = organisations[slug]
            profile_update(
                actor=student,
                profile=student.profile,
                institution=institution,
                course=course,
                level=level,
                expected_graduation=date(year, 6, 30),
                discoverable=discoverable,
                location=institution.location,
                bio=f"{course} student at {institution.name}.",
                skills=[skills[s] for s in skill_slugs if s in skills],
                sectors=[sectors[s] for s in sector_slugs if s in sectors],
            )

        dan, lumen = people["dan.webb@freelance.example"], organisations["lumen-vfx"]
        if not JoinRequest.objects.filter(user=dan, organisation=lumen).exists():
            org_services.join_request_create(
                user=dan,
                organisation=lumen,
                message="I have mixed sound for three of your shorts; I'd like to join the team.",
            )
        harbourside = organisations["harbourside"]
        if not Invitation.objects.filter(organisation=harbourside, email=INVITED_EMAIL).exists():
            org_services.invitation_create(
                actor=people["rosa.jones@harbourside.example"],
                organisation=harbourside,
                email=INVITED_EMAIL,
            )

        # Skill rarity for matching, now that the students and their skills exist.
        refresh_skill_weights()
        self.seed_collaborations(people, organisations)
        self.seed_placements(people, organisations)
        self.seed_events(people, organisations)
        self.seed_stories(people, organisations)

    def seed_collaborations(self, people: dict, organisations: dict) -> None:
        """Open calls, a proposal waiting for review, and an active partnership."""
        lena = people["lena.okafor@northbridge.example"]
        oscar = people["oscar.pike@pixelforge.example"]
        deadline = timezone.now() + timedelta(days=21)
        calls = [
            (lena, "northbridge", {
                "kind": "live_brief",
                "title": "Design an accessible game for a museum gallery",
                "summary": "Second-year games students prototype a playable, accessible "
                           "exhibit for a maritime gallery.",
                "description": "Teams of four spend six weeks on a **playable prototype**.\n\n"
                               "- Week 1: visit the gallery\n- Week 6: public showcase",
                "ip_ownership": "Students keep their IP; the partner gets a free licence to "
                                "exhibit the chosen prototype.",
                "student_credit": "Named on the gallery label and the partner's website.",
                "is_paid": True,
                "payment_details": "£250 per team",
                "deliverables": "A playable prototype, a two-minute video and a short report.",
                "mode": "hybrid", "location": "Manchester",
            }),
            (lena, "northbridge", {
                "kind": "guest_lecture",
                "title": "Guest lecture: working in a small games studio",
                "summary": "An hour with our games students on careers in independent studios.",
                "description": "Any date in the spring term; we cover travel.",
                "mode": "on_site", "location": "Manchester",
            }),
            (oscar, "pixel-forge", {
                "kind": "research",
                "title": "Procedural level generation that players find fair",
                "summary": "We are looking for an academic partner to study how players judge "
                           "the fairness of generated levels.",
                "description": "Six months, with access to our play-test data.",
                "mode": "remote",
            }),
        ]  # fmt: skip
        for author, slug, data in calls:
            if Opportunity.objects.filter(title=data["title"]).exists():
                continue
            call = projects.opportunity_create(
                actor=author, organisation=organisations[slug], deadline=deadline, **data
            )
            projects.opportunity_publish(actor=author, opportunity=call)
        brief = Opportunity.objects.get(title=calls[0][2]["title"])
        if not brief.proposals.exists():
            projects.proposal_submit(
                actor=oscar,
                opportunity=brief,
                organisation=organisations["pixel-forge"],
                team="Oscar (director) and Mia (technical artist) as mentors.",
                approach="Weekly critiques at the studio and a play-test day with our QA team.",
                experience="We mentored two student teams last year; one shipped on itch.io.",
                availability="Wednesdays from February to March.",
            )
        sara = people["sara.ali@brightline.example"]
        if not Partnership.objects.filter(industry_partner=organisations["brightline"]).exists():
            partnership = projects.partnership_propose(
                actor=sara,
                from_organisation=organisations["brightline"],
                to_organisation=organisations["harbourside"],
                title="Brightline × Harbourside student challenge",
                description="A yearly brand challenge for graphic communication students.",
            )
            projects.partnership_confirm(
                actor=people["rosa.jones@harbourside.example"], partnership=partnership
            )

    def seed_placements(self, people: dict, organisations: dict) -> None:
        """A paid internship with an application waiting, and an open work placement."""
        oscar = people["oscar.pike@pixelforge.example"]
        priya = people["priya.shah@lumenvfx.example"]
        skills = {s.slug: s for s in Skill.objects.filter(slug__in=[
            "unity", "c-sharp", "level-design", "nuke", "compositing", "houdini",
        ])}  # fmt: skip
        sectors = {s.slug: s for s in Sector.objects.all()}
        now = timezone.now()
        postings = [
            (oscar, "pixel-forge", ["unity", "c-sharp"], ["level-design"], {
                "kind": "internship",
                "title": "Summer games programming internship",
                "description": "Ten weeks building tools and gameplay in Unity with our team. "
                               "You will ship a feature in our next release.",
                "sector": sectors.get("it-software-games"),
                "location": "Manchester", "mode": "hybrid",
                "is_paid": True, "pay_amount": "2100.00", "pay_period": "month",
                "hours_per_week": 37, "duration": "10 weeks", "positions": 2,
                "start_date": date(now.year + 1, 6, 15), "end_date": date(now.year + 1, 8, 21),
                "deadline": now + timedelta(days=30),
                "eligible_levels": ["undergraduate", "postgraduate"],
            }),
            (priya, "lumen-vfx", ["nuke", "compositing"], ["houdini"], {
                "kind": "work_placement",
                "title": "Year in industry: compositing trainee",
                "description": "A sandwich-year placement in our compositing team, with a "
                               "mentor and a showreel review every quarter.",
                "sector": sectors.get("film-tv-radio-photography"),
                "location": "London", "mode": "on_site",
                "is_paid": True, "pay_amount": "24000.00", "pay_period": "year",
                "hours_per_week": 37, "duration": "12 months", "positions": 1,
                "start_date": date(now.year + 1, 9, 1), "end_date": date(now.year + 2, 8, 31),
                "deadline": now + timedelta(days=45),
                "eligible_levels": ["undergraduate"],
            }),
        ]  # fmt: skip
        for author, slug, required, nice, data in postings:
            if Placement.objects.filter(title=data["title"]).exists():
                continue
            placement = placements.placement_create(
                actor=author,
                organisation=organisations[slug],
                required_skills=[skills[s] for s in required if s in skills],
                nice_skills=[skills[s] for s in nice if s in skills],
                questions=[{"text": DEMO_QUESTION, "required": True}],
                **data,
            )
            placements.placement_publish(actor=author, placement=placement)
        internship = Placement.objects.get(title=postings[0][4]["title"])
        sam = User.objects.get(email="sam.taylor@student.northbridge.example")
        if not internship.applications.filter(student=sam).exists():
            question = internship.questions.first()
            application = placements.application_save_draft(
                actor=sam,
                placement=internship,
                cover_letter="I have built three Unity prototypes and would love to ship one.",
                cv=ContentFile(DEMO_CV, name="sam-taylor-cv.pdf"),
                portfolio_url="https://sam-taylor.example/portfolio",
                answers={question.pk: "A stealth game jam entry; I wrote the AI."}
                if question
                else None,
            )
            placements.application_submit(actor=sam, application=application)

    def seed_events(self, people: dict, organisations: dict) -> None:
        """A guest lecture nearly full with a waitlist, an online workshop, a conference with an
        agenda, and a partnership's showcase: enough to try registering, waitlists and check-in."""
        oscar = people["oscar.pike@pixelforge.example"]
        lena = people["lena.okafor@northbridge.example"]
        sara = people["sara.ali@brightline.example"]
        sectors = {s.slug: s for s in Sector.objects.all()}
        games = [sectors[slug] for slug in ("it-software-games",) if slug in sectors]
        day = (timezone.localtime() + timedelta(days=9)).replace(
            hour=18, minute=0, second=0, microsecond=0
        )
        brightline = Partnership.objects.filter(
            industry_partner=organisations["brightline"]
        ).first()
        plans = [
            (oscar, "pixel-forge", games, {
                "kind": "guest_lecture",
                "title": "From sketch to shipped: a year at an indie games studio",
                "summary": "Pixel Forge's art director on how a small team ships real-time work.",
                "description": "An hour-long talk with **Q&A**, followed by portfolio tips.\n\n"
                               "- What studios look for in a junior artist\n"
                               "- How a feature goes from sketch to release",
                "starts_at": day, "ends_at": day + timedelta(hours=1, minutes=30),
                "format": "hybrid", "venue_name": "Northbridge Lecture Theatre 1",
                "venue_address": "1 College Road, Manchester",
                "online_url": "https://meet.example.org/pixel-forge-lecture",
                "capacity": 3, "audience": "public",
            }),
            (lena, "northbridge", games, {
                "kind": "workshop",
                "title": "Portfolio clinic for games students",
                "summary": "Bring your portfolio; studio artists give one-to-one feedback.",
                "description": "Twenty-minute slots with artists from local studios.",
                "starts_at": day + timedelta(days=5), "ends_at": day + timedelta(days=5, hours=3),
                "format": "online", "online_url": "https://meet.example.org/portfolio-clinic",
                "capacity": 20, "audience": "students", "requires_approval": True,
            }),
            (oscar, "pixel-forge", games, {
                "kind": "conference",
                "title": "North West Games Futures 2027",
                "summary": "A day of talks and panels on games careers and research.",
                "description": "Talks from studios and universities across the region.",
                "starts_at": day.replace(hour=9) + timedelta(days=20),
                "ends_at": day.replace(hour=17) + timedelta(days=20),
                "format": "in_person", "venue_name": "Manchester Central",
                "venue_address": "Windmill Street, Manchester", "capacity": 200,
            }),
        ]  # fmt: skip
        if brightline is not None:
            plans.append((sara, "brightline", [], {
                "kind": "showcase",
                "title": "Brightline × Harbourside brand challenge showcase",
                "summary": "Graphic communication students present their brand challenge work.",
                "description": "An evening exhibition with the shortlisted teams.",
                "starts_at": day + timedelta(days=12), "ends_at": day + timedelta(days=12, hours=3),
                "format": "in_person", "venue_name": "Harbourside Gallery",
                "venue_address": "Quay Street, Bristol", "capacity": 80,
                "partnership": brightline,
            }))  # fmt: skip
        for author, slug, event_sectors, data in plans:
            if Event.objects.filter(title=data["title"]).exists():
                continue
            event = events.event_create(
                actor=author, organisation=organisations[slug], sectors=event_sectors, **data
            )
            if event.kind == "conference":
                keynote = events.session_save(
                    actor=author,
                    event=event,
                    title="Keynote: where the jobs are",
                    starts_at=event.starts_at,
                    ends_at=event.starts_at + timedelta(hours=1),
                    room="Hall A",
                )
                events.speaker_add(actor=author, event=event, user=author, session=keynote)
                panel = events.session_save(
                    actor=author,
                    event=event,
                    title="Panel: research partnerships that worked",
                    starts_at=event.starts_at + timedelta(hours=2),
                    ends_at=event.starts_at + timedelta(hours=3),
                    room="Hall B",
                )
                events.speaker_add(actor=author, event=event, user=lena, session=panel)
                events.speaker_add(
                    actor=author,
                    event=event,
                    name="Dr Rae Okafor",
                    affiliation="Games researcher",
                    session=panel,
                )
            else:
                events.speaker_add(actor=author, event=event, user=author)
            events.event_publish(actor=author, event=event)
        lecture = Event.objects.get(title=plans[0][3]["title"])
        if not lecture.registrations.exists():
            students = {
                u.email: u
                for u in User.objects.filter(
                    email__in=[
                        "amira.hassan@student.northbridge.example",
                        "chloe.evans@student.harbourside.example",
                        "sam.taylor@student.northbridge.example",
                    ]
                )
            }
            first_three = [
                people["priya.shah@lumenvfx.example"],
                students["amira.hassan@student.northbridge.example"],
                students["chloe.evans@student.harbourside.example"],
            ]
            for person in first_three:
                events.register(actor=person, event=lecture)
            # Full now: Sam joins the waitlist and moves in if someone cancels.
            events.register(actor=students["sam.taylor@student.northbridge.example"], event=lecture)

    def seed_stories(self, people: dict, organisations: dict) -> None:
        """A published, featured story about the Brightline × Harbourside partnership (with
        funding recorded for the impact figures), and a fresh nomination in the curators'
        queue."""
        admin = people["admin@tandem.example"]
        sara = people["sara.ali@brightline.example"]
        rosa = people["rosa.jones@harbourside.example"]
        partnership = Partnership.objects.get(industry_partner=organisations["brightline"])
        if partnership.funding_amount is None:
            projects.partnership_update(
                actor=sara, partnership=partnership, funding_amount=Decimal("6000")
            )
        title = "A brand challenge that became a studio's intake"
        if not Story.objects.filter(title=title).exists():
            story = stories.nominate(
                actor=sara,
                collaboration=partnership,
                title=title,
                reason="Three of last year's finalists now work with us.",
            )
            stories.accept_nomination(actor=admin, story=story)
            stories.edit_story(
                actor=admin,
                story=story,
                summary="Every spring Brightline sets Harbourside's graphic communication "
                "students a real brief; the best teams pitch to the client.",
                body="Brightline brings a live brand problem to the studio floor at Harbourside "
                "each spring.\n\n- **Week 1:** the client briefing\n- **Weeks 2–5:** "
                "studio critiques with Brightline designers\n- **Week 6:** pitches to the "
                "client\n\nThe winning identity went into production, and three finalists "
                "joined Brightline as junior designers.",
                sectors=list(Sector.objects.filter(slug="advertising-marketing")),
            )
            for metric, value in ((Metric.STUDENTS_INVOLVED, 24), (Metric.HIRES, 3)):
                stories.add_figure(
                    actor=admin, story=story, metric=metric, value=value, unit="", note=""
                )
            stories.add_figure(actor=admin, story=story, metric=Metric.FUNDING, value=6000)
            quote = stories.add_quote(
                actor=admin,
                story=story,
                text="Our students learn more in six weeks with Brightline than in a term of "
                "made-up briefs.",
                person_name=rosa.display_name,
                person_role="Course leader, Graphic Communication",
                user=rosa,
                organisation=organisations["harbourside"],
            )
            stories.give_quote_consent(actor=rosa, quote=quote)
            stories.add_image(
                actor=admin,
                story=story,
                upload=ContentFile(demo_poster(), name="brand-challenge.png"),
                alt_text="Students pinning brand concepts to a studio wall",
                caption="Pitch day at Harbourside",
            )
            stories.send_for_review(actor=admin, story=story)
            stories.approve_text(actor=sara, story=story)
            stories.approve_text(actor=rosa, story=story)
            stories.publish(actor=admin, story=story)
            stories.feature(actor=admin, story=story, featured=True, order=0)
        brief = Opportunity.objects.get(title="Design an accessible game for a museum gallery")
        if not Story.objects.filter(opportunity=brief).exists():
            stories.nominate(
                actor=people["lena.okafor@northbridge.example"],
                collaboration=brief,
                title="Games students and a maritime gallery",
                reason="The gallery wants to exhibit the winning prototype.",
            )

    def print_logins(self, password: str) -> None:
        header = ("Role", "Email", "Password", "What to try")
        rows = [(role, email, password, hint) for role, email, hint in LOGINS]
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

        def line(cells) -> str:
            return "  ".join(f"{c:<{w}}" for c, w in zip(cells, widths, strict=True)).rstrip()

        self.stdout.write(f"\nLog in at {settings.SITE_URL}/accounts/login/\n")
        self.stdout.write(line(header))
        self.stdout.write(line(["-" * w for w in widths]))
        for row in rows:
            self.stdout.write(line(row))
        self.stdout.write(
            f"\nAll {len(PEOPLE) + len(STUDENTS)} demo accounts use this password; the others "
            "are listed in partnerships/core/management/commands/seed_demo.py.\n"
        )


def demo_poster() -> bytes:
    """A simple generated picture for the demo story (no binary assets in the repository)."""
    image = Image.new("RGB", (1600, 900), (24, 54, 94))
    draw = ImageDraw.Draw(image)
    colours = [(242, 169, 59), (231, 88, 74), (88, 176, 156), (245, 240, 230)]
    for n in range(12):
        x, y = 90 + (n % 4) * 370, 110 + (n // 4) * 240
        draw.rectangle((x, y, x + 300, y + 190), fill=colours[n % len(colours)])
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
