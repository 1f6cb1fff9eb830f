import { describe, expect, it } from "vitest";
import { numberedLines, type NumberedLine } from "../../../src/jobs/import/ndjson-lines";

async function lines(chunks: string[]): Promise<NumberedLine[]> {
  const out: NumberedLine[] = [];
  const source = new ReadableStream<string>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  for await (const line of source.pipeThrough(numberedLines())) out.push(line);
  return out;
}

describe("numberedLines", () => {
  it("numbers lines across chunks, strips CR, skips blank lines, keeps a last line without LF", async () => {
    expect(await lines(['{"a"', ":1}\r\n\n", '{"b":2}\n{"c"', ":3}"])).toEqual([
      { line: 1, text: '{"a":1}' },
      { line: 3, text: '{"b":2}' },
      { line: 4, text: '{"c":3}' },
    ]);
  });
});
