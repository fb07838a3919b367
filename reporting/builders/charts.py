"""Charts for pages and PDFs (pygal SVG, in the PDFs' CJK font)."""

from pygal.style import Style

CHART_STYLE = Style(
    font_family="Noto Sans CJK SC",
    background="white",
    plot_background="white",
    colors=("#9b1c1c", "#1d4ed8"),
    title_font_size=14,
    label_font_size=11,
    major_label_font_size=11,
    value_font_size=10,
)


def chart(chart_class, title, labels, values, *, width=640, height=300) -> str:
    """One series as an SVG string, values printed on the bars or points."""
    svg = chart_class(
        style=CHART_STYLE,
        width=width,
        height=height,
        show_legend=False,
        title=title,
        disable_xml_declaration=True,
        js=[],
        print_values=True,
    )
    svg.x_labels = labels
    svg.add(title, values)
    return svg.render(is_unicode=True)
