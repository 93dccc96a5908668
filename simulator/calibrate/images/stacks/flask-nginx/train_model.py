"""Train this stack's model at image build time on the digits data set scikit-learn ships."""

import os
import pickle
import sys

from sklearn.datasets import load_digits
from sklearn.ensemble import RandomForestClassifier

out = sys.argv[1] if len(sys.argv) > 1 else "/opt/ml/model"
X, y = load_digits(return_X_y=True)
model = RandomForestClassifier(n_estimators=100, max_depth=12, random_state=0, n_jobs=1).fit(X, y)
print(f"train_model: {type(model).__name__}, training accuracy {model.score(X, y):.3f}")
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "model.pkl"), "wb") as fh:
    pickle.dump(model, fh)
