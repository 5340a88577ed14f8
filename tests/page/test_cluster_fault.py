"""A page whose runs live on a cluster it cannot reach says so in a sentence, never a traceback."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.page_server import free_port
from tests.steps import APP, TIMEOUT, assert_no_exception, error_messages


@pytest.mark.slow  # starts the page
def test_a_cluster_out_of_reach_is_said_on_the_page(monkeypatch):
    address = f"127.0.0.1:{free_port()}"
    monkeypatch.setenv("NEXTWORD_RAY_ADDRESS", address)
    st.cache_resource.clear()
    try:
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        at.run()
        assert_no_exception(at)
        assert error_messages(at) == [
            f"The server cannot reach the cluster that trains the runs ({address}). Ask whoever runs "
            "this server to check that it is up; the page works again once it is."
        ]
    finally:
        st.cache_resource.clear()
