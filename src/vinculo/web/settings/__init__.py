"""The Settings screens (``web:settings:…``, URLs in :mod:`vinculo.web.settings_urls`).

Each form posts to a view that calls one service; a :class:`ServiceError` comes back as the same
page with the message next to the field and what the user typed kept (status 422). Controls a
role cannot use are hidden; the services refuse them anyway (403 page).

:mod:`vinculo.core.settings_pages` is the layout every screen renders in (sections, page, shared
form helpers; on the floor, so every app can add a section at ``ready()``); each other module is
one section and imports only that (and ``lost_reasons`` imports ``pipelines``,
whose page it shares):

- of the workspace and its people (the tenancy at the floor, whose screens live in this edge
  with the account, invitation and two-factor screens): ``workspace``, ``members``, ``teams``,
  ``tokens``;
- of the contacts app: ``custom_fields``, ``lifecycle``, ``tags``;
- of the sales app: ``pipelines``, ``lost_reasons``.

The contacts and sales screens are here for now, while those apps are being split; they are meant
to move into their apps (e.g. ``contacts/views/settings.py``) once the apps' view layers are
settled.
"""
