"""A script run, each poll of a live panel included, leaves the Keras session of the runs alone."""

from __future__ import annotations

import pytest

from nextword.training.tensorflow_runtime import import_keras

pytestmark = pytest.mark.slow  # imports Keras


def test_a_script_run_does_not_clear_the_keras_session(app, monkeypatch):
    keras = import_keras()  # after the page's own background import, never beside it
    cleared = []
    monkeypatch.setattr(keras.backend, "clear_session", lambda *args, **kwargs: cleared.append(args))
    app.sidebar.slider(key="n_input").set_value(4).run()
    app.run()
    assert cleared == []
