"""Signing in: Django's model backend, reading the user's profile with the user."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class ProfileModelBackend(ModelBackend):
    """Every signed-in page needs the user's profile (its role and the ids of its place make
    the scope): read it in the query that reads the user. The places themselves are read by
    the few pages that name them: PostgreSQL took longer to plan the six joins that read
    them with the user (0.7 ms) than to run the whole query, on every page."""

    def get_user(self, user_id):
        User = get_user_model()
        try:
            user = User._default_manager.select_related("profile").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
