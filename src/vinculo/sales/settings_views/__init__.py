"""The sales app's Settings screens: ``pipelines`` (a pipeline and its stages) and
``lost_reasons`` (a section of the pipeline page, whose view it shares).

They render in the Settings layout of :mod:`vinculo.core.settings_pages` (whose ``SECTIONS`` list
them) and import only the floor and the apps below (never the edge); their URLs
(``web:settings:…``) are declared by the edge, in :mod:`vinculo.web.settings_urls`; their
templates are ``sales/settings/…``.
"""
