"""nextword: train a small LSTM to predict the next word of a short story, as in "LSTM by Example".

The package is a library shared by two drivers, the Streamlit page and the command line. Import the
submodules you need (`nextword.text.corpus`, `nextword.training.registry`, ...); this file
imports none of them so that `import nextword` stays instant.
"""

__version__ = "0.1.0"
