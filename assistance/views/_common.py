from django.core.exceptions import PermissionDenied, ValidationError

# Funds, projects: the rows of a list page.
LIST_PAGE_SIZE = 25


def require(allowed: bool) -> None:
    """Inside the scope but without the role for this action: 403."""
    if not allowed:
        raise PermissionDenied


def first_message(error: ValidationError) -> str:
    return error.messages[0] if error.messages else str(error)


def add_service_error(form, error: ValidationError) -> None:
    """A service's refusal on the form: next to the fields it names when the form has them
    (a confirmation to tick, a voucher to give), above the form otherwise."""
    fields = getattr(error, "error_dict", None)
    if fields and all(name in form.fields for name in fields):
        form.add_error(None, error)
    else:
        form.add_error(None, first_message(error))
