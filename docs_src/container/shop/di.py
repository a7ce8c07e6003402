# The binding module of a feature package: register_bindings() calls register().
from .notify import EmailNotifier, Notifier


def register() -> None:
    Notifier.register(EmailNotifier)
