"""URLs of the Django test project: the test views and the example's."""

import dj_views as v
import drf_views as d
from django.db import transaction
from django.urls import include, path

import _teardown

urlpatterns = [
    path("sources/<str:item_id>", v.sources_view),
    path("bare/<int:item_id>", v.bare_view),
    path("items", v.items_view),
    path("form", v.form_view),
    path("info", v.info_view),
    path("teapot", v.teapot_view),
    path("stream", v.stream_view),
    path("stream-generator", v.stream_generator_view),
    path("response", v.response_view),
    path("boom", v.boom_view),
    path("aboom", v.aboom_view),
    path("cached", v.cached_view),
    path("acached", v.acached_view),
    path("plain", v.plain_view),
    path("untouched", v.untouched_view),
    path("plain-boom", v.plain_boom_view),
    path("forbid", v.mutate_then_forbid_view),
    path("who", v.who_view),
    path("cbv/<int:item_id>", v.ItemView.as_view()),
    path("mixin/<int:item_id>", v.MixinItemView.as_view()),
    path(
        "acbv/<int:item_id>", transaction.non_atomic_requests(v.AsyncItemView.as_view())
    ),
    path("orm", v.orm_view),
    path("aorm", v.aorm_view),
    path("lifespan", v.lifespan_view),
    path("ex/", include("example_django.urls")),
    path("drf/", include("example_django.drf.urls")),
    path("drf-edges/parsed-json", d.parsed_json),
    path("drf-edges/parsed-form", d.parsed_form),
    path("drf-edges/unparsed", d.unparsed),
    path("drf-edges/throttled", d.throttled),
    path("drf-edges/tea", d.tea),
    path("drf-edges/invalid", d.invalid),
    path("drf-edges/drf-error", d.drf_error),
    path("drf-edges/who", d.who),
    path("plain-who", d.plain_who),
    path("aplain-who", transaction.non_atomic_requests(d.aplain_who)),
    *[path(f"teardown/{c}", _teardown.django_view(c)) for c in _teardown.DEPENDS],
]
