import wireup
from wireup import Injected, inject_from_container


@wireup.injectable
class User: ...


container = wireup.create_sync_container(injectables=[User])


@inject_from_container(container)
def report(day: str, user: Injected[User]) -> int:
    return 0


ok_result: int = report("d", User())  # CASE result
report("d")  # CASE omit
report(1)  # CASE wrong
report()  # CASE missing
report("d", usr=1)  # CASE unknown
