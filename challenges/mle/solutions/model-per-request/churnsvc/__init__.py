"""aiohttp service for the churn model: `python -m churnsvc`."""
