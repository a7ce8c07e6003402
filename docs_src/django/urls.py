from django.urls import path

from . import view_async, view_class, view_path, view_resolve, views

urlpatterns = [
    path("notes", views.list_notes),
    path("notes/<int:index>", view_path.get_note),
    path("cbv/notes", view_class.NotesView.as_view()),
    path("cbv/count", view_class.CountView.as_view()),
    path("search", view_async.search_notes),
    path("summary", view_resolve.summary),
    path("asummary", view_resolve.asummary),
]
