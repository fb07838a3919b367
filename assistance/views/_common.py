from django.core.exceptions import PermissionDenied, ValidationError


def require(allowed: bool) -> None:
    """Inside the scope but without the role for this action: 403."""
    if not allowed:
        raise PermissionDenied


def first_message(error: ValidationError) -> str:
    return error.messages[0] if error.messages else str(error)
