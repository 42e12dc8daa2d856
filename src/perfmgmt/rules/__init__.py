"""Incentive rules: evaluation of rules and decision tables, hit policies, the bonus pool."""

from __future__ import annotations
