import asyncio

from fastapi import Depends

from fastapi_everywhere import FastAPIContainer

closed: list[str] = []


def get_settings() -> dict:
    return {"dsn": "sqlite://"}


async def get_engine(settings: dict = Depends(get_settings)):
    yield f"engine({settings['dsn']})"
    closed.append("engine")


def count_orders(day: str, engine: str = Depends(get_engine)) -> str:
    return f"{day}: counted with {engine}"


async def main() -> None:
    async with FastAPIContainer() as container:
        engine = await container.get(get_engine)  # built once, kept
        print(engine is await container.get(get_engine))  # True
        print(await container.invoke(count_orders, "monday"))
        # monday: counted with engine(sqlite://)
        resolved = await container.resolve(get_engine)
        print(list(resolved.all_instances().values()))  # sub-dependencies first
        # [{'dsn': 'sqlite://'}, 'engine(sqlite://)']
        print(closed)  # []: still open
    print(closed)  # ['engine']: torn down at aclose()


if __name__ == "__main__":
    asyncio.run(main())
