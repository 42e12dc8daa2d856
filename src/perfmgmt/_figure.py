"""The figure type of :mod:`perfmgmt.plot`: a matplotlib Figure that shows itself in a notebook.

A :class:`matplotlib.figure.Figure` made without pyplot has no notebook representation of its
own unless ``%matplotlib inline`` registered one; this subclass gives it a PNG one, so a plot
returned as a cell's last value displays on its own. This module imports matplotlib (the
optional ``plot`` extra), so it is imported only when a plot is drawn.
"""

from __future__ import annotations

import io

from matplotlib.figure import Figure

__all__ = ["NotebookFigure"]


class NotebookFigure(Figure):
    """A matplotlib Figure with a PNG representation for IPython and Jupyter."""

    def _repr_png_(self) -> bytes:
        """Return the figure drawn as PNG bytes (IPython's display protocol)."""
        buf = io.BytesIO()
        self.savefig(buf, format="png")
        return buf.getvalue()
