"""Images: validated by content and size, stored with a thumbnail and a social card."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from partnerships.core.errors import Conflict, DomainError, PermissionDenied
from partnerships.stories import services
from partnerships.stories.models import StoryImage

from .conftest import image_file

pytestmark = pytest.mark.django_db


def test_image_with_renditions(nominated, platform_admin):
    image = services.add_image(
        actor=platform_admin, story=nominated, upload=image_file(), alt_text="The team at work"
    )
    assert image.image.name.startswith("stories/") and image.image.name.endswith(".png")
    with Image.open(image.thumbnail.path) as thumb:
        assert thumb.size == services.THUMBNAIL_SIZE
    with Image.open(image.social_card.path) as card:
        assert card.size == (1200, 630)
        assert card.format == "JPEG"


def test_transparent_and_small_images_make_renditions(nominated, platform_admin):
    from io import BytesIO

    buffer = BytesIO()
    Image.new("RGBA", (50, 40), (0, 0, 0, 0)).save(buffer, format="PNG")
    upload = SimpleUploadedFile("small.png", buffer.getvalue())
    image = services.add_image(actor=platform_admin, story=nominated, upload=upload, alt_text="x")
    with Image.open(image.social_card.path) as card:
        assert card.size == (1200, 630)


def test_disguised_upload_is_refused(nominated, platform_admin):
    fake = SimpleUploadedFile("photo.png", b"MZ\x90\x00 this is an executable")
    with pytest.raises(DomainError) as error:
        services.add_image(actor=platform_admin, story=nominated, upload=fake, alt_text="x")
    assert error.value.code == "not_an_image"
    assert error.value.field == "image"
    jpeg_named_png = image_file(name="photo.png", fmt="JPEG")
    with pytest.raises(DomainError) as error:
        services.add_image(
            actor=platform_admin, story=nominated, upload=jpeg_named_png, alt_text="x"
        )
    assert error.value.code == "extension_mismatch"
    assert not StoryImage.objects.exists()


def test_oversized_upload_is_refused(nominated, platform_admin, settings):
    settings.MAX_IMAGE_UPLOAD_BYTES = 1024
    with pytest.raises(DomainError) as error:
        services.add_image(actor=platform_admin, story=nominated, upload=image_file(), alt_text="x")
    assert error.value.code == "file_too_large"


def test_alt_text_is_required(nominated, platform_admin):
    with pytest.raises(DomainError) as error:
        services.add_image(actor=platform_admin, story=nominated, upload=image_file(), alt_text=" ")
    assert error.value.field == "alt_text"


def test_only_curators_add_images_to_editable_stories(approved, platform_admin, studio_owner):
    with pytest.raises(PermissionDenied):
        services.add_image(actor=studio_owner, story=approved, upload=image_file(), alt_text="x")
    services.publish(actor=platform_admin, story=approved)
    with pytest.raises(Conflict):
        services.add_image(actor=platform_admin, story=approved, upload=image_file(), alt_text="x")
