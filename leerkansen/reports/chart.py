"""The report's bar chart of the nine challenge scores, drawn as inline SVG by the server."""

from __future__ import annotations

from dataclasses import dataclass

from leerkansen.content.catalogue import Catalogue
from leerkansen.scoring.scales import score_value

# The challenge colours of the design system (leerkansen.css, --challenge-N). The chart needs
# them as SVG attributes: WeasyPrint does not apply the page's CSS inside an inline SVG, and a
# strict CSP rules out a <style> element. A test keeps both lists equal.
CHALLENGE_COLOURS = {
    1: "#b45309",
    2: "#6d28d9",
    3: "#0369a1",
    4: "#047857",
    5: "#be123c",
    6: "#3730a3",
    7: "#0f766e",
    8: "#4d7c0f",
    9: "#a21caf",
}

# Chart geometry in CSS pixels; bars are a share of the width so the chart fits any screen.
CHART_ROW_HEIGHT = 48
CHART_LABEL_BASELINE = 17
CHART_BAR_TOP = 25
CHART_BAR_HEIGHT = 16
# A score of 100 fills this share of the width; the rest holds the number.
CHART_FULL_BAR_PERCENT = 85


@dataclass(frozen=True)
class ChartRow:
    number: int
    title: str
    full_title: str
    score: float | None
    # Rounded half up, as in the reasons ("scoort 73 op 100"): scales.score_value.
    value: int | None
    colour: str
    # Positions as strings: Django would write a float with a decimal comma in Dutch.
    bar_width: str
    label_y: int
    bar_y: int
    value_y: int


@dataclass(frozen=True)
class Chart:
    rows: tuple[ChartRow, ...]
    height: int
    track_width: str
    has_missing: bool


def chart(scores: dict[str, float | None], catalogue: Catalogue) -> Chart:
    """One row per challenge, in challenge order; a missing score has no bar."""
    rows = []
    for index, challenge in enumerate(catalogue.challenges):
        score = scores.get(str(challenge.number))
        top = index * CHART_ROW_HEIGHT
        width = 0.0 if score is None else score * CHART_FULL_BAR_PERCENT / 100
        rows.append(
            ChartRow(
                number=challenge.number,
                title=challenge.short_title,
                full_title=challenge.title,
                score=score,
                value=score_value(score),
                colour=CHALLENGE_COLOURS[challenge.number],
                bar_width=f"{width:.2f}%",
                label_y=top + CHART_LABEL_BASELINE,
                bar_y=top + CHART_BAR_TOP,
                value_y=top + CHART_BAR_TOP + CHART_BAR_HEIGHT - 3,
            )
        )
    return Chart(
        rows=tuple(rows),
        height=len(rows) * CHART_ROW_HEIGHT,
        track_width=f"{CHART_FULL_BAR_PERCENT}%",
        has_missing=any(row.score is None for row in rows),
    )
