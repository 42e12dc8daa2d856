"""Ready-made schemes to start from.

A preset is an ordinary :class:`~perfmgmt.model.Scheme` built in code: change any part with
:func:`attrs.evolve`, save it as JSON with :func:`perfmgmt.serialization.dumps`.

Examples:
    >>> from perfmgmt.presets import customer_service_manager
    >>> scheme = customer_service_manager()
    >>> scheme.category_keys
    ('satisfaction', 'efficiency', 'team', 'cost', 'innovation')
"""

from __future__ import annotations

from perfmgmt.presets.customer_service import (
    SCHEME_KEY,
    customer_service_development,
    customer_service_manager,
)

__all__ = ["SCHEME_KEY", "customer_service_development", "customer_service_manager"]
