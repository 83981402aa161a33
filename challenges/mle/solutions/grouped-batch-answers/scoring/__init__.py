"""Churn scoring without a web framework: the per-contract models (model.py) and a standard
library HTTP server (server.py). Only numpy is needed to serve."""
