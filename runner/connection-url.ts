/**
 * The user info of a postgres:// URL, read the way people write it: everything between `://` and the LAST
 * `@` before the host is `user[:password]`, so a password may hold `/ ? # @ :` unescaped. WHATWG URL
 * parsing (and so node-postgres) ends the authority at the first `/ ? #` instead, and reads
 * `postgres://secuser:2024/Secret@host/db` as host `secuser`, port `2024`. Every URL from the environment
 * is normalised here (user and password percent-encoded) before anything else parses it.
 */

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

export type UrlParts = {
  /** `postgres://` */
  readonly scheme: string;
  /** The raw text between the scheme and the last `@`, or undefined when there is no `@`. */
  readonly userInfo?: string;
  /** Everything after the user info: host[:port][/database][?query] */
  readonly rest: string;
};

/**
 * The URL's parts; undefined when it has no scheme. The user info ends at the URL's last `@`, so an `@` in
 * the query string (`?application_name=a@b`) must be written `%40` when the URL has no user info.
 */
export const urlParts = (url: string): UrlParts | undefined => {
  const scheme = SCHEME.exec(url)?.[0];
  if (scheme === undefined) return undefined;
  const afterScheme = url.slice(scheme.length);
  const at = afterScheme.lastIndexOf('@');
  if (at === -1) return { scheme, rest: afterScheme };
  return { scheme, userInfo: afterScheme.slice(0, at), rest: afterScheme.slice(at + 1) };
};

/** Decodes valid %XX escapes and keeps a stray `%` as itself (libpq decodes the user info). */
const decodeLenient = (text: string): string => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  }
};

/** The same URL with user and password percent-encoded, so that any URL parser reads the host right. */
export const normaliseUrl = (url: string): string => {
  const parts = urlParts(url);
  if (parts?.userInfo === undefined) return url;
  const colon = parts.userInfo.indexOf(':');
  const user = colon === -1 ? parts.userInfo : parts.userInfo.slice(0, colon);
  const password = colon === -1 ? undefined : parts.userInfo.slice(colon + 1);
  const encoded = encodeURIComponent(decodeLenient(user)) + (password === undefined ? '' : `:${encodeURIComponent(decodeLenient(password))}`);
  return `${parts.scheme}${encoded}@${parts.rest}`;
};
