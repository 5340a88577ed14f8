"""Charts: altair builders, plain data in and a chart out.

No Streamlit and no model code, so every chart can be built and checked in a test.
"""
