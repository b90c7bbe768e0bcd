"""The funder's case worker (consulent): review queue, grant registration, CSV import."""
