/** A mention fan-out is work for other modules; one message may not ask for more than this. */
export const MAX_MENTIONS = 20;

// `@` must not follow a user-id character, so `ann@example.com` mentions nobody.
const MENTION = /(?<![A-Za-z0-9_.-])@([A-Za-z0-9_.-]+)/g;

/**
 * The distinct users a text mentions as `@<userId>`, in order of appearance,
 * without `senderId`, at most `MAX_MENTIONS`. Trailing dots are taken as
 * punctuation ("thanks @ann." mentions `ann`).
 */
export function extractMentions(text: string, senderId: string): string[] {
  // Most messages mention nobody: no regex, set or array for them.
  if (!text.includes('@')) return [];
  const found = new Set<string>();
  for (const match of text.matchAll(MENTION)) {
    const userId = withoutTrailingDots(match[1]);
    if (userId === '' || userId === senderId) continue;
    found.add(userId);
    if (found.size === MAX_MENTIONS) break;
  }
  return [...found];
}

/** A loop, not /\.+$/: that regex backtracks quadratically on a long run of dots. */
function withoutTrailingDots(name: string): string {
  let end = name.length;
  while (end > 0 && name.charCodeAt(end - 1) === 46) end--;
  return name.slice(0, end);
}
