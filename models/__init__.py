"""The red-line classifier: pipeline, training, evaluation, corpus (data/) and artifacts."""
