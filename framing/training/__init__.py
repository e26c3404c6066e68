"""Training and evaluation: features and fitting (scikit-learn), thresholds, CV, agreement."""
