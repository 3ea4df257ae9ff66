"""The ``.. preservation-metric-table::`` directive: the user guide's metric table, from the registry.

Every row comes from :data:`skaudio.metrics.PRESERVATION_METRICS` (through
:data:`skaudio.metrics.METRIC_ENTRIES`, one row per (category, metric) entry of
[POOL] Fig. 3), so the table shown to users cannot drift from the code.
:func:`metric_table_rst` needs no Sphinx, so the tests can read the table too.
"""

import re

from skaudio.metrics import METRIC_ENTRIES, get_metric

#: Fig. 3 categories whose metrics carry a sub-group (``MetricInfo.group``) in the table.
_GROUPED = ("global_structure", "local_detail")


def _escape(text):
    """Plain text for reStructuredText: ``*``, ``|``, ``_``, backquotes and backslashes escaped."""
    return re.sub(r"([*|_`\\])", r"\\\1", text)


def _best(info):
    if info.direction == "target":
        return f"{info.ideal:g}"
    better = f"{info.direction} is better"
    return better if info.ideal is None else f"{info.ideal:g} ({better})"


def metric_table_rows():
    """One ``(category, metric, function, best, source, definition)`` row of text per entry."""
    rows, seen = [], set()
    for category, name in METRIC_ENTRIES:
        info = get_metric(name)
        where = category.replace("_", " ")
        if info.group and category in _GROUPED:
            where += f": {info.group}"
        definition = "the same computation as above" if name in seen else _escape(info.definition)
        seen.add(name)
        rows.append(
            (
                where,
                f"{info.label} (``{info.name}``)",
                f":func:`~skaudio.metrics.{info.function.__name__}`",
                _best(info),
                info.citation.removeprefix("[POOL] "),
                definition,
            )
        )
    return rows


def metric_table_rst():
    """The table as the lines of a reStructuredText ``list-table``."""
    header = ("category", "metric (name)", "function", "best", "in [POOL]", "what is computed")
    lines = [".. list-table::", "   :header-rows: 1", "   :widths: 16 18 18 8 8 32", ""]
    for row in (header, *metric_table_rows()):
        lines.append(f"   * - {row[0]}")
        lines.extend(f"     - {cell}" for cell in row[1:])
    return lines


def setup(app):
    from docutils import nodes
    from docutils.statemachine import StringList
    from sphinx.util.docutils import SphinxDirective

    class PreservationMetricTable(SphinxDirective):
        """Insert :func:`metric_table_rst` where the directive stands."""

        has_content = False

        def run(self):
            holder = nodes.container()
            source = "skaudio.metrics.PRESERVATION_METRICS"
            self.state.nested_parse(
                StringList(metric_table_rst(), source=source), self.content_offset, holder
            )
            return holder.children

    app.add_directive("preservation-metric-table", PreservationMetricTable)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
