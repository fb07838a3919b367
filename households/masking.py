"""How sensitive numbers are shown on pages, notices and in the change history."""


def mask_id(value: str | None) -> str:
    """An ID number as lists and notices show it: 5201**********1234."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_account(value: str | None) -> str:
    """A bank account with only its last four digits."""
    if not value:
        return ""
    return "*" * max(len(value) - 4, 0) + value[-4:]


SENSITIVE_FIELDS = {"id_number": mask_id, "bank_account": mask_account}
