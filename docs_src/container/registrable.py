import asyncio
from abc import ABC, abstractmethod

from fastapi import Depends

from fastapi_everywhere import FastAPIContainer, RegistrableDependency


class Clock(ABC, RegistrableDependency):  # or (RegistrableDependency, ABC)
    @abstractmethod
    def now(self) -> str: ...


class SystemClock(Clock):
    def now(self) -> str:
        return "2026-07-02"


def today(clock: Clock = Depends(Clock)) -> str:  # depend on the interface
    return clock.now()


Clock.register(SystemClock)  # at start-up: Depends(Clock) now builds SystemClock


async def main() -> None:
    async with FastAPIContainer() as container:
        print(type(await container.get(Clock)).__name__)  # SystemClock
        print(await container.invoke(today))  # 2026-07-02


if __name__ == "__main__":
    asyncio.run(main())
