"""Signing in: Django's model backend, reading the user's profile with the user."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class ProfileModelBackend(ModelBackend):
    """Every signed-in page needs the user's profile and place (its scope, the header): read
    them in the query that reads the user instead of one query each."""

    def get_user(self, user_id):
        User = get_user_model()
        try:
            user = User._default_manager.select_related(
                "profile__county", "profile__township__county", "profile__village__township"
            ).get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
