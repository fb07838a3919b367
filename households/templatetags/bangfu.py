import html
import re

from django import template
from django.core.exceptions import ObjectDoesNotExist
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from households.masking import mask_account, mask_id
from households.models import Household
from township.choices import translated_labels

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


_SVG_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>|<script\b[^>]*/>", re.DOTALL | re.IGNORECASE)


@register.filter
def without_scripts(svg: str) -> str:
    """A chart's SVG (built by pygal, trusted) without its inline script: pygal always
    writes a config script, which the Content-Security-Policy would refuse anyway (the
    charts need no script: they are drawn without tooltips)."""
    return mark_safe(_SVG_SCRIPT.sub("", svg or ""))  # noqa: S308 - our own chart markup


@register.simple_tag
def household_name(household) -> str:
    """A household as people know it: its head's name and village, the card number small
    beside them (the village is read from the household, so load it with the rows)."""
    if household is None:
        return ""
    name = " · ".join(p for p in (household.head_name, household.village.name) if p)
    return format_html(
        '<span class="household-name">{}</span> <small class="text-muted">{}</small>',
        name,
        household.card_number,
    )


@register.filter
def person(user) -> str:
    """Who did something, as colleagues know them: their name and role ("李明（乡镇干部）"),
    or their login name for an account without a profile. Load ``…__profile`` with the rows."""
    if user is None:
        return ""
    try:
        profile = user.profile
    except ObjectDoesNotExist:
        profile = None
    if profile is None:
        return user.get_username()
    return f"{profile.name}（{profile.get_role_display()}）"


def _address_of(name: str):
    """A function giving the address of view ``name`` for an object's pk: one address
    resolved, the others written from it, for pages of many rows (reverse() was the
    slowest part of a row)."""
    marker = 2_147_483_647
    before, after = reverse(name, args=[marker]).split(str(marker))
    return lambda pk: f"{before}{pk}{after}"


@register.simple_tag
def household_rows(households) -> str:
    """The household list's rows (``selectors.households_for_list``: dictionaries), written in
    one pass: drawn by the template language, 25 rows took longer than the query that reads
    them. The same markup as a template would give: every value escaped, dates localized."""
    escape = html.escape  # Django's escape() of a str, without its check for lazy text
    never = escape(gettext("never"))
    attributes = translated_labels(Household, "attribute")
    statuses = translated_labels(Household, "status")
    card_url = _address_of("households:detail")
    rows = []
    for h in households:
        village = h["village_name"] + (f" · {h['group_name']}" if h["group_name"] else "")
        visited = h["last_visit_on"]
        rows.append(
            "<tr>"
            f'<td><a href="{card_url(h["pk"])}">'
            f"{escape(h['head_name'] or h['card_number'])}</a></td>"
            f'<td class="id-number">{escape(mask_id(h["head_id_number"]))}</td>'
            f"<td>{escape(village)}</td>"
            f'<td class="text-end">{h["members_count"]}</td>'
            f"<td>{escape(attributes.get(h['attribute'], h['attribute']))}</td>"
            f'<td><span class="badge text-bg-{status_colour(h["status"])}">'
            f"{escape(statuses.get(h['status'], h['status']))}</span></td>"
            f"<td>{escape(h['cadre_name'] or '—')}</td>"
            f"<td>{escape(localize(visited)) if visited else never}</td>"
            "</tr>"
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - every value above is escaped


@register.simple_tag
def monitoring_rows(cases) -> str:
    """The open monitoring cases' rows (loaded with ``household__village`` and ``cadre``,
    each with its ``age`` in days), written in one pass: 50 rows drawn by the template
    language took most of the page. The same markup: every value escaped."""
    escape = html.escape  # Django's escape() of a str, without its check for lazy text
    card_url = _address_of("households:detail")
    rows = []
    for c in cases:
        household = c.household
        late = " text-danger fw-bold" if c.age > 90 else ""
        rows.append(
            f"<tr><td>{escape(household.village.name)}</td>"
            f'<td><a href="{card_url(household.pk)}#monitoring">'
            f"{escape(household.head_name or household.card_number)}</a></td>\n    "
            f"<td>{escape(c.get_category_display())}</td><td>{escape(c.reason)}</td>"
            f"<td>{escape(c.get_status_display())}</td>"
            f"<td>{escape((c.cadre.name if c.cadre else '') or '—')}</td>\n    "
            f'<td class="text-end{late}">{escape(localize(c.age))}</td></tr>'
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped


@register.simple_tag
def workload_rows(cadres, show_townships) -> str:
    """The pairing cadres' rows (``assistance.selectors.cadre_workload``, with ``township``
    loaded), written in one pass: 50 rows drawn by the template language, two addresses
    resolved for each, took most of the page. The same markup: every value escaped."""
    escape = html.escape  # Django's escape() of a str, without its check for lazy text
    households_url = reverse("households:list")
    reassign_url = _address_of("assistance:reassign")
    reassign = escape(gettext("Reassign"))
    rows = []
    for c in cadres:
        township = f"<td>{escape(c.township.name)}</td>" if show_townships else ""
        phone = escape(c.phone) if c.phone else ""
        link = f'<a href="tel:{phone}">{phone}</a>' if phone else ""
        pk = localize(c.pk)
        button = (
            f'<a class="btn btn-sm btn-outline-primary" href="{reassign_url(c.pk)}">{reassign}</a>'
            if c.households
            else ""
        )
        rows.append(
            f"\n    <tr><td>{escape(c.name)}</td>{township}<td>{escape(str(c.unit))}</td>"
            f'<td>{link}</td><td class="text-end"><a href="{households_url}?cadre={pk}">'
            f"{localize(c.households)}</a></td>\n      "
            f'<td class="text-end {"text-danger fw-bold" if c.overdue else ""}">'
            f"{localize(c.overdue)}</td>\n      <td>{button}</td></tr>\n  "
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped


@register.simple_tag
def visit_entry(visit, can_visit) -> str:
    """One visit as the card and the visit lists show it (load ``visitor__profile`` and
    ``photos`` with the visits), written in one pass: drawn by an included template, the 25
    visits of a list page took most of its time. Every value is escaped, the date localized,
    as the template language would."""
    escape = html.escape  # Django's escape() of a str, without its check for lazy text
    open_follow_up = visit.has_open_follow_up
    try:
        visitor = visit.visitor.profile.name or visit.visitor.get_username()
    except ObjectDoesNotExist:
        visitor = visit.visitor.get_username()
    parts = [
        f'<article id="visit-{visit.pk}" class="border-start border-3 ps-2 mb-3 '
        f'{"border-warning" if open_follow_up else "border-primary"}">\n'
        f'  <div class="small text-muted">{escape(localize(visit.visited_on))} · '
        f"{escape(str(visit.get_kind_display()))} · {escape(visitor)}\n    "
    ]
    if visit.acknowledged:
        who = gettext("acknowledged by %(who)s") % {"who": escape(visit.acknowledged_by)}
        parts.append(f' · <span class="text-success">{who}</span>')
    parts.append(f"</div>\n  <div>{linebreaksbr(visit.findings)}</div>\n  ")
    if visit.help_given:
        label = gettext("Help given")
        parts.append(
            f'<div><span class="text-muted">{label}:</span> {linebreaksbr(visit.help_given)}</div>'
        )
    parts.append("\n  ")
    if visit.follow_up:
        label = gettext("To follow up")
        parts.append(
            f'<div class="{"text-warning-emphasis" if open_follow_up else ""}">'
            f'<span class="text-muted">{label}:</span> {linebreaksbr(visit.follow_up)}</div>'
        )
    parts.append("\n  ")
    photos = visit.photos.all()
    if photos or can_visit:
        parts.append('<div class="d-flex gap-2 mt-1 flex-wrap align-items-center visit-photos">')
        for n, photo in enumerate(photos, start=1):
            url = reverse("households:photo", args=[photo.pk])
            alt = gettext("Visit photo %(n)s") % {"n": n}
            parts.append(
                f'<a href="{url}"><img src="{url}" alt="{alt}" '
                'class="rounded border visit-thumb" loading="lazy"></a>'
            )
        parts.append("\n    ")
        if can_visit:
            label = gettext("Add photos")
            parts.append(
                '<a class="btn btn-sm btn-outline-secondary btn-nowrap no-print" '
                f'href="{reverse("households:visit_photos_add", args=[visit.pk])}">{label}</a>'
            )
        parts.append("</div>")
    parts.append("\n</article>\n")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
