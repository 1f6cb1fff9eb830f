import type { NeonQueryFunction } from "@neondatabase/serverless";

const EXAMPLE_PRODUCTS = [
  { name: "Espresso beans, 1 kg", price_cents: 2490, stock: 40 },
  { name: "Pour-over kettle", price_cents: 5900, stock: 12 },
  { name: "Ceramic dripper", price_cents: 2200, stock: 25 },
  { name: "Burr grinder", price_cents: 14900, stock: 6 },
  { name: "Paper filters (100)", price_cents: 590, stock: 200 },
];

const EXAMPLE_USERS = [
  { email: "ada@example.com", name: "Ada Lovelace" },
  { email: "grace@example.com", name: "Grace Hopper" },
  { email: "linus@example.com", name: "Linus Torvalds" },
];

/** Inserts the example data in one transaction; running it again changes nothing (unique names and emails). */
export async function seedExampleData(sql: NeonQueryFunction<false, false>): Promise<void> {
  await sql.transaction([
    sql.query(
      `INSERT INTO products (name, price_cents, stock)
       SELECT name, price_cents, stock FROM json_populate_recordset(NULL::products, $1::json)
       ON CONFLICT (name) DO NOTHING`,
      [JSON.stringify(EXAMPLE_PRODUCTS)],
    ),
    sql.query(
      `INSERT INTO users (email, name)
       SELECT email, name FROM json_populate_recordset(NULL::users, $1::json)
       ON CONFLICT (lower(email)) DO NOTHING`,
      [JSON.stringify(EXAMPLE_USERS)],
    ),
  ]);
}
