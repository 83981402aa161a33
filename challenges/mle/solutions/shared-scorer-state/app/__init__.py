"""Churn scoring service: the scorer (scorer.py) and the Bottle app (web.py)."""
