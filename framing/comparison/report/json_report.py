"""The JSON report: everything, machine-readable (schema in docs/compare.md).

The serialisation itself (keys sorted, floats rounded, NaN refused) is
:meth:`~framing.comparison.result.ComparisonResult.to_json`, so that the Python API and the
report write the same document.
"""

from __future__ import annotations


def render_json(result) -> str:
    """Everything, machine-readable: see docs/compare.md for the schema."""
    return result.to_json()
