"""Every Python block of the README and of the pages under docs/ runs as written, in page order.

One test per page, one namespace per page (a reader pasting the blocks into one session).
The blocks are found by sybil (https://sybil.readthedocs.io), which reads
``.. code-block:: python`` directives of the ``.rst`` pages (a block that starts with
``>>>`` is run as a doctest, its printed output compared) and ```python fences of the
README. A block that cannot run here (a real download, a cluster address, a GPU, a
data set that is not in ``../shared/data``) is marked in the page source with sybil's
skip comment, which the rendered page does not show::

    .. skip: next "needs a scheduler at tcp://..."            (rst)
    <!-- skip: next "needs a scheduler at tcp://..." -->      (README)

A condition may decide, evaluated in the page's namespace, which starts with
``SHARED_DATA`` (the ``../shared/data`` folder, or ``None`` when it is absent):
``.. skip: next if(SHARED_DATA is None, reason="needs ../shared/data")``.
Any other block that raises fails its page's test, naming the page and line.

The blocks run in an empty temporary folder with ``../shared/data`` beside it (a link
to the real one), as a reader runs them from the repository root; so a block reads
``"../shared/data/esc10"`` and writes ``"weights.pt"`` without touching the checkout.
Input that stands for the reader's own (``list_of_paths``) may come from a
``.. invisible-code-block: python`` that the rendered page does not show.

So that no block escapes the runner, every literal block of the docs must say its
language (``.. code-block:: python``, ``bash``, ``text``, ...): a bare ``::`` block,
which Sphinx would highlight as Python but sybil does not see, fails
:func:`test_every_docs_literal_block_names_its_language`.

Some pages get checks beyond "it runs" (shapes and values their prose promises), in
``PAGE_CHECKS``; they were the per-page runners test_readme.py and test_docs_*.py.
"""

import re
import sys
import tempfile
import unittest
import warnings

import numpy as np
import pytest
from sybil import Document
from sybil.evaluators.skip import Skipper
from sybil.parsers.abstract.codeblock import PythonDocTestOrCodeBlockParser
from sybil.parsers.markdown import PythonCodeBlockParser as MarkdownPythonParser
from sybil.parsers.markdown import SkipParser as MarkdownSkipParser
from sybil.parsers.rest import CodeBlockParser, SkipParser

from tests.conftest import REPO, shared_data_dir


class _RestPythonParser(PythonDocTestOrCodeBlockParser):
    """``.. code-block:: python`` blocks; those that start with ``>>>`` are doctests."""

    codeblock_parser_class = CodeBlockParser


def _pages():
    """README first, then the docs in the order of their table of contents."""
    docs = REPO / "docs"
    guide = sorted((docs / "user_guide").glob("*.rst"))
    api = sorted((docs / "api").glob("*.rst"))
    return [
        REPO / "README.md",
        docs / "index.rst",
        docs / "getting_started.rst",
        *guide,
        *api,
        docs / "design.rst",
        docs / "changes.rst",
    ]


PAGES = _pages()


def _parse(path):
    if path.suffix == ".md":
        parsers = [MarkdownPythonParser(), MarkdownSkipParser()]
    else:
        parsers = [_RestPythonParser(), SkipParser()]
    return Document.parse(str(path), *parsers)


def _python_examples(document):
    return [e for e in document if not isinstance(e.region.evaluator, Skipper)]


def run_page(path):
    """Run one page's blocks in order in a fresh namespace; return (namespace, skipped lines)."""
    document = _parse(path)
    data = shared_data_dir()
    document.namespace.update({"__name__": "docs_page", "SHARED_DATA": data if data.is_dir() else None})
    skipped = []
    for example in document:
        try:
            example.evaluate()
        except unittest.SkipTest as reason:
            skipped.append((example.line, str(reason)))
        except Exception as exc:
            where = f"{path.relative_to(REPO) if path.is_relative_to(REPO) else path.name}:{example.line}"
            raise AssertionError(f"the block at {where} fails: {type(exc).__name__}: {exc}") from exc
    namespace = dict(document.namespace)
    return namespace, skipped


# ----------------------------------------------------------------------------------------
# Page fixtures and the checks beyond "it runs"


def _check_readme(ns, out, warned):
    assert ns["scores"].mean() > 0.5
    assert ns["table"].shape == (12, 16)


def _check_datasets(ns, out, warned):
    assert ns["rav"].data.shape == (24, 8000) and len(ns["scores"]["test_score"]) == 3
    assert len(ns["fold_scores"]["test_score"]) == 3 and ns["us"].data.shape == (12, 8000)
    assert ns["gt"].frame.groupby("split").size().to_dict() == {"test": 3, "train": 3, "validation": 3}
    ((train, valid),) = ns["protocol_cv"](ns["gt"], test="validation").split(ns["gt"].data)
    assert set(ns["gt"].split[train]) == {"train"} and set(ns["gt"].split[valid]) == {"validation"}
    assert ns["fsdd"].data.shape == (18, 4000)
    by_speaker = [len(set(ns["fsdd"].speaker[te])) for _, te in ns["by_speaker"].split(ns["fsdd"].data)]
    assert by_speaker == [1, 1, 1]
    assert sorted(ns["sc"].split) == ["test", "test", "train", "train", "validation", "validation"]
    assert ns["features"].shape[0] == 8 and isinstance(ns["features"], np.memmap)
    assert len(ns["vgg"].filenames) == 3
    assert "(24, 8000)" in out
    assert any("1 metadata rows whose audio is missing" in w for w in warned)
    code = "\n".join(str(e.parsed) for e in _python_examples(_parse(REPO / "docs/user_guide/datasets.rst")))
    for loader in ["load_urbansound8k", "load_ravdess", "load_cremad", "load_gtzan", "load_fsdd"]:
        assert f"{loader}(" in code, f"the guide has no runnable example of {loader}"
    for loader in ["load_speech_commands", "load_voxceleb1", "load_vggsound"]:
        assert f"{loader}(" in code, f"the guide has no runnable example of {loader}"


def _check_descriptors(ns, out, warned):
    assert ns["M"].shape == (4, 13, 44)
    np.testing.assert_allclose(ns["M_again"], ns["M"], atol=1e-3)
    assert ns["D"].shape == (4, 39, 44) and ns["table"].shape == (4, 78)
    assert ns["C"].shape == (4, 12, 44) and (ns["C"].mean(axis=2).argmax(axis=1) == 9).all()  # A
    assert list(ns["F"].columns[:2]) == ["centroid_mean", "centroid_std"] and ns["F"].shape == (4, 26)
    assert ns["harmonic"].shape == ns["percussive"].shape == ns["S"].shape
    assert ns["percussive"].sum() < ns["harmonic"].sum()  # the tone carries most energy


def _check_scaling(ns, out, warned):
    assert ns["S_disk"].shape == (60, 32, 32)
    assert set(ns["search"].best_params_) == {"pool__method"}


def _check_training(ns, out, warned):
    assert ns["S"].shape == (48, 32, 32)
    assert len(ns["again"].history) == 4


PAGE_CHECKS = {
    "README.md": _check_readme,
    "docs/user_guide/datasets.rst": _check_datasets,
    "docs/user_guide/descriptors.rst": _check_descriptors,
    "docs/user_guide/scaling.rst": _check_scaling,
    "docs/user_guide/training_at_scale.rst": _check_training,
}


class _Shared:
    """Stands for the guide's ``LocalCluster(...)``/``Client(...)``: the session's cluster, left open."""

    def __init__(self, target):
        self._target = target

    def __getattr__(self, name):
        return getattr(self._target, name)

    def close(self):
        pass


def _prepare_scaling(request, monkeypatch):
    distributed = pytest.importorskip("dask.distributed")
    client = request.getfixturevalue("dask_client")
    # the guide starts a two-worker LocalCluster; reuse the session's identical one (started once)
    monkeypatch.setattr(distributed, "LocalCluster", lambda **kw: _Shared(client.cluster))
    monkeypatch.setattr(distributed, "Client", lambda *a, **kw: _Shared(client))
    request.addfinalizer(lambda: None if client.status == "running" else pytest.fail("cluster closed"))


def _prepare_training(request, monkeypatch):
    accelerate = pytest.importorskip("accelerate")
    request.addfinalizer(lambda: accelerate.state.AcceleratorState._reset_state(reset_partial_state=True))


PAGE_PREPARE = {
    "docs/user_guide/scaling.rst": _prepare_scaling,
    "docs/user_guide/training_at_scale.rst": _prepare_training,
}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(REPO)))
def test_docs_page_runs_as_written(page, request, tmp_path, monkeypatch, capsys):
    name = str(page.relative_to(REPO))
    if name in PAGE_PREPARE:
        PAGE_PREPARE[name](request, monkeypatch)
    # The blocks run in an empty folder laid out like the repository's: files they write
    # (weights, tables) land there, and "../shared/data" beside it is the real one.
    work = tmp_path / "work"
    work.mkdir()
    data = shared_data_dir()
    if data.is_dir():
        (tmp_path / "shared").mkdir()
        (tmp_path / "shared" / "data").symlink_to(data.resolve(), target_is_directory=True)
    monkeypatch.chdir(work)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # and so do their mkdtemp() folders
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            namespace, skipped = run_page(page)
        finally:
            if "matplotlib.pyplot" in sys.modules:
                sys.modules["matplotlib.pyplot"].close("all")
    out = capsys.readouterr().out
    if name in PAGE_CHECKS:
        PAGE_CHECKS[name](namespace, out, [str(w.message) for w in caught])
    for line, reason in skipped:
        print(f"{name}:{line} skipped: {reason}")


def test_pages_with_checks_exist_and_have_blocks():
    """A renamed page, or one whose blocks vanished, would otherwise pass by running nothing."""
    names = {str(p.relative_to(REPO)): p for p in PAGES}
    for name in [*PAGE_CHECKS, *PAGE_PREPARE]:
        assert name in names, name
        assert _python_examples(_parse(names[name])), f"{name} has no Python block left"


def test_the_runner_sees_every_page():
    pages = {p for p in (REPO / "docs").rglob("*.rst") if "_build" not in p.parts}
    assert pages <= set(PAGES), sorted(str(p) for p in pages - set(PAGES))


_LITERAL = re.compile(r"(?m)^(?!\s*\.\.)(?P<line>.*\S)?::[ \t]*\n")


def test_every_docs_literal_block_names_its_language():
    """A bare ``::`` block is code that the runner above would not see."""
    bare = []
    for page in PAGES:
        if page.suffix != ".rst":
            continue
        text = page.read_text(encoding="utf-8")
        for match in _LITERAL.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            bare.append(f"{page.relative_to(REPO)}:{line}: {match.group(0).strip()}")
    assert not bare, "use `.. code-block:: LANGUAGE` instead of `::` for:\n" + "\n".join(bare)


def test_the_runner_fails_on_a_broken_block_and_honours_skips(tmp_path):
    page = tmp_path / "page.rst"
    page.write_text(
        "Title\n=====\n\n.. code-block:: python\n\n    a = 1\n\n"
        '.. skip: next "needs a cluster"\n\n.. code-block:: python\n\n    raise RuntimeError\n\n'
        ".. code-block:: python\n\n    >>> a + 1\n    2\n\n"
        ".. code-block:: python\n\n    b = undefined_name\n"
    )
    with pytest.raises(AssertionError, match=r"page.rst:19 fails: NameError"):
        run_page(page)
    page.write_text("T\n=\n\n.. code-block:: python\n\n    >>> 1 + 1\n    3\n")
    with pytest.raises(AssertionError, match="fails"):
        run_page(page)
    assert not _LITERAL.search(".. code-block:: python\n") and _LITERAL.search("For example::\n")
