#!/usr/bin/env python
"""Django's command-line utility for the example project.

Run from anywhere, e.g. from the repository root:

    python example_django/manage.py migrate
    python example_django/manage.py runserver
    python example_django/manage.py add_note --token alice-token "buy milk"
"""

import os
import sys
from pathlib import Path


def main() -> None:
    # The repository root holds both this project and the shared ``demo`` deps.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_django.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
