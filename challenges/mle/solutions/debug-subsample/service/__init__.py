"""The Litestar churn API (main.py)."""
