/** A request path as routing sees it: decoded segments, and whether it ended in "/". */
export interface RequestPath {
  readonly segments: readonly string[];
  readonly trailingSlash: boolean;
}

/**
 * The path the way Kestrel hands it to routing: percent-decoded except "%2F" (which stays as it is,
 * so it never splits a segment), "." and ".." segments resolved, a trailing "/" not a segment of its
 * own. An empty segment ("a//b") matches no route, so the answer is undefined.
 */
export function parseRequestPath(rawPath: string): RequestPath | undefined {
  const trimmed = rawPath.startsWith("/") ? rawPath.slice(1) : rawPath;
  const trailingSlash = trimmed.endsWith("/");
  const raw = trimmed === "" ? [] : (trailingSlash ? trimmed.slice(0, -1) : trimmed).split("/");
  const segments: string[] = [];
  for (const rawSegment of raw) {
    const segment = decodeSegment(rawSegment);
    if (segment === "") return undefined;
    if (segment === "..") segments.pop();
    else if (segment !== ".") segments.push(segment);
  }
  return { segments, trailingSlash };
}

function decodeSegment(raw: string): string {
  return raw
    .split(/(%2f)/i)
    .map((piece, index) => (index % 2 === 1 ? piece : decodePiece(piece)))
    .join("");
}

/** Sequences that are not valid UTF-8 stay encoded, as Kestrel leaves them. */
function decodePiece(piece: string): string {
  try {
    return decodeURIComponent(piece);
  } catch {
    return piece.replace(/(%[\da-f]{2})+/gi, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}
