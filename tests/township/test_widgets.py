"""QuickSelect writes the markup Django's own Select writes, option for option."""

from django import forms
from django.test.html import parse_html

from township.widgets import QuickSelect

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
