"""Uploaded files in an S3-compatible bucket (AWS S3, Cloudflare R2, MinIO, Ceph…), for
deployments whose web and worker containers run on more than one host (docs/operations.md).

The bucket stays private. Every file is still served by Tandem's own views, which decide who may
see it (``core.views.media`` for pictures, ``core.files.serve_private_file`` for CVs and
documents). So a file's URL is Tandem's ``MEDIA_URL`` path, never a link into the bucket.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage


class PrivateBucketStorage(S3Storage):
    """django-storages' S3 backend, with URLs through Tandem's media view."""

    def url(self, name: str, parameters=None, expire=None, http_method=None) -> str:
        return f"{settings.MEDIA_URL}{filepath_to_uri(name)}"
