/**
 * Passwords never reach a terminal, a log or a report: every URL dbspec prints goes through here.
 */
import { urlParts } from './connection-url.ts';

/** A postgres URL inside free text: up to white space or a quote (a password may hold / ? # @ :). */
const URL_IN_TEXT = /postgres(?:ql)?:\/\/[^\s'"<>`]+/gi;
const PASSWORD_KEYWORD = /(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&]+)/gi;

/**
 * postgres://user:secret@host:port/db -> postgres://user:***@host:port/db (query-string passwords too).
 * The user info runs to the LAST `@` (see connection-url.ts), so `/ ? # @ :` in a password stay hidden.
 */
export const redactUrl = (url: string): string => {
  const parts = urlParts(url);
  if (!parts) return url.replace(PASSWORD_KEYWORD, '$1***');
  const rest = parts.rest.replace(PASSWORD_KEYWORD, '$1***');
  if (parts.userInfo === undefined) return parts.scheme + rest;
  const colon = parts.userInfo.indexOf(':');
  const userInfo = colon === -1 ? parts.userInfo : `${parts.userInfo.slice(0, colon)}:***`;
  return `${parts.scheme}${userInfo}@${rest}`;
};

/** Redacts every postgres URL and every `password=...` inside free text (error messages, logs). */
export const redactSecrets = (text: string): string =>
  text.replace(URL_IN_TEXT, (url) => redactUrl(url)).replace(PASSWORD_KEYWORD, (match, key: string, value: string) => (value === '***' ? match : `${key}***`));

/** User info in any `//user:secret@` form, whatever the scheme (a config line may hold a URL of any kind). */
const ANY_USER_INFO = /(\/\/[^:/@\s]*:)[^@\s]*@/g;

/** A line of a file shown in a code frame (a config line may hold a URL): secrets as redactSecrets, and any `//user:secret@`. */
export const redactSourceLine = (line: string): string => redactSecrets(line).replace(ANY_USER_INFO, '$1***@');
