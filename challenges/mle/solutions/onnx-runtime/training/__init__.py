"""Offline training: fit the scikit-learn pipeline and export it to ONNX."""
