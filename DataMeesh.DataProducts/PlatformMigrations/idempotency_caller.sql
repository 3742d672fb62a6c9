-- An idempotency key belongs to the caller who sent it: another caller sending the same key makes a request of its own
-- and never sees (or learns of) the first caller's response. The caller is a SHA-256 of the token's issuer and subject,
-- so the table holds no identities. Keys recorded before this migration have no caller ('') and are never replayed.
ALTER TABLE datameesh.idempotency_keys ADD COLUMN caller text NOT NULL DEFAULT '';
ALTER TABLE datameesh.idempotency_keys ALTER COLUMN caller DROP DEFAULT;
ALTER TABLE datameesh.idempotency_keys DROP CONSTRAINT idempotency_keys_pkey;
ALTER TABLE datameesh.idempotency_keys ADD PRIMARY KEY (caller, operation, key);
