"""Churn scoring service: features shared by training and serving, and the Flask app."""
