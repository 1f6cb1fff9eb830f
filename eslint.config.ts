import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

export default defineConfig(
  { ignores: ["node_modules/", ".tools/", ".wrangler/", ".data/", "dist/", "bench/out/", "worker-configuration.d.ts"] },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // Both programs: the Worker's (tsconfig.json) and the Node tooling's.
        project: ["./tsconfig.json", "./tsconfig.node.json"],
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
    },
  },
  {
    // Tests await in loops on purpose (ordered requests) and use non-null assertions freely.
    files: ["test/**/*.ts"],
    rules: {
      "no-await-in-loop": "off",
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
);
