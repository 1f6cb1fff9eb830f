import { z } from "zod";
import type { Database } from "./database";
import { isUniqueViolation } from "./database";
import { ConflictError } from "./errors";
import { rowsAfter, toPage, type Keyset, type KeysetPage } from "./keyset-cursor";

/** A product as stored; the routes' response schema mirrors it. */
const ProductRow = z.object({
  id: z.string(),
  name: z.string(),
  price_cents: z.number().int(),
  stock: z.number().int(),
  created_at: z.date(),
  updated_at: z.date(),
});
export type Product = z.infer<typeof ProductRow>;

export interface NewProduct {
  name: string;
  price_cents: number;
  stock: number;
}

export type ProductChanges = Partial<NewProduct>;

export type ProductPage = KeysetPage<Product>;

/** The columns every query returns: a constant, interpolated raw with `sql.unsafe` (never a value). */
const COLUMNS = "id, name, price_cents, stock, created_at, updated_at";

const parseRows = (rows: unknown[]): Product[] => rows.map((row) => ProductRow.parse(row));

/** Data access for products. Every method is one query, hence one round trip. */
export class ProductRepository {
  readonly #sql: Database;

  constructor(sql: Database) {
    this.#sql = sql;
  }

  async get(id: string): Promise<Product | undefined> {
    const rows = await this.#sql`
      SELECT ${this.#sql.unsafe(COLUMNS)} FROM products WHERE id = ${id}`;
    return parseRows(rows)[0];
  }

  /** Several products in one query (one round trip); ids not found are simply absent. */
  async getMany(ids: string[]): Promise<Product[]> {
    const rows = await this.#sql`
      SELECT ${this.#sql.unsafe(COLUMNS)} FROM products WHERE id = ANY(${ids}::uuid[])`;
    return parseRows(rows);
  }

  /** Newest first, by keyset: stable under concurrent inserts, and O(limit) at any depth. */
  async list(limit: number, after?: Keyset): Promise<ProductPage> {
    const rows = parseRows(await this.#sql`
      SELECT ${this.#sql.unsafe(COLUMNS)} FROM products
      WHERE ${rowsAfter(this.#sql, after)}
      ORDER BY created_at DESC, id DESC
      LIMIT ${limit + 1}`);
    return toPage(rows, limit);
  }

  async create(product: NewProduct): Promise<Product> {
    try {
      const rows = await this.#sql`
        INSERT INTO products (name, price_cents, stock)
        VALUES (${product.name}, ${product.price_cents}, ${product.stock})
        RETURNING ${this.#sql.unsafe(COLUMNS)}`;
      const [created] = parseRows(rows);
      if (!created) throw new Error("INSERT … RETURNING gave no row");
      return created;
    } catch (error) {
      throw duplicateNameOr(error, product.name);
    }
  }

  /** Applies only the given fields; `undefined` when no such product exists. */
  async update(id: string, changes: ProductChanges): Promise<Product | undefined> {
    try {
      const rows = await this.#sql`
        UPDATE products SET
          name = COALESCE(${changes.name ?? null}, name),
          price_cents = COALESCE(${changes.price_cents ?? null}::integer, price_cents),
          stock = COALESCE(${changes.stock ?? null}::integer, stock),
          updated_at = now()
        WHERE id = ${id}
        RETURNING ${this.#sql.unsafe(COLUMNS)}`;
      return parseRows(rows)[0];
    } catch (error) {
      throw duplicateNameOr(error, changes.name);
    }
  }

  /** True when a product was deleted. */
  async delete(id: string): Promise<boolean> {
    const rows = await this.#sql`DELETE FROM products WHERE id = ${id} RETURNING id`;
    return rows.length > 0;
  }
}

function duplicateNameOr(error: unknown, name: string | undefined): unknown {
  return isUniqueViolation(error) && error.constraint === "products_name_key"
    ? new ConflictError(`A product named "${name}" already exists.`)
    : error;
}
