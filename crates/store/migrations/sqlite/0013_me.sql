-- The shopper's own resources (issue 13).
-- Kept in step with ../postgres/0013_me.sql.

-- Revoking a user's tokens bumps their generation: an access token carries the generation it
-- was issued at and stops working once the user's is higher; refresh tokens issued before the
-- revocation are marked, so a refresh answers Auth.TokenRevoked instead of a new token.
ALTER TABLE users ADD COLUMN token_generation BIGINT NOT NULL DEFAULT 0;
ALTER TABLE refresh_tokens ADD COLUMN revoked_at TEXT;

-- A user's saved addresses (at most 100 per user, checked by the use case), keyed by the
-- user's full key and the address id.
CREATE TABLE user_addresses (
    company TEXT NOT NULL,
    user_id TEXT NOT NULL,
    id TEXT NOT NULL,
    address TEXT NOT NULL,
    shipping BIGINT NOT NULL,
    billing BIGINT NOT NULL,
    date_created TEXT NOT NULL,
    PRIMARY KEY (company, user_id, id)
);
