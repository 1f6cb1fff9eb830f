-- Products: the template's example resource.
CREATE TABLE products (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- Unique, so the API has a real 409 (SQLSTATE 23505) to show.
  name        text NOT NULL UNIQUE CHECK (char_length(name) BETWEEN 1 AND 200),
  price_cents integer NOT NULL CHECK (price_cents >= 0),
  stock       integer NOT NULL DEFAULT 0 CHECK (stock >= 0),
  -- Millisecond precision: the keyset cursor carries created_at through a JS Date, and
  -- a microsecond part would be lost on the way and skip or repeat rows.
  created_at  timestamptz(3) NOT NULL DEFAULT now(),
  updated_at  timestamptz(3) NOT NULL DEFAULT now()
);

-- Serves `GET /products` pages (newest first) by keyset: ORDER BY created_at DESC, id DESC.
CREATE INDEX products_created_at_id_idx ON products (created_at DESC, id DESC);
