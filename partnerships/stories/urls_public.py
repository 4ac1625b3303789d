"""Public story pages. Included after the management URLs (see ``urls.py``), so a story slug
can never shadow a management path."""

from django.urls import path

from .feeds import StoryFeed
from .views import public

urlpatterns = [
    path("", public.showcase, name="showcase"),
    path("feed.atom", StoryFeed(), name="feed"),
    path("<slug:slug>/", public.detail, name="detail"),
]
