"""A griffe extension for the API reference: the reST bits of our docstrings
as Markdown.

The docstrings under ``src/`` use reST roles (``:func:`name```) and
directives (``.. versionadded::``, ``.. code-block::``) that Python's help and
editors read; mkdocstrings renders Markdown, where they would show as typed.
Roles become code spans (the last dotted part for ``~`` targets), version
directives an italic note, and ``.. code-block::`` lines are dropped so the
indented block under them is a code block.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:func|class|meth|mod|data|attr|exc|obj):`(?P<target>[^`]+)`")
VERSION = re.compile(
    r"^(?P<indent>[ \t]*)\.\. version(?P<kind>added|changed)::[ \t]*(?P<version>\S+)"
    r"(?:[ \t]+(?P<text>.*))?$",
    re.M,
)
CODE_BLOCK = re.compile(r"^[ \t]*\.\. code-block::.*\n", re.M)


def _role(match: re.Match[str]) -> str:
    target = match["target"]
    if "<" in target and target.endswith(">"):  # :func:`text <target>`
        return f"`{target.split('<', 1)[0].strip()}`"
    if target.startswith("~"):
        return f"`{target[1:].rsplit('.', 1)[-1]}`"
    return f"`{target}`"


def _version(match: re.Match[str]) -> str:
    what = "Added" if match["kind"] == "added" else "Changed"
    text = f": {match['text']}" if match["text"] else ""
    return f"{match['indent']}*{what} in version {match['version']}{text}*"


def to_markdown(text: str) -> str:
    """The docstring ``text`` with its reST roles and directives as Markdown."""
    text = ROLE.sub(_role, text)
    text = VERSION.sub(_version, text)
    return CODE_BLOCK.sub("", text)


class RestToMarkdown(griffe.Extension):
    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = to_markdown(obj.docstring.value)
