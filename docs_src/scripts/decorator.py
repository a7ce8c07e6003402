import asyncio
import inspect

from fastapi import Depends

from fastapi_everywhere import with_fastapi_depends


def get_rate() -> float:
    return 1.2


@with_fastapi_depends
def convert(amount: float, *, rate: float = Depends(get_rate)) -> float:
    return round(amount * rate, 2)  # a sync function: called in a worker thread


async def main() -> None:
    print(await convert(10))  # 12.0: `amount` is yours, `rate` is injected
    print(await convert(10, rate=2.0))  # 20.0: a value you pass is not resolved
    print(inspect.signature(convert))  # (amount: float) -> float


if __name__ == "__main__":
    asyncio.run(main())
