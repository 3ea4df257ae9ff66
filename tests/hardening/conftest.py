"""Hypothesis profiles for the hardening suite, and a count of the examples it runs.

``HYPOTHESIS_PROFILE=thorough`` runs many more examples than the default
``ci`` profile (``dev`` sits between them); the totals are printed at the end
of the session (with pytest-xdist too, collected from the workers).
"""

import collections
import json
import os

from hypothesis import HealthCheck, settings

_COMMON = dict(
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
settings.register_profile("ci", max_examples=12, derandomize=True, **_COMMON)
settings.register_profile("dev", max_examples=60, **_COMMON)
settings.register_profile("thorough", max_examples=400, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

#: hypothesis examples run per test function (filled by ``tests.hardening._strategies.counted``)
EXAMPLES = collections.Counter()


def pytest_sessionfinish(session):
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: hand the counts to the controller
        workeroutput["hardening_examples"] = json.dumps(dict(EXAMPLES))


def pytest_testnodedown(node, error):
    counts = getattr(node, "workeroutput", {}).get("hardening_examples")
    if counts:
        EXAMPLES.update(json.loads(counts))


def pytest_terminal_summary(terminalreporter):
    if EXAMPLES:
        total = sum(EXAMPLES.values())
        terminalreporter.write_sep(
            "-",
            f"hardening: {total} hypothesis examples run in "
            f"{len(EXAMPLES)} property tests "
            f"(profile {settings._current_profile})",
        )
        if terminalreporter.config.option.verbose > 0:
            for name, n in sorted(EXAMPLES.items()):
                terminalreporter.write_line(f"  {n:6d}  {name}")
