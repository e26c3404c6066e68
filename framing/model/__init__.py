"""The frame model: TF-IDF rows, the linear head, the decision and evidence, storage and card."""
