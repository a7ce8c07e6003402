"""The bridge between sync callers and the event loop.

``loop`` is the process's one event-loop thread (started lazily, fork-safe,
shut down at exit); ``owner`` the task that owns a set of exits;
``drive`` runs one resolution from a sync thread (thread-sensitive: sync
dependencies on the caller's thread, async steps in one owner task);
``lifespan`` an app's lifespan on the loop thread, per process.
Everything sync in the library (the sync vocabulary, WSGI hosts, Celery)
crosses to the loop through here.
"""
