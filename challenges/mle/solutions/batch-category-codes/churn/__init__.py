"""Churn scoring: shared feature preparation (features.py) and the Starlette API (api.py)."""
