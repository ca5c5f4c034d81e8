"""Data-subject rights (LGPD art. 18): export, erasure, the request register, bin retention and
the opt-in access log."""
