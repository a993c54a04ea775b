// Accent- and case-folded names for search, the same on both databases: "muller" finds "Müller".
/** Lower-cased, NFKD-decomposed, combining marks removed ("Ørsted Café" → "ørsted cafe"). */
export function foldName(s: string): string {
  // Lower-case first: a few lower-case forms decompose further (İ → i + combining dot).
  return s.toLowerCase().normalize('NFKD').replace(/\p{M}/gu, '');
}
