"""Data-quality tables, one module per tool (imports, exports, duplicates, audit, rules)."""

from vinculo.quality.models.audit import *  # noqa: F403
from vinculo.quality.models.duplicates import *  # noqa: F403
from vinculo.quality.models.exports import *  # noqa: F403
from vinculo.quality.models.imports import *  # noqa: F403
from vinculo.quality.models.rules import *  # noqa: F403
