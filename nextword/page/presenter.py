"""The presenter view, for a projector: large type, large chart labels, charts wide, sidebar closed.

`streamlit_app.py` asks `sidebar_state()` before it sets the page up, so a link with `present=1`
opens with the sidebar collapsed; the page's CSS (ours, fixed, never user text) and the charts'
label sizes come from here. Imports nothing but Streamlit: it runs before the title is drawn.
"""

from __future__ import annotations

import streamlit as st

PRESENTER_CSS = """<style>
[data-testid="stMain"] [data-testid="stMetricValue"] { font-size: 3.4rem; }
[data-testid="stMain"] [data-testid="stMetricLabel"] p { font-size: 1.35rem; }
[data-testid="stMain"] .stMarkdown p, [data-testid="stMain"] .stMarkdown li { font-size: 1.4rem; }
[data-testid="stMain"] [data-testid="stCaptionContainer"] p { font-size: 1.15rem; }
[data-testid="stMain"] pre code { font-size: 1.25rem; }
[data-testid="stMain"] h2 { font-size: 2.6rem; }
.nw-text { font-size: 2.6rem; }
</style>"""
PLAIN_CSS = "<style>/* the presenter view is off */</style>"
# Vega-Lite sizes (pixels) for the chart labels in the presenter view (the charts' own are 15).
CHART_FONTS = {
    "axis": {"labelFontSize": 22, "titleFontSize": 24},
    "legend": {"labelFontSize": 22, "titleFontSize": 22, "symbolSize": 220},
    "title": {"fontSize": 28},
    "text": {"fontSize": 22},
}


def presenting() -> bool:
    """Whether this tab shows the presenter view: its toggle, or before it is drawn, `present=1`."""
    if "present" in st.session_state:
        return bool(st.session_state["present"])
    return st.query_params.get("present", "").strip().lower() in ("1", "true", "yes", "on")


def sidebar_state() -> str:
    """The sidebar a script run asks for: collapsed for the projector, else Streamlit's own choice."""
    return "collapsed" if presenting() else "auto"


def presenter_style(on: bool) -> str:
    """Our CSS for the view (a style element on every run, so the page's layout never changes)."""
    return PRESENTER_CSS if on else PLAIN_CSS


def chart_spec(spec: dict) -> dict:
    """A Vega-Lite spec as this tab shows it: with large labels in the presenter view (a copy)."""
    if not presenting():
        return spec
    config = dict(spec.get("config") or {})
    for part, sizes in CHART_FONTS.items():
        config[part] = {**(config.get(part) or {}), **sizes}
    return {**spec, "config": config}
