from typing import Annotated

from fastapi import Depends

from fastapi_everywhere import sync

logs: list[str] = []


def get_value():
    logs.append("init")
    yield 1
    logs.append("cleanup")


@sync.iter_with_fastapi_depends  # sync or async generator functions
def numbers(*, value: Annotated[int, Depends(get_value)]):
    yield value
    yield value + 1


if __name__ == "__main__":
    print(list(numbers()))  # [1, 2]
    gen = numbers()
    print(next(gen))  # 1
    gen.close()  # closed early: teardown runs all the same
    print(logs)  # ['init', 'cleanup', 'init', 'cleanup']
