"""Reading pages as a user sees them: the tables their HTML shows."""

import lxml.html
from django.urls import reverse


def village_rows(response) -> dict[str, list[str]]:
    """The village list's table as shown: each village's cells, by its name."""
    rows = lxml.html.fromstring(response.content).xpath("//table/tbody/tr")
    cells = [[td.text_content().strip() for td in row.xpath("td")] for row in rows]
    return {c[0].split()[0]: c for c in cells}


def village_exit_rows(client, year: int):
    """The village-exit page's rows as the rule gives them (``village_exit_rows``), each
    checked against what the page shows for its village: the verdict and the incidence."""
    from households.selectors import village_exit_rows as rule_rows

    response = client.get(reverse("villages:exit"), {"year": year})
    assert response.status_code == 200
    page = lxml.html.fromstring(response.content)
    rows = rule_rows(response.wsgi_request.user, year=year)
    for row in rows:
        (shown,) = page.xpath(f"//tr[@id='village-{row.village.pk}']")
        cells = [td.text_content().strip() for td in shown.xpath("td")]
        assert cells[0].startswith(row.village.name)
        assert cells[3] == (str(row.incidence) if row.incidence is not None else "—"), cells
        verdict = {"success": row.qualifies, "secondary": row.applicable and not row.qualifies}
        for colour, expected in verdict.items():
            assert bool(shown.xpath(f".//span[contains(@class, 'text-bg-{colour}')]")) == expected
    return rows
