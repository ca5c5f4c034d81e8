"""Embeddable lead-capture forms and the site-tracking snippet."""
