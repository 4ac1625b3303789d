from pathlib import Path, PurePosixPath

from django.contrib.auth.views import redirect_to_login
from django.core.files.storage import FileSystemStorage, default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from partnerships.core.files import open_stored

PUBLIC_MEDIA_DIRS = {"logos"}
MEMBER_MEDIA_DIRS = {"avatars"}
# Story images (``stories/<name>``, ``stories/renditions/<name>``) follow their story.
STORY_MEDIA_DIR = "stories"


def home(request):
    if request.user.is_authenticated:
        return redirect("dashboard")
    from partnerships.organisations.selectors import organisation_directory

    featured = organisation_directory()[:6]
    return render(request, "core/home.html", {"featured_organisations": featured})


@require_GET
def media(request, path: str):
    """Serve uploaded images: logos to everyone, avatars to signed-in people only, a story's
    images to whoever may see the story (everyone once it is published; 404 otherwise, so an
    unpublished story's files do not even show they exist).

    Files live outside the static root (in ``MEDIA_ROOT`` or a private bucket, whichever the
    default storage is); this view is the only way to them, so the rule is here.
    """
    if "\x00" in path:
        raise Http404
    parts = PurePosixPath(path).parts
    if ".." in parts or not parts:
        raise Http404
    if parts[0] == STORY_MEDIA_DIR:
        from partnerships.stories.selectors import story_image_visible

        shape_ok = len(parts) == 2 or (len(parts) == 3 and parts[1] == "renditions")
        if not shape_ok or not story_image_visible(request.user, "/".join(parts)):
            raise Http404
    elif len(parts) != 2 or parts[0] not in PUBLIC_MEDIA_DIRS | MEMBER_MEDIA_DIRS:
        raise Http404
    elif parts[0] in MEMBER_MEDIA_DIRS and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    handle = open_stored(lambda: _open_upload("/".join(parts)))
    response = FileResponse(handle, filename=parts[-1])
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _open_upload(name: str):
    """The stored file. On disk, a link anywhere below ``MEDIA_ROOT`` is refused (a linked
    folder could make CVs look like logos): nothing Tandem stores is one."""
    if isinstance(default_storage, FileSystemStorage):
        root = Path(default_storage.location).resolve()
        try:
            resolved = Path(default_storage.path(name)).resolve()
        except RuntimeError:  # a link loop (Python 3.11 raises this rather than OSError)
            raise Http404 from None
        if resolved != root.joinpath(*PurePosixPath(name).parts):
            raise Http404
    return default_storage.open(name, "rb")
