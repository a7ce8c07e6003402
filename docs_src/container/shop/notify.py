from fastapi_everywhere import RegistrableDependency, provides


class Notifier(RegistrableDependency):  # an interface: a direct base
    def send(self, text: str) -> str:
        raise NotImplementedError


class EmailNotifier(Notifier):
    def send(self, text: str) -> str:
        return f"email: {text}"


class SmsNotifier(Notifier):
    def send(self, text: str) -> str:
        return f"sms: {text}"


@provides(primary=True)  # ranks first among the candidates for auto_bindings
def build_notifier() -> SmsNotifier:
    return SmsNotifier()
