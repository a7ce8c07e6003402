from fastapi import Depends

from fastapi_everywhere import DependencyScope, sync

made: list[str] = []


def get_settings() -> dict:
    made.append("settings")
    return {"page_size": 20}


def get_unit_of_work(settings: dict = Depends(get_settings)):
    made.append("unit of work")
    yield settings["page_size"]


def page_size(uow: int = Depends(get_unit_of_work)) -> int:
    return uow


if __name__ == "__main__":
    scopes = {get_unit_of_work: DependencyScope.SCOPED}
    with sync.FastAPIContainer(scopes=scopes) as container:
        with container.scope() as scope:
            print(scope.invoke(page_size))  # 20
        with container.scope() as scope:
            print(scope.invoke(page_size))  # 20
    print(made)  # ['settings', 'unit of work', 'unit of work']: settings built once
