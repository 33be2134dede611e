-- A dispatcher tops up one integration's deliveries in flight as places free up (issue 15):
-- its claim reads that integration's due work in order from this index, however large
-- another integration's backlog is. Only pending rows are kept in it.
CREATE INDEX deliveries_pending ON deliveries (integration_id, next_attempt_at, event_seq) WHERE status = 'pending';
