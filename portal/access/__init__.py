"""Users, roles, login, authorisations (machtigingen) and the audit log."""
