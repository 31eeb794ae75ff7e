// Line input for prompts: a hidden, echo-free read on a terminal; plain lines from piped stdin (so
// scripts and tests can answer "password" then "TOTP code" on two lines).

let buffered = "";
let ended = false;
let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
const decoder = new TextDecoder();

async function pipedLine(): Promise<string | undefined> {
  reader ??= Bun.stdin.stream().getReader();
  for (;;) {
    const nl = buffered.indexOf("\n");
    if (nl >= 0) {
      const line = buffered.slice(0, nl).replace(/\r$/, "");
      buffered = buffered.slice(nl + 1);
      return line;
    }
    if (ended) {
      if (buffered === "") return undefined;
      const rest = buffered;
      buffered = "";
      return rest;
    }
    const { value, done } = await reader.read();
    if (done) ended = true;
    else buffered += decoder.decode(value, { stream: true });
  }
}

function ttyLine(question: string, hidden: boolean): Promise<string | undefined> {
  const stdin = process.stdin;
  process.stderr.write(question);
  return new Promise((resolve) => {
    let line = "";
    stdin.setRawMode?.(true);
    stdin.resume();
    stdin.setEncoding("utf8");
    const done = (value: string | undefined) => {
      stdin.setRawMode?.(false);
      stdin.pause();
      stdin.off("data", onData);
      process.stderr.write("\n");
      resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n") return done(line);
        if (ch === "\u0003") {
          done(undefined);
          process.exit(130);
        }
        if (ch === "\u0004") return done(line === "" ? undefined : line);
        if (ch === "\u007f" || ch === "\b") {
          if (line.length > 0) {
            line = line.slice(0, -1);
            if (!hidden) process.stderr.write("\b \b");
          }
          continue;
        }
        line += ch;
        if (!hidden) process.stderr.write(ch);
      }
    };
    stdin.on("data", onData);
  });
}

export async function prompt(question: string, opts: { hidden?: boolean } = {}): Promise<string | undefined> {
  if (process.stdin.isTTY) return ttyLine(question, opts.hidden === true);
  return pipedLine();
}

export async function readStdin(): Promise<string> {
  let out = buffered;
  buffered = "";
  if (ended) return out;
  reader ??= Bun.stdin.stream().getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    out += decoder.decode(value, { stream: true });
  }
  ended = true;
  return out + decoder.decode();
}
