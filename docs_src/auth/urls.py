from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import drf_views, views

router = DefaultRouter()
router.register("books", drf_views.BookViewSet, basename="book")

urlpatterns = [
    path("me", views.me),
    path("drf/", include(router.urls)),
    path("drf/add", drf_views.add),
    path("drf/whoami", drf_views.whoami),
]
