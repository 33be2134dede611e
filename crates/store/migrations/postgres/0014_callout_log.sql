-- The integration-event calls cartwire makes (issue 14's Callouts page): one row per call,
-- kept 7 days (the insert deletes what is older; `callout_log_at` makes that a range).
CREATE TABLE callout_log (
    id TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    integration_event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    path TEXT NOT NULL,
    status BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    duration_ms BIGINT NOT NULL,
    error_body TEXT
);
CREATE INDEX callout_log_at ON callout_log (at);
