"""The estimator part of ``skaudio demo``: a tiny SE-CNN cross-validated on log-mel batches."""

from skaudio.models.classifiers import SECNNClassifier

__all__ = ["tiny_secnn", "demo_cross_validate"]


def tiny_secnn(random_state=0, n_jobs=None):
    """An SE-CNN small enough to cross-validate on a few hundred clips in seconds."""
    return SECNNClassifier(
        module__width=8,
        module__n_blocks=3,
        module__head=(32,),
        module__dropout=0.1,
        lr=3e-3,
        batch_size=16,
        max_epochs=8,
        early_stopping=False,
        mixup_alpha=0.0,
        noise=None,
        spec_augment=None,
        random_crop=None,
        random_state=random_state,
        n_jobs=n_jobs,
    )


def demo_cross_validate(S, y, cv, random_state=0, n_jobs=None):
    """Cross-validate :func:`tiny_secnn` on log-mel spectrograms ``S``.

    Returns ``cross_validate``'s dict with accuracy, top-2 accuracy, macro ROC AUC and
    d-prime per fold.
    """
    from sklearn.model_selection import cross_validate

    from skaudio.metrics import make_classification_scorer

    scoring = {
        "accuracy": "accuracy",
        "top2": make_classification_scorer("top_k", k=2),
        "roc_auc_macro": make_classification_scorer("roc_auc_macro"),
        "d_prime": make_classification_scorer("d_prime"),
    }
    return cross_validate(tiny_secnn(random_state, n_jobs), S, y, cv=cv, scoring=scoring)
