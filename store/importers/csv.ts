/**
 * @module
 * A small RFC 4180 CSV reader (quoted fields may hold commas, quotes and newlines) that keeps
 * the line number where each record starts, so import errors can point at it.
 */

/** One CSV record and the 1-based line it starts on. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/** Splits CSV text into records; an unterminated quote is reported as an error record. */
export function* readCsv(text: string): Generator<CsvRecord | { line: number; error: string }> {
  let i = 0;
  let line = 1;
  const n = text.length;
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    let field = "";
    let ended = false;
    while (i < n && !ended) {
      const ch = text[i];
      if (ch === '"' && field === "") {
        i++;
        let closed = false;
        while (i < n) {
          const c = text[i];
          if (c === '"') {
            if (text[i + 1] === '"') (field += '"', i += 2);
            else {
              i++;
              closed = true;
              break;
            }
          } else {
            if (c === "\n") line++;
            field += c;
            i++;
          }
        }
        if (!closed) {
          yield { line: start, error: "unterminated quoted field" };
          return;
        }
        continue;
      }
      if (ch === ",") (fields.push(field), field = "", i++);
      else if (ch === "\r" && text[i + 1] === "\n") (i += 2, ended = true);
      else if (ch === "\n" || ch === "\r") (i++, ended = true);
      else (field += ch, i++);
    }
    fields.push(field);
    if (ended) line++;
    if (fields.length === 1 && fields[0] === "") continue;
    yield { line: start, fields };
  }
}
