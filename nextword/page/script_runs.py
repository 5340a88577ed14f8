"""A step Streamlit takes after each script run, turned off for a server that trains with Keras.

After every script run, each poll of a live panel included, Streamlit calls
`keras.backend.clear_session()` once Keras is imported: it resets Keras's state under the runs
training in their own threads, empties TensorFlow's kernel cache and collects all of Python's
garbage with the interpreter's lock held, which on a server holding thirty tabs' runs and charts
stalls every tab for seconds. nextword's runs own their models; there is nothing to clear.
"""

from __future__ import annotations

from streamlit.runtime.scriptrunner import script_runner


def keep_keras_session() -> None:
    """Stop Streamlit from clearing Keras's session after each script run (idempotent)."""
    if hasattr(script_runner, "_clean_problem_modules"):  # Streamlit's own hook; gone: nothing to do
        script_runner._clean_problem_modules = lambda: None
