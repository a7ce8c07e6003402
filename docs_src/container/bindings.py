import asyncio

from fastapi_everywhere import FastAPIContainer, auto_bindings, register_bindings

from .shop.notify import Notifier


async def send(text: str) -> str:
    async with FastAPIContainer() as container:
        notifier = await container.get(Notifier)
        return notifier.send(text)


if __name__ == "__main__":
    register_bindings("docs_src.container.shop")  # runs shop/di.py's register()
    print(asyncio.run(send("hi")))  # email: hi

    Notifier.register(None)  # unbind, then find the bindings from the sources
    for binding in auto_bindings("docs_src.container.shop"):
        print(binding.interface.__name__, "->", binding.implementation.__name__)
        # Notifier -> build_notifier (the primary @provides factory)
    print(asyncio.run(send("hi")))  # sms: hi
