# myproject/asgi.py: serve it with `uvicorn myproject.asgi:application`
from fastapi_everywhere.django.asgi import get_asgi_application

application = get_asgi_application()  # Django's ASGI app + the lifespan protocol
