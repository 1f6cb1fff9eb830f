/**
 * The dead-letter queue's name, as in wrangler.toml (`dead_letter_queue`, and its
 * consumer). The Worker consumes both queues and tells them apart by this name; keep the
 * two in step (test/worker/jobs-config.test.ts checks).
 */
export const DEAD_LETTER_QUEUE = "edgekit-jobs-dead-letters";
