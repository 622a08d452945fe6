"""Streamlit-only helpers: cached data access, URL state, figure cards."""
