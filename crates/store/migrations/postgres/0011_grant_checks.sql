-- When an API client's secret last changed: access tokens issued through the client before
-- then stop working (a rotated secret revokes what the old one obtained).
-- Kept in step with ../sqlite/0011_grant_checks.sql.
ALTER TABLE api_clients ADD COLUMN secret_changed_at TEXT;
