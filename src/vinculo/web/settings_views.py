"""Kept for the privacy app, which adds its section to :data:`SECTIONS` and renders its screens
with ``_page`` through this module; the Settings screens are in :mod:`vinculo.web.settings`.
(Privacy can import :mod:`vinculo.web.settings.shell` directly, and this module then goes.)"""

from vinculo.web.settings.shell import SECTIONS
from vinculo.web.settings.shell import page as _page

__all__ = ["SECTIONS", "_page"]
