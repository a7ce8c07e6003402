"""Convention over wiring: ``auto_bindings`` finds and binds implementations.

``auto`` is the entry point (find, choose, register); ``candidates`` what
matches an interface and the ranking; ``sources`` the import-free reading
of module sources and its cache.
"""

from .auto import ConflictSolver, auto_bindings

__all__ = ["ConflictSolver", "auto_bindings"]
