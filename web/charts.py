"""Server-rendered SVG charts for the dashboard: no JavaScript, no build step.

Labels are escaped text nodes; sizes are in SVG user units and scale with the page.
"""

from __future__ import annotations

from html import escape

WIDTH, HEIGHT, MARGIN = 640, 220, 30
# Colour-blind-safe palette (Okabe–Ito), repeated when there are more series.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")


def stacked_bars(series: dict[str, dict[str, int]]) -> str:
    """One bar per column key (e.g. week), stacked by series (e.g. department), with a legend."""
    columns = sorted({key for values in series.values() for key in values})
    if not columns:
        return _empty()
    totals = [sum(values.get(c, 0) for values in series.values()) for c in columns]
    top = max(totals) or 1
    step = (WIDTH - 2 * MARGIN) / len(columns)
    parts = []
    for i, column in enumerate(columns):
        x, y = MARGIN + i * step + step * 0.15, HEIGHT - MARGIN
        for n, (name, values) in enumerate(sorted(series.items())):
            height = values.get(column, 0) / top * (HEIGHT - 2 * MARGIN)
            if height:
                y -= height
                parts.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" '
                    f'height="{height:.1f}" fill="{PALETTE[n % len(PALETTE)]}">'
                    f"<title>{escape(name)} {escape(column)}: "
                    f"{values.get(column, 0)}건</title></rect>"
                )
        parts.append(
            f'<text x="{x + step * 0.35:.1f}" y="{HEIGHT - MARGIN + 14}" font-size="10" '
            f'text-anchor="middle">{escape(column[-3:])}</text>'
        )
        parts.append(
            f'<text x="{x + step * 0.35:.1f}" '
            f'y="{HEIGHT - MARGIN - 4 - totals[i] / top * (HEIGHT - 2 * MARGIN):.1f}" '
            f'font-size="10" text-anchor="middle">{totals[i]}</text>'
        )
    legend = [
        f'<tspan fill="{PALETTE[n % len(PALETTE)]}">■</tspan> {escape(name)} '
        for n, name in enumerate(sorted(series))
    ]
    parts.append(f'<text x="{MARGIN}" y="14" font-size="11">{"".join(legend)}</text>')
    return _svg(parts, "부서별 주간 접수량")


def compliance_bars(months: dict[str, dict[str, int]]) -> str:
    """Per month: the share closed on time (green), late (orange) and open past due (red)."""
    if not months:
        return _empty()
    keys = (
        ("on_time", "#009E73", "기한 내 처리"),
        ("late", "#E69F00", "기한 넘겨 처리"),
        ("overdue", "#D55E00", "기한 지남(미처리)"),
    )
    step = (WIDTH - 2 * MARGIN) / len(months)
    parts = []
    for i, (month, counts) in enumerate(sorted(months.items())):
        total = sum(counts.values()) or 1
        x, y = MARGIN + i * step + step * 0.15, HEIGHT - MARGIN
        for key, colour, label in keys:
            height = counts.get(key, 0) / total * (HEIGHT - 2 * MARGIN)
            if height:
                y -= height
                parts.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" '
                    f'height="{height:.1f}" fill="{colour}"><title>{escape(month)} '
                    f"{label}: {counts.get(key, 0)}건</title></rect>"
                )
        rate = counts.get("on_time", 0) / total
        parts.append(
            f'<text x="{x + step * 0.35:.1f}" y="{HEIGHT - MARGIN + 14}" font-size="10" '
            f'text-anchor="middle">{escape(month)} ({rate:.0%})</text>'
        )
    legend = "".join(f'<tspan fill="{colour}">■</tspan> {label} ' for _, colour, label in keys)
    parts.append(f'<text x="{MARGIN}" y="14" font-size="11">{legend}</text>')
    return _svg(parts, "월별 처리기한 준수")


def average_bars(rows: list[dict], *, top: float = 5.0) -> str:
    """Horizontal bars of the average score per department over every month shown."""
    totals: dict[str, list[float]] = {}
    for row in rows:
        entry = totals.setdefault(row["department"], [0.0, 0])
        entry[0] += row["average"] * row["count"]
        entry[1] += row["count"]
    if not totals:
        return _empty()
    step = (HEIGHT - 2 * MARGIN) / len(totals)
    parts = []
    for i, (department, (weighted, count)) in enumerate(sorted(totals.items())):
        average = weighted / count
        y = MARGIN + i * step
        width = average / top * (WIDTH - 200)
        parts.append(
            f'<text x="4" y="{y + step * 0.6:.1f}" font-size="11">{escape(department)}</text>'
        )
        parts.append(
            f'<rect x="150" y="{y + step * 0.15:.1f}" width="{width:.1f}" '
            f'height="{step * 0.7:.1f}" fill="{PALETTE[0]}"><title>{escape(department)}: '
            f"{average:.2f}점 ({count}명)</title></rect>"
        )
        parts.append(
            f'<text x="{155 + width:.1f}" y="{y + step * 0.6:.1f}" font-size="11">'
            f"{average:.1f}점 ({count}명)</text>"
        )
    return _svg(parts, "부서별 만족도 평균")


def _svg(parts: list[str], title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>{"".join(parts)}</svg>'
    )


def _empty() -> str:
    return _svg(
        [f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle">자료가 없습니다</text>'],
        "자료 없음",
    )
