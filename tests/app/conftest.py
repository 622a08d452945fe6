"""AppTest helpers live in tests/conftest.py (``app_test``), shared with the robustness tests."""
