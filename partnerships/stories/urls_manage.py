"""Pages for nominating, answering, approving and curating stories.

Every path starts with a word in ``services.RESERVED_SLUGS``, so no story slug can shadow it.
"""

from django.urls import path

from .views import manage, participate

urlpatterns = [
    # Nominate a collaboration
    path("nominate/thanks/", participate.nominate_thanks, name="nominate_thanks"),
    path("nominate/<str:kind>/<int:pk>/", participate.nominate, name="nominate"),
    # Testimonials asked of a side
    path("testimonials/", participate.testimonials, name="testimonials"),
    path("testimonials/<slug:token>/", participate.testimonial, name="testimonial"),
    # Approval by the organisations, and consent to quotes
    path("review/", participate.review_list, name="review_list"),
    path("review/<int:pk>/", participate.review, name="review"),
    path("quotes/<int:pk>/consent/", participate.quote_consent, name="quote_consent"),
    # Curation (platform admins)
    path("curate/", manage.queue, name="curate"),
    path("curate/<int:pk>/", manage.story, name="curate_story"),
    path("curate/<int:pk>/status/<str:action>/", manage.transition, name="curate_transition"),
    path("curate/<int:pk>/feature/", manage.feature, name="curate_feature"),
    path("curate/<int:pk>/images/", manage.image_add, name="curate_image_add"),
    path(
        "curate/<int:pk>/images/<int:image_pk>/delete/",
        manage.image_delete,
        name="curate_image_delete",
    ),
    path(
        "curate/<int:pk>/images/<int:image_pk>/move/", manage.image_move, name="curate_image_move"
    ),
    path("curate/<int:pk>/quotes/", manage.quote_add, name="curate_quote_add"),
    path("curate/<int:pk>/quotes/<int:quote_pk>/", manage.quote_edit, name="curate_quote_edit"),
    path(
        "curate/<int:pk>/quotes/<int:quote_pk>/delete/",
        manage.quote_delete,
        name="curate_quote_delete",
    ),
    path("curate/<int:pk>/figures/", manage.figure_add, name="curate_figure_add"),
    path(
        "curate/<int:pk>/figures/<int:figure_pk>/delete/",
        manage.figure_delete,
        name="curate_figure_delete",
    ),
]
