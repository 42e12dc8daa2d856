"""Tests for moved names: the old import paths warn, name the new one and give the same objects."""

from __future__ import annotations

import importlib
import warnings

import pytest

import perfmgmt
import perfmgmt.calibration
import perfmgmt.calibration.raters
import perfmgmt.scoring
import perfmgmt.workflow
import perfmgmt.workflow.development

CALIBRATION = sorted(perfmgmt.calibration.__all__)

# perfmgmt.workflow's __all__ before it became a package; every name must stay importable.
WORKFLOW_BEFORE = [
    "ALLOWED_FROM",
    "AlignmentReport",
    "GoalLink",
    "KpiProjection",
    "Outlook",
    "Scored",
    "agree_goals",
    "alignment_report",
    "allowed_actions",
    "amend_goals",
    "calibrate",
    "cancel",
    "check_in",
    "close",
    "early_warnings",
    "evaluate",
    "project",
    "record_interview",
    "reopen",
    "set_development_plan",
]


class TestDevelopmentAlias:
    @pytest.mark.parametrize("name", ["carry_forward", "suggest_development"])
    def test_old_path_warns_and_gives_the_same_object(self, name: str) -> None:
        """perfmgmt.development.<name> warns, naming perfmgmt.workflow.development, and resolves."""
        module = importlib.import_module("perfmgmt.development")
        with pytest.warns(DeprecationWarning, match=r"import \w+ from perfmgmt\.workflow\.devel"):
            got = getattr(module, name)
        assert got is getattr(perfmgmt.workflow.development, name)
        assert got is getattr(perfmgmt.workflow, name)

    def test_from_import_warns_at_the_importing_line(self) -> None:
        """The warning of a from-import points at the code that imported, not at perfmgmt."""
        with pytest.warns(DeprecationWarning, match="suggest_development") as record:
            from perfmgmt.development import suggest_development
        assert suggest_development is perfmgmt.workflow.suggest_development
        assert record[0].filename == __file__

    def test_unknown_name_is_a_plain_attribute_error(self) -> None:
        """A name that never lived there raises AttributeError and warns nothing."""
        module = importlib.import_module("perfmgmt.development")
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert not hasattr(module, "no_such_name")


class TestScoringCalibrationAlias:
    @pytest.mark.parametrize("name", CALIBRATION)
    def test_old_module_warns_and_gives_the_same_object(self, name: str) -> None:
        """perfmgmt.scoring.calibration.<name> warns, naming perfmgmt.calibration, and resolves."""
        module = importlib.import_module("perfmgmt.scoring.calibration")
        with pytest.warns(DeprecationWarning, match=r"import \w+ from perfmgmt\.calibration$"):
            got = getattr(module, name)
        assert got is getattr(perfmgmt.calibration, name)

    def test_snap_resolves_to_the_raters_module(self) -> None:
        """SNAP, public but outside __all__, moved to perfmgmt.calibration.raters."""
        module = importlib.import_module("perfmgmt.scoring.calibration")
        with pytest.warns(DeprecationWarning, match=r"perfmgmt\.calibration\.raters"):
            assert module.SNAP == perfmgmt.calibration.raters.SNAP

    def test_from_import_warns(self) -> None:
        """The from-import form of the old path warns too."""
        with pytest.warns(DeprecationWarning, match="perfmgmt.scoring.calibration.guide_batch"):
            from perfmgmt.scoring.calibration import guide_batch
        assert guide_batch is perfmgmt.calibration.guide_batch


class TestScoringFace:
    @pytest.mark.parametrize("name", CALIBRATION)
    def test_calibration_names_left_the_face_but_still_resolve(self, name: str) -> None:
        """A calibration name is not in perfmgmt.scoring.__all__ but resolves there, warning."""
        assert name not in perfmgmt.scoring.__all__
        with pytest.warns(DeprecationWarning, match=r"perfmgmt\.scoring\.\w+ is deprecated"):
            got = getattr(perfmgmt.scoring, name)
        assert got is getattr(perfmgmt.calibration, name)

    def test_from_import_warns(self) -> None:
        """Importing calibrate_ratings from perfmgmt.scoring warns and gives the moved function."""
        with pytest.warns(DeprecationWarning, match="import calibrate_ratings from perfmgmt.cal"):
            from perfmgmt.scoring import calibrate_ratings
        assert calibrate_ratings is perfmgmt.calibration.calibrate_ratings

    def test_scoring_names_do_not_warn(self) -> None:
        """Names that stayed in scoring, and unknown names, never warn."""
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert perfmgmt.scoring.ScoringEngine is not None
            assert not hasattr(perfmgmt.scoring, "no_such_name")


class TestFaces:
    @pytest.mark.parametrize("name", WORKFLOW_BEFORE)
    def test_workflow_keeps_every_name(self, name: str) -> None:
        """Every name perfmgmt.workflow exported as a module is exported by the package."""
        assert name in perfmgmt.workflow.__all__
        assert getattr(perfmgmt.workflow, name) is not None

    @pytest.mark.parametrize(
        "name",
        [n for n in perfmgmt.__all__ if n in perfmgmt.calibration.__all__],
    )
    def test_top_level_calibration_names_come_from_calibration(self, name: str) -> None:
        """The calibration names of the perfmgmt face are perfmgmt.calibration's objects."""
        assert getattr(perfmgmt, name) is getattr(perfmgmt.calibration, name)
