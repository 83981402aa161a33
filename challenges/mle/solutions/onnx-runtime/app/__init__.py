"""The churn API: an ONNX graph behind FastAPI."""
