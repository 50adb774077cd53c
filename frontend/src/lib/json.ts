/**
 * Pretty-printed JSON text of any value (renderers cap it like any other
 * agent content). Never throws: cycles and BigInts fall back to String.
 */
export function prettyJSON(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}
