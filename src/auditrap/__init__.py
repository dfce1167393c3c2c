"""auditrap: a reproducible analytical pipeline for multi-agency safeguarding audits."""
