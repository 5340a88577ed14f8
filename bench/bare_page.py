"""A bare Streamlit page for bench/page.py to set nextword's "ready" beside: its title, four sidebar
sliders and a Train button, served the same way in the same run."""

import streamlit as st

st.set_page_config(page_title="nextword: an LSTM learns a story", page_icon="📖", layout="wide")
st.title("nextword: watch an LSTM learn to predict the next word")
with st.sidebar:
    st.header("Settings")
    st.slider("Context length (n_input)", 1, 10, 3)
    st.slider("LSTM layers", 1, 4, 1)
    st.select_slider("Training steps", (50, 100, 200, 300, 500, 1000), 500)
    st.slider("Hold out (% of the story's end)", 0, 50, 0)
st.header("2 · Train")
st.button("Train", type="primary")
