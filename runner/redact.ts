/**
 * Passwords never reach a terminal, a log or a report: every URL dbspec prints goes through here.
 */

const URL_IN_TEXT = /postgres(?:ql)?:\/\/[^\s'"<>`]+/gi;
const PASSWORD_KEYWORD = /(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&]+)/gi;

/** postgres://user:secret@host:port/db -> postgres://user:***@host:port/db (query-string passwords too). */
export const redactUrl = (url: string): string => {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url);
  if (!scheme) return url.replace(PASSWORD_KEYWORD, '$1***');
  const start = scheme[0].length;
  // As in WHATWG URL parsing of non-special schemes: the authority ends at the first / ? #, and the
  // user info ends at the authority's LAST @ (a password may contain an unescaped @).
  const authorityEnd = url.slice(start).search(/[/?#]/);
  const end = authorityEnd === -1 ? url.length : start + authorityEnd;
  const authority = url.slice(start, end);
  const at = authority.lastIndexOf('@');
  let redacted = authority;
  if (at !== -1) {
    const userInfo = authority.slice(0, at);
    const colon = userInfo.indexOf(':');
    if (colon !== -1) redacted = `${userInfo.slice(0, colon)}:***${authority.slice(at)}`;
  }
  return url.slice(0, start) + redacted + url.slice(end).replace(PASSWORD_KEYWORD, '$1***');
};

/** Redacts every postgres URL and every `password=...` inside free text (error messages, logs). */
export const redactSecrets = (text: string): string =>
  text.replace(URL_IN_TEXT, (url) => redactUrl(url)).replace(PASSWORD_KEYWORD, (match, key: string, value: string) => (value === '***' ? match : `${key}***`));
