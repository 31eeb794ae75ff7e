// Value shapes several detector families share.

export const UUID_LOWER = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
export const UUID_ANY = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";

/** Start of a token whose keyword sits `offset` characters into it. */
export function backBy(offset: number): (text: string, at: number) => number {
  return (_text, at) => (at >= offset ? at - offset : -1);
}
