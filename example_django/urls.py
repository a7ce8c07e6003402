"""URLs of the example project."""

from django.urls import include, path

from .notes import views

urlpatterns = [
    path("notes/", views.NotesView.as_view(), name="notes"),
    path("notes/export.csv", views.export_notes, name="export"),
    path("notes/<int:note_id>/", views.note_detail, name="note"),
    path("activity/", views.activity, name="activity"),
    path("api/", include("example_django.drf.urls")),  # Django REST framework
]
