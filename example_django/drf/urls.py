"""URLs of the DRF app: a router for the ViewSet, an APIView, two ``@api_view``."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("books", views.BookViewSet, basename="book")

urlpatterns = [
    path("", include(router.urls)),
    path("me/", views.WhoAmI.as_view(), name="me"),
    path("add-pages/", views.add_pages, name="add-pages"),
    path("add-book/", views.add_book, name="add-book"),
]
