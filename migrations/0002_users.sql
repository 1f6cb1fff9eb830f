-- Users, with a directory (id → name) served from Redis by GET /users-dict.
CREATE TABLE users (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email       text NOT NULL CHECK (char_length(email) BETWEEN 3 AND 254),
  name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  created_at  timestamptz(3) NOT NULL DEFAULT now(),
  updated_at  timestamptz(3) NOT NULL DEFAULT now()
);

-- Emails are unique whatever their case: Ada@Example.com and ada@example.com are one user.
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_created_at_id_idx ON users (created_at DESC, id DESC);
