"""Scoring (numpy only) and the HTTP API around it."""
