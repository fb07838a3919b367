"""The quick widgets write the markup Django's own widgets write, option for option and
attribute for attribute."""

from django import forms
from django.test.html import parse_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override

from township.widgets import QuickNumberInput, QuickSelect, QuickTextInput

CHOICES = [
    ("", "全部村"),
    ("1", "新田村"),
    ("2", "石门村 & <二组>"),
    ("山区", [("3", "高坡村"), ("4", "龙井村")]),
]


def test_it_writes_what_django_s_select_writes():
    for value in ("", "2", "4", None, "missing"):
        attrs = {"id": "id_village", "class": "form-select", "data-autosubmit": True}
        expected = forms.Select(choices=CHOICES).render("village", value, attrs)
        written = QuickSelect(choices=CHOICES).render("village", value, attrs)
        assert parse_html(written) == parse_html(expected), value


def test_a_form_field_keeps_its_choices_and_the_value_chosen():
    class Form(forms.Form):
        village = forms.ChoiceField(choices=CHOICES, required=False, widget=QuickSelect)

    html = str(Form({"village": "3"})["village"])
    assert '<option value="3" selected>高坡村</option>' in html
    assert "石门村 &amp; &lt;二组&gt;" in html and '<optgroup label="山区">' in html


def test_the_quick_inputs_write_what_django_s_inputs_write():
    cases = [
        (
            forms.TextInput,
            QuickTextInput,
            {"type": "search", "placeholder": gettext_lazy("Search")},
        ),
        (forms.TextInput, QuickTextInput, {"autocomplete": "off", "maxlength": 18}),
        (forms.NumberInput, QuickNumberInput, {"min": 1, "max": 3650}),
    ]
    values = [None, "", "张三", "a \"quoted\" <b> & 'x'", 30, mark_safe("<i>safe</i>")]
    render_attrs = {"id": "id_q", "class": "form-control", "required": True, "disabled": False}
    with override("zh-hans"):
        for django_widget, quick_widget, attrs in cases:
            for value in values:
                expected = django_widget(attrs=attrs).render("q", value, render_attrs)
                written = quick_widget(attrs=attrs).render("q", value, render_attrs)
                assert written == expected, (quick_widget, value)


def test_required_is_written_as_django_writes_it():
    """``required`` only where the first option is the empty one, as Django decides."""
    for choices in (CHOICES, CHOICES[1:], []):
        for required in (True, False):

            class Form(forms.Form):
                plain = forms.ChoiceField(choices=choices, required=required)
                quick = forms.ChoiceField(choices=choices, required=required, widget=QuickSelect)

            form = Form()
            assert ("required" in str(form["quick"])) == ("required" in str(form["plain"]))
            assert form["quick"].build_widget_attrs({}) == form["plain"].build_widget_attrs({})


def test_kept_pairs_are_drawn_without_normalising_them(monkeypatch):
    """A county's 240 villages, offered as pairs read when drawn: Django's normalisation
    of every choice, on every page, cost more than writing them out."""
    from django.utils import choices as django_choices

    normalised = []
    real = django_choices.normalize_choices

    def counting(value, *, depth=0):
        normalised.append(value)
        return real(value, depth=depth)

    class Form(forms.Form):
        village = forms.ChoiceField(required=True, widget=QuickSelect)

    form = Form({"village": "2"})
    form.fields["village"].widget.choices = lambda: CHOICES[:3]
    monkeypatch.setattr(django_choices, "normalize_choices", counting)
    html = str(form["village"])
    assert '<option value="2" selected>' in html and " required" in html
    assert normalised == []
