"""The review lifecycle (考核流程): transitions, mid-term check, goal alignment and development.

Everything is importable from here:

- :mod:`perfmgmt.workflow.transitions`: the pure, guarded transitions a review goes through
  (:func:`agree_goals`, :func:`check_in`, :func:`evaluate`, :func:`calibrate`,
  :func:`record_interview`, :func:`set_development_plan`, :func:`close`, :func:`reopen`,
  :func:`cancel`), each appending one event to the review's audit history.
- :mod:`perfmgmt.workflow.two_party`: the steps that need both parties: goals proposed and
  signed by the employee and the manager (:func:`propose_goals`, :func:`sign_goals`), the final
  review shared and acknowledged (:func:`share_review`, :func:`acknowledge`), disputes resolved
  by HR (:func:`raise_dispute`, :func:`resolve_dispute`) and the interview's agreed actions
  planned (:func:`plan_agreed_actions`). Every event is hash-chained; :func:`verify_history`
  finds the first broken link.
- :mod:`perfmgmt.workflow.midterm`: each KPI projected to the cycle end from the check-ins,
  within the indicator's possible values, with early warnings and the projected score, total
  and rating band (:func:`project`, :func:`early_warnings`, :func:`project_review`).
- :mod:`perfmgmt.workflow.alignment`: goals checked against the scheme's bounds when they are
  agreed (:func:`check_goals`), and how goals align to company strategy
  (:func:`alignment_report`).
- :mod:`perfmgmt.workflow.development`: development-plan suggestions from a score card and
  carrying open actions into the next cycle (:func:`suggest_development`,
  :func:`carry_forward`).
- :mod:`perfmgmt.workflow.access`: audiences and redaction, the one place where anonymity
  thresholds, confidential actions and hidden penalties are enforced (:func:`redact`,
  :class:`Audience`, :class:`VisibilityPolicy`, :data:`DEFAULT_POLICY`).
- :mod:`perfmgmt.workflow.retention`: pseudonymised exports for analysts
  (:func:`pseudonymise`).
"""

from __future__ import annotations

from perfmgmt.model.history import HistoryCheck, verify_history
from perfmgmt.workflow.access import (
    ANONYMOUS,
    DEFAULT_POLICY,
    Audience,
    BelowThreshold,
    CommentRule,
    SourceRule,
    SourceSummary,
    VisibilityPolicy,
    redact,
    source_summaries,
)
from perfmgmt.workflow.alignment import (
    AlignmentReport,
    GoalLink,
    alignment_report,
    check_goals,
)
from perfmgmt.workflow.development import carry_forward, suggest_development
from perfmgmt.workflow.midterm import (
    KpiProjection,
    Outlook,
    ReviewProjection,
    early_warnings,
    project,
    project_review,
)
from perfmgmt.workflow.retention import (
    MIN_SECRET_BYTES,
    SUBJECT_GROUPS,
    pseudonym,
    pseudonymise,
)
from perfmgmt.workflow.transitions import (
    ALLOWED_FROM,
    Scored,
    agree_goals,
    allowed_actions,
    amend_goals,
    calibrate,
    cancel,
    check_in,
    close,
    evaluate,
    record_interview,
    reopen,
    set_development_plan,
)
from perfmgmt.workflow.two_party import (
    DisputeOutcome,
    acknowledge,
    dispute_deadline,
    plan_agreed_actions,
    propose_goals,
    raise_dispute,
    resolve_dispute,
    share_review,
    sign_goals,
)

__all__ = [
    "ALLOWED_FROM",
    "ANONYMOUS",
    "DEFAULT_POLICY",
    "MIN_SECRET_BYTES",
    "SUBJECT_GROUPS",
    "AlignmentReport",
    "Audience",
    "BelowThreshold",
    "CommentRule",
    "DisputeOutcome",
    "GoalLink",
    "HistoryCheck",
    "KpiProjection",
    "Outlook",
    "ReviewProjection",
    "Scored",
    "SourceRule",
    "SourceSummary",
    "VisibilityPolicy",
    "acknowledge",
    "agree_goals",
    "alignment_report",
    "allowed_actions",
    "amend_goals",
    "calibrate",
    "cancel",
    "carry_forward",
    "check_goals",
    "check_in",
    "close",
    "dispute_deadline",
    "early_warnings",
    "evaluate",
    "plan_agreed_actions",
    "project",
    "project_review",
    "propose_goals",
    "pseudonym",
    "pseudonymise",
    "raise_dispute",
    "record_interview",
    "redact",
    "reopen",
    "resolve_dispute",
    "set_development_plan",
    "share_review",
    "sign_goals",
    "source_summaries",
    "suggest_development",
    "verify_history",
]
