from django.conf import settings


def site(request) -> dict:
    return {"SITE_NAME": "Tandem", "SITE_URL": settings.SITE_URL}
