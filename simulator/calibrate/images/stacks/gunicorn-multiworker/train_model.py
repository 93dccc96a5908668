"""Train this stack's model at image build time on the digits data set scikit-learn ships."""

import os
import pickle
import sys

from sklearn.datasets import load_digits
from sklearn.svm import SVC

out = sys.argv[1] if len(sys.argv) > 1 else "/opt/ml/model"
X, y = load_digits(return_X_y=True)
model = SVC(kernel="poly", degree=3, probability=False).fit(X, y)
print(
    f"train_model: {type(model).__name__}, training accuracy {model.score(X, y):.3f}, "
    f"{model.n_support_.sum()} support vectors"
)
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "model.pkl"), "wb") as fh:
    pickle.dump(model, fh)
