from django import template

from households.masking import mask_account, mask_id

register = template.Library()


register.filter("mask_id", mask_id)
register.filter("mask_account", mask_account)


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


@register.filter
def get_item(mapping: dict, key):
    """``mapping[key]`` in a template, or None."""
    return mapping.get(key) if mapping else None


@register.filter
def minutes(delta) -> int | str:
    """A timedelta in whole minutes (rounded up), or "" without one."""
    if not delta:
        return ""
    return -(-int(delta.total_seconds()) // 60)
