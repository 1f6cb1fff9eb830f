/**
 * A bare Hono Worker: the yardstick of `wrangler check startup` (bench/run.ts builds it with
 * a config of its own). Never deployed.
 */
import { Hono } from "hono";

export default new Hono().get("/", (c) => c.json({ ok: true }));
