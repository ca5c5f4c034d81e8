"""The contacts app's Settings screens: ``custom_fields``, ``lifecycle``, ``tags``.

They render in the Settings layout of :mod:`vinculo.core.settings_pages` (whose ``SECTIONS`` list
them) and import only the floor and this app; their URLs (``web:settings:…``) are declared by the
edge, in :mod:`vinculo.web.settings_urls`; their templates are ``contacts/settings/…``.
"""
