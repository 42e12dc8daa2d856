"""The tutorial notebook runs from top to bottom, and Jupyter shows its plots and tables."""

from __future__ import annotations

import os
import pathlib
import sys

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("matplotlib")

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "docs" / "tutorial" / "notebook.ipynb"
SRC = ROOT / "src"


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> object:
    """Run the tutorial notebook in a fresh Python kernel and return it with its outputs."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    # The kernel is a new process: it must import this perfmgmt (an editable install or the
    # source tree) with this interpreter, and start in a scratch directory.
    path = os.pathsep.join(p for p in (str(SRC), os.environ.get("PYTHONPATH", "")) if p)
    workdir = tmp_path_factory.mktemp("notebook")
    client = nbclient.NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(workdir)}},
    )
    # A "python3" kernel installed elsewhere on the machine must not stand in for this one.
    client.km = client.kernel_manager_class(kernel_name="python3", config=client.config)
    client.km.kernel_spec.argv[0] = sys.executable
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PYTHONPATH", path)
        client.execute()
    return nb


def _outputs(nb: object, source_part: str) -> list[dict[str, object]]:
    """Return the outputs of the one code cell whose source contains ``source_part``."""
    cells = [
        c
        for c in nb.cells  # type: ignore[attr-defined]
        if c.cell_type == "code" and source_part in c.source
    ]
    assert len(cells) == 1, source_part
    return list(cells[0].outputs)


def _kinds(outputs: list[dict[str, object]]) -> set[str]:
    kinds: set[str] = set()
    for out in outputs:
        assert out["output_type"] != "error", out
        data = out.get("data", {})
        assert isinstance(data, dict)
        kinds |= set(data)
    return kinds


class TestTutorialNotebook:
    def test_every_cell_ran_without_error(self, executed: object) -> None:
        """No cell of the notebook raised, and every code cell ran."""
        for cell in executed.cells:  # type: ignore[attr-defined]
            if cell.cell_type == "code":
                assert cell.execution_count is not None
                assert all(o["output_type"] != "error" for o in cell.outputs)

    @pytest.mark.parametrize(
        "cell", ["rating_distribution(", "score_waterfall(", "kpi_histograms("]
    )
    def test_plots_show_as_pictures(self, executed: object, cell: str) -> None:
        """Each plot cell shows an image without %matplotlib inline, and only one."""
        outputs = _outputs(executed, cell)
        images = [
            o
            for o in outputs
            if {"image/png", "image/svg+xml"} & set(o.get("data", {}))  # type: ignore[arg-type]
        ]
        assert len(images) == 1
        code = [c.source for c in executed.cells if c.cell_type == "code"]  # type: ignore[attr-defined]
        assert not any("%matplotlib" in source or "pyplot" in source for source in code)

    @pytest.mark.parametrize(
        ("cell", "expected"),
        [
            ("scheme = customer_service_manager()", "customer_service_manager"),
            ("lint(scheme)", "Lint of scheme"),
            ("team = demo.cycle_population", "Actuals per KPI"),
            ("scores = ScoringEngine()", "reviews"),
            ("card.explain()", "<details>"),
            ("compare(scheme, draft, team)", "What-if"),
            ("simulate(draft", "expected cost per cycle"),
        ],
    )
    def test_tables_show_as_html(self, executed: object, cell: str, expected: str) -> None:
        """Each object cell shows rich HTML holding what that object is about."""
        outputs = _outputs(executed, cell)
        assert "text/html" in _kinds(outputs)
        html = "".join(
            str(o["data"]["text/html"])  # type: ignore[index]
            for o in outputs
            if "text/html" in o.get("data", {})  # type: ignore[operator]
        )
        assert expected in html
