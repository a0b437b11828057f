/** Text helpers: search without diacritics, and the word-level difference between versions. */

/** "Đêm văn nghệ" → "dem van nghe": what people type when they search without diacritics. */
export function fold(text: string): string {
  return text
    .normalize("NFD")
    .replace(/\p{Diacritic}/gu, "")
    .replace(/đ/g, "d")
    .replace(/Đ/g, "D")
    .toLowerCase();
}

/** Whether every word of `query` appears (folded) in one of `fields`. */
export function matches(query: string, ...fields: (string | null | undefined)[]): boolean {
  const haystack = fold(fields.filter(Boolean).join(" "));
  return fold(query)
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => haystack.includes(word));
}

export interface Piece {
  op: "same" | "added" | "removed";
  text: string;
}

const LIMIT = 4_000_000; // cells of the LCS table; past it, the whole text counts as replaced

/** The difference from `before` to `after`, word by word (spaces kept with their word). */
export function wordDiff(before: string, after: string): Piece[] {
  const a = before.match(/\S+\s*|\s+/g) ?? [];
  const b = after.match(/\S+\s*|\s+/g) ?? [];
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  const pieces: Piece[] = [];
  const push = (op: Piece["op"], text: string) => {
    const last = pieces[pieces.length - 1];
    if (last && last.op === op) last.text += text;
    else if (text) pieces.push({ op, text });
  };
  push("same", a.slice(0, start).join(""));
  if ((midA.length + 1) * (midB.length + 1) > LIMIT) {
    push("removed", midA.join(""));
    push("added", midB.join(""));
  } else {
    const width = midB.length + 1;
    const table = new Uint32Array((midA.length + 1) * width);
    for (let i = midA.length - 1; i >= 0; i--)
      for (let j = midB.length - 1; j >= 0; j--)
        table[i * width + j] =
          midA[i] === midB[j] ? table[(i + 1) * width + j + 1] + 1 : Math.max(table[(i + 1) * width + j], table[i * width + j + 1]);
    let i = 0;
    let j = 0;
    while (i < midA.length || j < midB.length) {
      if (i < midA.length && j < midB.length && midA[i] === midB[j]) {
        push("same", midA[i++]);
        j++;
      } else if (i < midA.length && (j === midB.length || table[(i + 1) * width + j] >= table[i * width + j + 1])) {
        push("removed", midA[i++]);
      } else {
        push("added", midB[j++]);
      }
    }
  }
  push("same", a.slice(endA).join(""));
  return pieces;
}
