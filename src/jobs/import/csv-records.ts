/** One CSV record: its fields, and the line of the file it starts on (1-based). */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/**
 * Splits CSV text (RFC 4180: comma separated, `"` quoting with `""` as an escaped quote,
 * quoted fields may hold commas and line breaks, CRLF or LF line ends) into records, as
 * the text streams in: memory holds one record, whatever the size of the file. Blank
 * lines are skipped.
 *
 * @example
 * const records = file.pipeThrough(new TextDecoderStream()).pipeThrough(csvRecords());
 */
export function csvRecords(): TransformStream<string, CsvRecord> {
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  /** Just read a `"` inside a quoted field: either an escaped quote or the closing one. */
  let quotePending = false;
  let line = 1;
  let recordLine = 1;
  /** Just read a CR: an LF right after it belongs to the same line break. */
  let afterCr = false;

  const endField = () => {
    fields.push(field);
    field = "";
  };
  const endRecord = (controller: TransformStreamDefaultController<CsvRecord>) => {
    endField();
    const blank = fields.length === 1 && fields[0] === "";
    if (!blank) controller.enqueue({ line: recordLine, fields });
    fields = [];
  };

  return new TransformStream<string, CsvRecord>({
    transform(chunk, controller) {
      for (const char of chunk) {
        if (afterCr) {
          afterCr = false;
          if (char === "\n") continue;
        }
        if (quotePending) {
          quotePending = false;
          if (char === '"') {
            field += '"';
            continue;
          }
          quoted = false; // that quote closed the field; read this char as unquoted
        }
        if (quoted) {
          if (char === '"') quotePending = true;
          else {
            if (char === "\n" || char === "\r") line++;
            afterCr = char === "\r";
            field += char === "\r" ? "\n" : char;
          }
          continue;
        }
        if (char === '"' && field === "") quoted = true;
        else if (char === ",") endField();
        else if (char === "\n" || char === "\r") {
          endRecord(controller);
          line++;
          recordLine = line;
          afterCr = char === "\r";
        } else field += char;
      }
    },
    flush(controller) {
      if (quoted && !quotePending) {
        controller.error(new SyntaxError(`Unterminated quoted field starting on line ${recordLine}`));
        return;
      }
      if (field !== "" || fields.length > 0) endRecord(controller);
    },
  });
}
