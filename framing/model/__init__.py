"""The frame model: TF-IDF rows, the linear head, the decision and evidence, storage and card."""

from framing.model.frame_model import FrameModel, LinearHead, Prediction
from framing.model.storage import load_model, save_model

__all__ = ["FrameModel", "LinearHead", "Prediction", "load_model", "save_model"]
