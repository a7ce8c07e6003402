"""wireup's injectables for the Django project (named in ``WireupSettings``)."""

from peerwiring import wireup_injectables

settings, db, repo, user = wireup_injectables("django")
