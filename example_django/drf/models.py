"""A book belongs to the user who added it."""

from django.conf import settings
from django.db import models


class Book(models.Model):
    title = models.CharField(max_length=200)
    pages = models.PositiveIntegerField(default=0)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="books"
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title
