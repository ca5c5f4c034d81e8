"""The Settings screens of the workspace and its people (``web:settings:…``, URLs in
:mod:`vinculo.web.settings_urls`).

Each form posts to a view that calls one service; a :class:`ServiceError` comes back as the same
page with the message next to the field and what the user typed kept (status 422). Controls a
role cannot use are hidden; the services refuse them anyway (403 page).

:mod:`vinculo.core.settings_pages` is the layout every screen renders in (sections, page, shared
form helpers; on the floor, so every app can add a section at ``ready()``); each module here is
one section and imports only that: ``workspace``, ``members``, ``teams``, ``tokens`` (the
tenancy at the floor, whose screens live in this edge with the account, invitation and
two-factor screens).

The apps' settings screens live in their apps and import only the floor and their app (and the
apps below): :mod:`vinculo.contacts.settings_views` (``custom_fields``, ``lifecycle``, ``tags``),
:mod:`vinculo.sales.settings_views` (``pipelines``, ``lost_reasons``), their URLs kept in
:mod:`vinculo.web.settings_urls`; privacy's screen (:mod:`vinculo.privacy.views`) has its own.
"""
