"""The JSON edge: one name for a JSON object as it is read from or written to a file or an output.

Inside the product, results travel as dataclasses and TypedDicts with typed fields. A plain
untyped dict is right only where the product meets JSON: a package descriptor or a row
read from one, a frictionless schema, a ``--format json`` output of the CLI, a SenseMaker
definition file, a framework file, the bank's stored snapshots. Code at that edge says
:data:`JsonObject`, so a reader sees that the keys are the file's, not a type of ours, and that
the value is checked (or written) right there. It lives in ``insightbank.schema`` (the file
formats, the bottom layer) so that every layer may name it.
"""

from __future__ import annotations

from typing import Any, TypeAlias

#: A JSON object (``{...}``) as read by ``json.load`` or about to be written by ``json.dump``.
JsonObject: TypeAlias = dict[str, Any]
