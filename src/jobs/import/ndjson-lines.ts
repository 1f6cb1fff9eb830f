/** One non-blank line of a text stream, with its 1-based line number. */
export interface NumberedLine {
  line: number;
  text: string;
}

/**
 * Splits text into lines (LF or CRLF) as it streams in, keeping only the unfinished last
 * line in memory. Blank lines are skipped, as NDJSON allows.
 */
export function numberedLines(): TransformStream<string, NumberedLine> {
  let pending = "";
  let line = 0;
  const emit = (text: string, controller: TransformStreamDefaultController<NumberedLine>) => {
    line++;
    const trimmed = text.endsWith("\r") ? text.slice(0, -1) : text;
    if (trimmed.trim() !== "") controller.enqueue({ line, text: trimmed });
  };
  return new TransformStream<string, NumberedLine>({
    transform(chunk, controller) {
      const parts = (pending + chunk).split("\n");
      pending = parts.pop() ?? "";
      for (const part of parts) emit(part, controller);
    },
    flush(controller) {
      if (pending !== "") emit(pending, controller);
    },
  });
}
