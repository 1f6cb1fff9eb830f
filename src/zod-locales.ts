/**
 * zod's locales, as this Worker bundles them: English only. zod ships error messages in
 * some 50 languages (260 KB minified, a quarter of the bundle), all kept alive because
 * @hono/zod-openapi hands zod's whole namespace to its OpenAPI extension. wrangler.toml's
 * `[alias]` points zod's own import of its locale index here. To answer in another
 * language, export it here too and call `z.config(…)`.
 */
export { default as en } from "zod/v4/locales/en.js";
