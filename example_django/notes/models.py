from django.db import models


class Activity(models.Model):
    """One line of the activity log, written by a FastAPI dependency through the ORM."""

    user = models.CharField(max_length=100)
    action = models.CharField(max_length=200)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.user}: {self.action}"
