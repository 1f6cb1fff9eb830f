-- API keys: who may call what (see src/auth/). The secret itself is never stored: only the
-- SHA-256 of the whole key, which is what a request's key is looked up by.
CREATE TABLE api_keys (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name         text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  -- The visible start of the key (ek_xxxxxxxx), to recognise it in lists and logs.
  prefix       text NOT NULL UNIQUE CHECK (prefix ~ '^ek_[0-9a-z]{8}$'),
  secret_hash  text NOT NULL UNIQUE CHECK (secret_hash ~ '^[0-9a-f]{64}$'),
  scopes       text[] NOT NULL CHECK (cardinality(scopes) BETWEEN 1 AND 20),
  created_at   timestamptz(3) NOT NULL DEFAULT now(),
  expires_at   timestamptz(3),
  revoked_at   timestamptz(3),
  -- Written in batches (at most once a minute per isolate), never per request.
  last_used_at timestamptz(3)
);

CREATE INDEX api_keys_created_at_id_idx ON api_keys (created_at DESC, id DESC);
