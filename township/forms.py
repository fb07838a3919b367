from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    """The login form; its fields get phone-friendly input hints."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(
            {"autocapitalize": "none", "autocomplete": "username"}
        )
