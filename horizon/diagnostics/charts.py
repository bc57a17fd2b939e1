"""The maturity profile of a diagnostic as an SVG chart, drawn on the server for the page and the PDF alike.

One horizontal bar per theme on the scale (0 to 4), the level written next to it, and the previous diagnostic's
level as a diamond when there is one: shape and text carry the meaning, never colour alone. The colours keep at
least 3:1 against what surrounds them (WCAG 2.1 non-text contrast) and the text at least 4.5:1. Every text is
escaped. The chart is an image for assistive technologies (role="img", a title and a description); the page
shows the same figures in a table next to it.
"""

from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import mark_safe

WIDTH = 600  # the drawing's own units; it is scaled to the space it is given
NARROW_WIDTH = 340  # for phones: labels wrap sooner, the text stays readable once scaled down
MARGIN = 10
VALUE_WIDTH = 116  # right-hand column: "3 sur 4", "Non évalué"
AXIS_HEIGHT = 30
LINE_HEIGHT = 19
CHAR_WIDTH = 8.6  # average width of a character of the labels (15 units high)
BAR_HEIGHT = 18
ROW_GAP = 14
LEGEND_LINE = 24

TEXT = "#1e1e1e"  # 16.5:1 on white
MUTED = "#4a4f55"  # 8.3:1 on white
BAR = "#1d4f91"  # 8.6:1 on white, 7.3:1 on the track
TRACK = "#e9edf2"
TRACK_EDGE = "#6c7682"  # 4.6:1 on white: the empty track stays visible
GRID = "#8a949f"
MARKER = "#b3261e"  # 6.5:1 on white, 5.5:1 on the track; a white outline sets it off the bar


@dataclass(frozen=True)
class ChartRow:
    label: str
    level: int | None
    previous_level: int | None = None


def wrap(text, width):
    """The words of `text` in lines of at most `width` characters (a longer word stands alone)."""
    lines, current = [], ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        lines.append(current)
    return lines or [""]


def _diamond(x, y, size=8):
    return format_html(
        '<polygon points="{},{} {},{} {},{} {},{}" fill="{}" stroke="#ffffff" stroke-width="2"/>',
        x,
        y - size,
        x + size,
        y,
        x,
        y + size,
        x - size,
        y,
        MARKER,
    )


def maturity_chart(
    rows,
    *,
    scale_min=0,
    scale_max=4,
    id_prefix="profil",
    title="Profil de maturité par thème",
    current_label="Niveau de ce diagnostic",
    previous_label=None,
    font_family=None,
    css_class="maturity-chart",
    width=WIDTH,
):
    """SVG markup (safe string) of the maturity profile of `rows` (ChartRow), in their order.

    `previous_label` names the previous diagnostic in the legend; its markers are drawn only when it is given.
    """
    rows = list(rows)
    plot_left = MARGIN + 8
    plot_right = width - VALUE_WIDTH
    label_chars = int((width - 2 * MARGIN) / CHAR_WIDTH)
    span = scale_max - scale_min

    def x_of(level):
        return round(plot_left + (level - scale_min) * (plot_right - plot_left) / span, 1)

    def ticks(baseline):
        return [
            format_html(
                '<text x="{}" y="{}" font-size="13" text-anchor="middle" fill="{}">{}</text>',
                x_of(level),
                baseline,
                MUTED,
                level,
            )
            for level in range(scale_min, scale_max + 1)
        ]

    tracks, grid, bars, labels = [], [], [], ticks(AXIS_HEIGHT - 12)
    y = AXIS_HEIGHT
    for row in rows:
        lines = wrap(row.label, label_chars)
        for index, line in enumerate(lines):
            labels.append(
                format_html(
                    '<text x="{}" y="{}" font-size="15" fill="{}">{}</text>',
                    MARGIN,
                    y + 15 + index * LINE_HEIGHT,
                    TEXT,
                    line,
                )
            )
        bar_y = y + len(lines) * LINE_HEIGHT + 6
        tracks.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="{}" stroke-width="1"{}/>',
                plot_left,
                bar_y,
                plot_right - plot_left,
                BAR_HEIGHT,
                TRACK,
                TRACK_EDGE,
                mark_safe(' stroke-dasharray="4 3"') if row.level is None else "",
            )
        )
        # The scale's graduations across the track, under the bar.
        grid += [
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1" stroke-dasharray="2 2"/>',
                x_of(level),
                bar_y - 3,
                x_of(level),
                bar_y + BAR_HEIGHT + 3,
                GRID,
            )
            for level in range(scale_min + 1, scale_max)
        ]
        if row.level is not None and row.level > scale_min:
            bars.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
                    plot_left,
                    bar_y,
                    round(x_of(row.level) - plot_left, 1),
                    BAR_HEIGHT,
                    BAR,
                )
            )
        if previous_label is not None and row.previous_level is not None:
            bars.append(_diamond(x_of(row.previous_level), bar_y + BAR_HEIGHT / 2))
        value = "Non évalué" if row.level is None else f"{row.level} sur {scale_max}"
        bars.append(
            format_html(
                '<text x="{}" y="{}" font-size="14" font-weight="bold" fill="{}">{}</text>',
                plot_right + 12,
                bar_y + 14,
                TEXT if row.level is not None else MUTED,
                value,
            )
        )
        y = bar_y + BAR_HEIGHT + ROW_GAP
    labels += ticks(y + 8)
    plot_bottom = y + 8

    legend, y = [], plot_bottom + 4
    legend_chars = int((width - MARGIN - 30) / (CHAR_WIDTH * 13 / 15))
    entries = [("bar", current_label)] + ([("diamond", previous_label)] if previous_label is not None else [])
    for symbol, text in entries:
        lines = wrap(text, legend_chars)
        y += LEGEND_LINE - 6
        if symbol == "bar":
            legend.append(format_html('<rect x="{}" y="{}" width="22" height="12" fill="{}"/>', MARGIN, y - 10, BAR))
        else:
            legend.append(_diamond(MARGIN + 11, y - 4, size=7))
        for index, line in enumerate(lines):
            legend.append(
                format_html(
                    '<text x="{}" y="{}" font-size="13" fill="{}">{}</text>', MARGIN + 30, y + index * 17, TEXT, line
                )
            )
        y += (len(lines) - 1) * 17 + 6
    height = y + 10

    title_id, desc_id = f"{id_prefix}-titre", f"{id_prefix}-description"
    description = (
        f"Barres horizontales : le niveau atteint dans chacun des {len(rows)} thèmes, sur une échelle de "
        f"{scale_min} à {scale_max}"
        + (" ; un losange marque le niveau du diagnostic précédent" if previous_label is not None else "")
        + ". Les mêmes données figurent dans le tableau qui suit."
    )
    font = format_html(' font-family="{}"', font_family) if font_family else ""
    header = format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="{}" viewBox="0 0 {} {}" width="{}" '
        'height="{}" role="img" aria-labelledby="{}" aria-describedby="{}"{}>'
        '<title id="{}">{}</title><desc id="{}">{}</desc>',
        css_class,
        width,
        height,
        width,
        height,
        title_id,
        desc_id,
        font,
        title_id,
        title,
        desc_id,
        description,
    )
    parts = [header, *tracks, *grid, *bars, *labels, *legend]
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))  # every part comes from format_html: its values are escaped
