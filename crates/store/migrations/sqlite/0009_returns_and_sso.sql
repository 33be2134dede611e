-- Order returns, and OpenID Connect single sign-on: provider configurations (client secret
-- sealed), logins in flight (state, nonce, PKCE verifier; single use), and which provider
-- subject is which cartwire user. Kept in step with ../postgres/0009_returns_and_sso.sql.
CREATE TABLE order_returns (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (id),
    owner_id TEXT NOT NULL,
    status TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX order_returns_order ON order_returns (order_id);
CREATE INDEX order_returns_owner ON order_returns (owner_id);

CREATE TABLE openid_connects (
    id TEXT PRIMARY KEY,
    api_client_id TEXT NOT NULL REFERENCES api_clients (id) ON DELETE CASCADE,
    connect_client_id TEXT NOT NULL,
    connect_client_secret TEXT NOT NULL,
    body TEXT NOT NULL,
    integration_event_id TEXT REFERENCES integration_events (id) ON UPDATE CASCADE
);

CREATE TABLE oidc_logins (
    state_digest TEXT PRIMARY KEY,
    openidconnect_id TEXT NOT NULL REFERENCES openid_connects (id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE oidc_identities (
    openidconnect_id TEXT NOT NULL REFERENCES openid_connects (id) ON DELETE CASCADE,
    subject TEXT NOT NULL,
    username TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (openidconnect_id, subject)
);
