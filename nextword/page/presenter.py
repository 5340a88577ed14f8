"""The presenter view, for a projector: large type, large chart labels, charts wide, sidebar closed.

`streamlit_app.py` asks `presenting()` before it sets the page up, so a link with `present=1`
opens with the sidebar collapsed; the charts' label sizes come from here, the view's CSS from
nextword/page/markup.py. Imports nothing but Streamlit: it runs before the title is drawn.
"""

from __future__ import annotations

import streamlit as st

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


def chart_spec(spec: dict) -> dict:
    """A Vega-Lite spec as this tab shows it: with large labels in the presenter view (a copy)."""
    if not presenting():
        return spec
    config = dict(spec.get("config") or {})
    for part, sizes in CHART_FONTS.items():
        config[part] = {**(config.get(part) or {}), **sizes}
    return {**spec, "config": config}
