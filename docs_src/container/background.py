import asyncio

from fastapi import BackgroundTasks

from fastapi_everywhere import FastAPIContainer

ran: list[str] = []


def notify(background_tasks: BackgroundTasks) -> str:
    background_tasks.add_task(ran.append, "email sent")
    return "queued"


async def main() -> None:
    async with FastAPIContainer() as container:
        print(await container.invoke(notify))  # queued
        print(ran)  # ['email sent']: the task ran when the call ended


if __name__ == "__main__":
    asyncio.run(main())
