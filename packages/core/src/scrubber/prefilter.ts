// Keyword prefilter: one Aho-Corasick pass over the text (ASCII case-folded) finds every
// keyword occurrence, so only detectors whose keyword is present ever run a regex.
// Cost: one table lookup per input character, whatever the number of keywords.

export interface KeywordHits {
  /** Keyword index of each hit. */
  keyword: Int32Array;
  /** Start offset of each hit. */
  start: Int32Array;
  count: number;
}

export interface Prefilter {
  readonly keywords: readonly string[];
  /** Every keyword occurrence that starts in [from, to), in increasing end order. */
  find(text: string, from: number, to: number): KeywordHits;
}

export function buildPrefilter(keywords: readonly string[]): Prefilter {
  // Character classes: each ASCII character used by a keyword gets its own class (upper case
  // folded onto lower case); every other character is class 0, which no keyword contains.
  const classOf = new Uint8Array(128);
  let classes = 1;
  for (const kw of keywords) {
    for (let i = 0; i < kw.length; i++) {
      const c = kw.charCodeAt(i);
      if (c >= 128) throw new Error(`scrubber keyword must be ASCII: ${kw}`);
      if (c >= 65 && c <= 90) throw new Error(`scrubber keyword must be lower case: ${kw}`);
      if (classOf[c] === 0) classOf[c] = classes++;
    }
  }
  for (let c = 65; c <= 90; c++) classOf[c] = classOf[c + 32] ?? 0;

  // Trie.
  const children: number[][] = [new Array<number>(classes).fill(-1)];
  const outputs: number[][] = [[]];
  keywords.forEach((kw, index) => {
    let s = 0;
    for (let i = 0; i < kw.length; i++) {
      const cls = classOf[kw.charCodeAt(i)] ?? 0;
      const row = children[s] ?? [];
      let next = row[cls] ?? -1;
      if (next === -1) {
        next = children.length;
        children.push(new Array<number>(classes).fill(-1));
        outputs.push([]);
        row[cls] = next;
      }
      s = next;
    }
    outputs[s]?.push(index);
  });

  // Breadth-first failure links, folded into a full transition table (a DFA).
  const states = children.length;
  const delta = new Int32Array(states * classes);
  const fail = new Int32Array(states);
  const queue: number[] = [];
  for (let cls = 0; cls < classes; cls++) {
    const next = children[0]?.[cls] ?? -1;
    if (next === -1) delta[cls] = 0;
    else {
      delta[cls] = next;
      fail[next] = 0;
      queue.push(next);
    }
  }
  for (let head = 0; head < queue.length; head++) {
    const s = queue[head] ?? 0;
    const f = fail[s] ?? 0;
    const out = outputs[s] ?? [];
    for (const o of outputs[f] ?? []) out.push(o);
    for (let cls = 0; cls < classes; cls++) {
      const next = children[s]?.[cls] ?? -1;
      if (next === -1) delta[s * classes + cls] = delta[f * classes + cls] ?? 0;
      else {
        fail[next] = delta[f * classes + cls] ?? 0;
        delta[s * classes + cls] = next;
        queue.push(next);
      }
    }
  }

  // Outputs as CSR arrays; `hasOut` keeps the hot loop to one byte test per character.
  const outStart = new Int32Array(states + 1);
  const outList: number[] = [];
  const hasOut = new Uint8Array(states);
  for (let s = 0; s < states; s++) {
    outStart[s] = outList.length;
    for (const o of outputs[s] ?? []) outList.push(o);
    if ((outputs[s]?.length ?? 0) > 0) hasOut[s] = 1;
  }
  outStart[states] = outList.length;
  const outKw = Int32Array.from(outList);
  const kwLen = Int32Array.from(keywords.map((k) => k.length));
  const maxLen = keywords.reduce((m, k) => Math.max(m, k.length), 0);

  return {
    keywords,
    find(text, from, to) {
      let cap = 64;
      let kwOut = new Int32Array(cap);
      let startOut = new Int32Array(cap);
      let count = 0;
      const end = Math.min(text.length, to + maxLen - 1);
      let s = 0;
      for (let i = from; i < end; i++) {
        const c = text.charCodeAt(i);
        s = delta[s * classes + (c < 128 ? (classOf[c] ?? 0) : 0)] ?? 0;
        if (hasOut[s] === 1) {
          for (let k = outStart[s] ?? 0, e = outStart[s + 1] ?? 0; k < e; k++) {
            const kw = outKw[k] ?? 0;
            const start = i - (kwLen[kw] ?? 0) + 1;
            if (start >= to) continue;
            if (count === cap) {
              cap *= 2;
              const a = new Int32Array(cap);
              a.set(kwOut);
              kwOut = a;
              const b = new Int32Array(cap);
              b.set(startOut);
              startOut = b;
            }
            kwOut[count] = kw;
            startOut[count] = start;
            count++;
          }
        }
      }
      return { keyword: kwOut, start: startOut, count };
    },
  };
}
