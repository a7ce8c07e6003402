# Django's test client, as in a Django test case
from django.test import Client


def main() -> None:
    client = Client()
    response = client.get("/me", headers={"X-Token": "ann-token"})
    print(response.status_code, response.json())  # 200 {'message': 'Hello, Ann'}

    response = client.get("/me")  # no X-Token header: FastAPI's own 422
    print(response.status_code, response.json()["detail"][0]["loc"])
    # 422 ['header', 'x-token']
