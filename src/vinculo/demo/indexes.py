"""Compact, index-aligned arrays of what the demo generator wrote so far (ids, owners, dates),
so 100,000 people fit in a modest process."""

from __future__ import annotations

from array import array


class PeopleIndex:
    """Compact, index-aligned arrays about the people written so far."""

    def __init__(self) -> None:
        self.ids = array("q")
        self.companies = array("q")  # primary company id, 0 = none
        self.owners = array("q")
        self.created = array("d")
        self.stages = bytearray()
        self.names: list[str] = []
        self.company_names: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self.ids)

    def warm_indexes(self) -> list[int]:
        """People far enough down the funnel to have deals (sql and beyond)."""
        return [i for i, s in enumerate(self.stages) if s >= 3]


class DealIndex:
    def __init__(self) -> None:
        self.ids = array("q")
        self.people = array("q")
        self.companies = array("q")
        self.owners = array("q")
        self.start = array("d")
        self.end = array("d")

    def __len__(self) -> int:
        return len(self.ids)
