"""Form widgets written out in Python where Django's templates cost more than the page.

Django renders each ``<option>`` of a select through a template of its own, after building
a dictionary of attributes for it. A county's filter lists hundreds of villages, and those
took most of the time of the household list. ``QuickSelect`` writes the same HTML in one
pass over the choices. An ``<input>`` goes through two templates (its own and one for its
attributes, a loop of conditions): ``QuickTextInput`` and ``QuickNumberInput`` write what
they write, for the inputs of pages drawn on every request (the lists' filters).
"""

import html

from django import forms
from django.forms.utils import flatatt
from django.utils.choices import CallableChoiceIterator
from django.utils.html import format_html
from django.utils.safestring import SafeData, mark_safe


class QuickSelect(forms.Select):
    """A ``<select>`` (optgroups and the selected option included) written without a
    template or a dictionary per option; the same markup as ``forms.Select``."""

    def _pairs(self):
        """The choices as given. Pairs read from the database (a county's 240 villages)
        are already in the shape Django's normalisation gives, which cost more than
        writing them out."""
        choices = self.choices
        return choices.func() if isinstance(choices, CallableChoiceIterator) else choices

    def use_required_attribute(self, initial):
        """Django's answer, from the first choice alone: its own normalises every choice
        to find the first, on each field drawn."""
        if self.allow_multiple_selected or self.is_hidden:
            return super().use_required_attribute(initial)
        first = next(iter(self._pairs()), None)
        return first is not None and self._choice_has_empty_value(first)

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            attrs["multiple"] = True
        chosen = set(self.format_value(value))
        found = False

        def option(value, label) -> str:
            nonlocal found
            value = "" if value is None else str(value)
            selected = (self.allow_multiple_selected or not found) and value in chosen
            found = found or selected
            # html.escape is what Django's escape() calls, without its check for lazy text.
            return (
                f'<option value="{html.escape(value)}"{" selected" if selected else ""}>'
                f"{html.escape(str(label))}</option>"
            )

        parts = [format_html('<select name="{}"{}>', name, flatatt(attrs))]
        for value, label in self._pairs():
            if isinstance(label, list | tuple):
                parts.append(format_html('<optgroup label="{}">', value))
                parts.extend(option(v, lab) for v, lab in label)
                parts.append("</optgroup>")
            else:
                parts.append(option(value, label))
        parts.append("</select>")
        return mark_safe("".join(parts))


class SearchSelect(QuickSelect):
    """A select offering a few choices, with a search box before it that asks
    ``search_url`` for others: the answer (htmx) is the matching ``<option>``s. For choices
    that run to thousands in a county; the field still accepts any object of its queryset."""

    def __init__(self, attrs=None, choices=(), *, search_url="", search_label=""):
        super().__init__(attrs, choices)
        self.search_url, self.search_label = search_url, search_label

    def render(self, name, value, attrs=None, renderer=None):
        select = super().render(name, value, attrs, renderer)
        target = (attrs or {}).get("id") or self.attrs.get("id") or f"id_{name}"
        # Tied to no form (the form attribute names none): never posted with the record.
        box = format_html(
            '<input type="search" name="q" form="{}-search" class="form-control mb-1" '
            'maxlength="50" autocomplete="off" aria-label="{}" placeholder="{}" '
            'hx-get="{}" hx-trigger="input changed delay:300ms" hx-target="#{}" '
            'hx-swap="innerHTML">',
            target,
            self.search_label,
            self.search_label,
            self.search_url,
            target,
        )
        return box + select


def _escaped(value) -> str:
    """A value as the template language writes it: escaped unless already marked safe."""
    text = str(value)
    return text if isinstance(value, SafeData) else html.escape(text)


class QuickInputMixin:
    """An ``<input>`` written without Django's templates: the markup of ``input.html`` and
    ``attrs.html`` (attributes in order, ``True`` as a bare name, ``False`` left out)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<input type="{_escaped(widget["type"])}" name="{_escaped(widget["name"])}"']
        if widget["value"] is not None:
            parts.append(f' value="{_escaped(widget["value"])}"')
        for key, attr in widget["attrs"].items():
            if attr is True:
                parts.append(f" {_escaped(key)}")
            elif attr is not False:
                parts.append(f' {_escaped(key)}="{_escaped(attr)}"')
        parts.append(">")
        return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


class QuickTextInput(QuickInputMixin, forms.TextInput):
    pass


class QuickNumberInput(QuickInputMixin, forms.NumberInput):
    pass
