"""Inference: what a trained model says, in numpy: the forward pass, the predictor, the n-gram
yardstick, and which generated text is copied from the story.

No TensorFlow here: a predictor works from weights copied out of a model once.
"""
