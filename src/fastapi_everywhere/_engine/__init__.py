"""The one resolution engine: compile a FastAPI dependency tree, then run it."""

from .plan import Plan, describe, plan_for_dependencies, plan_for_function
from .run import Resolution, new_response
from .solve import solve

__all__ = [
    "Plan",
    "Resolution",
    "describe",
    "new_response",
    "plan_for_dependencies",
    "plan_for_function",
    "solve",
]
