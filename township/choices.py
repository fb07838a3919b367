"""``get_FOO_display`` at the cost of one dictionary look-up.

Django's own builds a dictionary of the field's choices on every call, hashing each label,
and hashing a translated label translates it: a status shown on 25 rows of a list cost the
page some hundred translations. Models whose labels fill long lists take this mixin; the
labels (lazy, so each still follows the request's language) are read once per field.
"""

import functools

from django.utils.encoding import force_str


@functools.cache
def _labels(field) -> dict:
    return dict(field.flatchoices)


def translated_labels(model, field: str) -> dict:
    """A choice field's labels by value, translated once into the active language, for a
    whole list or export (``get_FOO_display`` translates the lazy label again on every call:
    a third of a county export's time)."""
    return {value: str(label) for value, label in _labels(model._meta.get_field(field)).items()}


class QuickChoiceDisplay:
    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        try:
            label = _labels(field).get(value, value)
        except TypeError:  # a value that cannot be a key (a list): Django's way
            return super()._get_FIELD_display(field)
        return force_str(label, strings_only=True)
