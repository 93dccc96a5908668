"""Train this stack's model at image build time on the digits data set scikit-learn ships."""

import os
import pickle
import sys
import warnings

from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

out = sys.argv[1] if len(sys.argv) > 1 else "/opt/ml/model"
X, y = load_digits(return_X_y=True)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    model = MLPClassifier(hidden_layer_sizes=(256, 256), max_iter=60, random_state=0).fit(X, y)
print(f"train_model: {type(model).__name__}, training accuracy {model.score(X, y):.3f}")
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "model.pkl"), "wb") as fh:
    pickle.dump(model, fh)
