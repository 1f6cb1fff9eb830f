import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";
import { edgekit } from "./tools/eslint-rules/index.ts";

export default defineConfig(
  { ignores: ["node_modules/", ".tools/", ".wrangler/", ".data/", "dist/", "bench/out/", "worker-configuration.d.ts"] },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // The programs: the Worker's (tsconfig.json), the Node tooling's, and the console's
        // page script (browser code, DOM types).
        project: ["./tsconfig.json", "./tsconfig.node.json", "./src/routes/console/client/tsconfig.json"],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // An un-awaited promise in a Worker is cancelled when the response returns unless it
      // is handed to ctx.waitUntil: every promise must be awaited, returned or passed on.
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/await-thenable": "error",
      "no-await-in-loop": "error",
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
      // Style only: `return send(res, …)` in a handler reads as "answer and stop".
      "@typescript-eslint/no-confusing-void-expression": "off",
    },
  },
  {
    // The blocking-operation audit (tools/eslint-rules/, reported per route by
    // `npm run audit:blocking`): deadlines on I/O, bounded fan-out, no sync CPU in handlers.
    files: ["src/**/*.ts"],
    plugins: { edgekit },
    rules: {
      "edgekit/io-needs-signal": "error",
      "edgekit/bounded-promise-all": "error",
      // Hono's `c.var` copies every request variable into a new object on each read; the
      // request path reads them dozens of times, so `c.get("name")` (typed the same) it is.
      "no-restricted-syntax": [
        "error",
        { selector: "MemberExpression[property.name='var'][object.type='Identifier']", message: 'Use c.get("name"): c.var copies every variable on each read.' },
      ],
    },
  },
  {
    files: ["src/routes/**/*.ts"],
    plugins: { edgekit },
    rules: { "edgekit/no-sync-heavy-in-handlers": "error" },
  },
  {
    // The local servers index argument lists whose length Redis-style arity checks (or the
    // protocol parser) have already proven.
    files: ["tools/**/*.ts"],
    rules: { "@typescript-eslint/no-non-null-assertion": "off" },
  },
  {
    // Plain JavaScript that any Node.js runs (tools/check-node.mjs): no TypeScript program.
    files: ["**/*.mjs"],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly", Response: "readonly" } },
  },
  {
    // The benchmark is sequential on purpose: rounds, polls and batches one after another.
    files: ["bench/**/*.ts"],
    rules: { "no-await-in-loop": "off" },
  },
  {
    // Tests await in loops on purpose (ordered requests), use non-null assertions freely, and
    // vitest's asymmetric matchers (expect.any, …) are typed `any`.
    files: ["test/**/*.ts"],
    rules: {
      "no-await-in-loop": "off",
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
    },
  },
);
