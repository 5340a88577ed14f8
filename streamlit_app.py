"""nextword in the browser: pick a story, train a small LSTM live, then ask it for the next word.

Run with `streamlit run streamlit_app.py`. The page lives in `nextword/page/`; this file draws the
title before the page's heavier imports (numpy, pandas, altair: about 0.4 s on a fresh server), so
the browser shows the heading while the rest of the first script run loads.
"""

import streamlit as st

from nextword.page.presenter import presenting

st.set_page_config(
    page_title="nextword: an LSTM learns a story",
    page_icon="📖",
    layout="wide",
    initial_sidebar_state="collapsed" if presenting() else "auto",  # for the projector
)
st.title("nextword: watch an LSTM learn to predict the next word")
st.markdown(
    "Pick a story, press **Train** and watch a small LSTM network learn, live, to guess each word "
    "from the few before it. Then ask for its best guesses and let it write. After the article "
    "*LSTM by Example using TensorFlow*."
)

from nextword.page.app import main  # noqa: E402 - after the title, on purpose (see the docstring)

main()
