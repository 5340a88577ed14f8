"""Training: the Keras model, the run and its thread, the compiled steps, progress, the registry,
checkpoints and the experiments.

The only package that imports TensorFlow and Keras (a test checks it), always lazily through
`nextword.training.tensorflow_runtime`, so importing these modules costs no TensorFlow start-up.
"""
