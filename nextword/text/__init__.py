"""Text: story bytes → text → symbols → vocabulary → windows → the data a run trains on.

No TensorFlow and no Streamlit here: plain Python and numpy, shared by the page, the CLI and the
training package.
"""
