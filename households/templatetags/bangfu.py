from django import template

register = template.Library()


@register.filter
def mask_id(value: str | None) -> str:
    """Mask an ID number for lists and notices: 5201**********1234."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


@register.filter
def mask_account(value: str | None) -> str:
    """Show only the last four digits of a bank account."""
    if not value:
        return ""
    return "*" * max(len(value) - 4, 0) + value[-4:]


@register.filter
def criteria(household) -> list[tuple[bool, str]]:
    """The card's "two no-worries, three guarantees" and safe water, as (met, label) pairs."""
    from django.utils.translation import gettext as _

    return [
        (household.no_worry_food, _("No worry about food")),
        (household.no_worry_clothing, _("No worry about clothing")),
        (household.education_guaranteed, _("Compulsory education")),
        (household.medical_guaranteed, _("Basic medical care")),
        (household.housing_safe, _("Safe housing")),
        (household.water_safe, _("Safe drinking water")),
    ]


_STATUS_COLOURS = {
    "poor": "danger",
    "exited": "success",
    "returned": "warning",
    "removed": "secondary",
}


@register.filter
def status_colour(status: str) -> str:
    """The Bootstrap colour of a household status badge."""
    return _STATUS_COLOURS.get(status, "secondary")
