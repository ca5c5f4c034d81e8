"""Background jobs by name: a service queues work by naming the job, the app's tasks module binds
the name to its django-tasks task.

Tasks are the outer layer: a task calls a service. A service that queues work (an audit too big
to run inline, the drain of a webhook) therefore cannot import the task without an import cycle
``services -> tasks -> services``; it calls ``enqueue("quality.audit.run", run.pk)`` instead.
The tasks module, next to the task, calls ``register("quality.audit.run", run_audit_task)``; it
is imported from the app's ``AppConfig.ready`` (as for :mod:`vinculo.core.schedule`), so every
name is bound before any request or worker runs.
"""

from __future__ import annotations

from typing import Any, TypeVar

T = TypeVar("T")

_REGISTRY: dict[str, Any] = {}


def register(name: str, task: T) -> T:
    """Bind the job ``name`` to ``task`` (a django-tasks ``Task``); registering a name twice
    replaces it. Returns the task, so it can wrap the definition."""
    _REGISTRY[name] = task
    return task


def task_for(name: str) -> Any:
    """The task bound to ``name``; ``LookupError`` when no tasks module bound it."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise LookupError(
            f"no background job named {name!r}: is its app's tasks module imported in ready()?"
        ) from None


def enqueue(name: str, *args: Any, **kwargs: Any) -> Any:
    """Queue the job ``name`` with these arguments (what ``task.enqueue`` would); returns the
    task result."""
    return task_for(name).enqueue(*args, **kwargs)
