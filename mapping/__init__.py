"""EU cluster-mapping dashboard: the domain package (no Streamlit outside mapping/ui)."""

from __future__ import annotations

__version__ = "0.1.0"
