"""The Streamlit page: the only part of nextword that imports streamlit (see app.py for the order)."""
