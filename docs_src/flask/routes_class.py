from flask.views import MethodView

from fastapi_everywhere.flask import with_fastapi_depends

from .deps import CurrentUser, Repo


class NotesView(MethodView):
    @with_fastapi_depends  # decorate each method
    def get(self, *, user: CurrentUser, repo: Repo):
        return {"user": user, "count": len(repo.list_for(user))}
