// What test/browser/global-setup.ts hands the browser tests through vitest's provide/inject.
declare module "vitest" {
  export interface ProvidedContext {
    /** The Worker under `wrangler dev`, on its own local stack: `http://127.0.0.1:<port>`. */
    browserBaseUrl: string;
    /** An API key with every scope, in that stack's database. */
    browserApiKey: string;
    /** A key with `jobs:read` alone: the console must refuse it. */
    browserReaderKey: string;
    /** The fake upstream of that stack: its webhook inboxes (`/webhooks/{inbox}?status=400` refuses). */
    browserInboxUrl: string;
  }
}

export {};
