"""Old import paths of moved rules names still resolve, with a DeprecationWarning (one release)."""

from __future__ import annotations

import importlib

import pytest

import perfmgmt.rules

_MOVED = [
    ("perfmgmt.rules.compile", "FieldSchema", "perfmgmt.rules.schema"),
    ("perfmgmt.rules.compile", "FieldType", "perfmgmt.rules.schema"),
    ("perfmgmt.rules.compile", "History", "perfmgmt.rules.frame"),
    ("perfmgmt.rules.compile", "Limits", "perfmgmt.rules.parse"),
    ("perfmgmt.rules.compile", "TextCodes", "perfmgmt.rules.frame"),
    ("perfmgmt.rules.compile", "check_condition", "perfmgmt.rules.check"),
    ("perfmgmt.rules.compile", "frame_from_scores", "perfmgmt.rules.frame"),
    ("perfmgmt.rules.evaluate", "BatchDecisions", "perfmgmt.rules.decisions"),
    ("perfmgmt.rules.evaluate", "Decision", "perfmgmt.rules.decisions"),
    ("perfmgmt.rules.evaluate", "Decisions", "perfmgmt.rules.decisions"),
    ("perfmgmt.rules.evaluate", "SourceKind", "perfmgmt.rules.decisions"),
    ("perfmgmt.rules.evaluate", "TraceEntry", "perfmgmt.rules.decisions"),
    ("perfmgmt.rules.evaluate", "TraceStatus", "perfmgmt.rules.decisions"),
    ("perfmgmt.rules.evaluate", "describe_outcome", "perfmgmt.rules.decisions"),
    ("perfmgmt.rules.pool", "PoolAllocation", "perfmgmt.rules.payout"),
    ("perfmgmt.rules.pool", "allocate", "perfmgmt.rules.payout"),
    ("perfmgmt.rules.pool", "allocate_minor", "perfmgmt.rules.payout"),
    ("perfmgmt.rules.pool", "to_minor", "perfmgmt.rules.payout"),
]


class TestOldPaths:
    @pytest.mark.parametrize(("old", "name", "new"), _MOVED)
    def test_old_path_warns_and_resolves(self, old: str, name: str, new: str) -> None:
        """Importing a moved name from its old module warns naming the new path, same object."""
        module = importlib.import_module(old)
        with pytest.warns(DeprecationWarning, match=rf"import {name} from {new}$"):
            found = getattr(module, name)
        assert found is getattr(importlib.import_module(new), name)

    @pytest.mark.parametrize(
        ("name", "new"),
        [(name, new) for _old, name, new in _MOVED if name not in {"allocate_minor", "to_minor"}],
    )
    def test_package_face_has_public_names(self, name: str, new: str) -> None:
        """Every moved public name but the payout helpers is on the package face, unchanged."""
        assert getattr(perfmgmt.rules, name) is getattr(importlib.import_module(new), name)

    @pytest.mark.parametrize("old", ["perfmgmt.rules.compile", "perfmgmt.rules.pool"])
    def test_unknown_name_is_an_attribute_error(self, old: str) -> None:
        """A name that never lived in the old module is an AttributeError, not a warning."""
        with pytest.raises(AttributeError, match="no_such_name"):
            getattr(importlib.import_module(old), "no_such_name")  # noqa: B009

    def test_names_that_stayed_do_not_warn(self) -> None:
        """RuleEvaluator, CompiledCondition and compile_condition stayed and import quietly."""
        from perfmgmt.rules.compile import CompiledCondition, compile_condition
        from perfmgmt.rules.evaluate import RuleEvaluator

        assert RuleEvaluator is perfmgmt.rules.RuleEvaluator
        assert compile_condition is perfmgmt.rules.compile_condition
        assert CompiledCondition is perfmgmt.rules.CompiledCondition
