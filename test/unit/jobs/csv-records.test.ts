import { describe, expect, it } from "vitest";
import { csvRecords, type CsvRecord } from "../../../src/jobs/import/csv-records";

/** Feeds `chunks` through the parser, as a stream would deliver them. */
async function parse(chunks: string[]): Promise<CsvRecord[]> {
  const records: CsvRecord[] = [];
  const source = new ReadableStream<string>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  for await (const record of source.pipeThrough(csvRecords())) records.push(record);
  return records;
}

describe("csvRecords", () => {
  it("splits fields and records, with CRLF or LF line ends, skipping blank lines", async () => {
    expect(await parse(["a,b\r\n1,2\n\n3,\n"])).toEqual([
      { line: 1, fields: ["a", "b"] },
      { line: 2, fields: ["1", "2"] },
      { line: 4, fields: ["3", ""] },
    ]);
  });

  it("reads quoted fields with commas, escaped quotes and line breaks, numbering records by their first line", async () => {
    expect(await parse(['name,note\n"a, b","say ""hi"""\n"multi\r\nline",x\nlast,y'])).toEqual([
      { line: 1, fields: ["name", "note"] },
      { line: 2, fields: ["a, b", 'say "hi"'] },
      { line: 3, fields: ["multi\nline", "x"] },
      { line: 5, fields: ["last", "y"] },
    ]);
  });

  it("gives the same records however the text is cut into chunks", async () => {
    const text = 'h1,h2\r\n"x ""1""",2\r\n"y\r\nz",3\r\n';
    const whole = await parse([text]);
    for (let cut = 1; cut < text.length; cut++) {
      expect(await parse([text.slice(0, cut), text.slice(cut)])).toEqual(whole);
    }
    expect(await parse(text.split(""))).toEqual(whole);
  });

  it("fails on an unterminated quoted field, naming its line", async () => {
    await expect(parse(['a\n"open,1\n'])).rejects.toThrow("line 2");
  });
});
