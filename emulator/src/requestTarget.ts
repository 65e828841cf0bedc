/**
 * The request target as HTTP/1.1 allows it (RFC 9112 §3.2): origin-form (`/identities?…`), as clients
 * send it, or absolute-form (`http://127.0.0.1:8088/identities?…`), as requests through an HTTP proxy
 * may arrive. Both come out as the same origin-form target, plus the authority the client addressed.
 */

export interface RequestTarget {
  /** Path and query as sent, e.g. `/identities?api-version=…` (always starts with `/`). */
  originForm: string;
  /** The path part of `originForm`, still percent-encoded. */
  path: string;
  /** `host[:port]` of an absolute-form target (which then stands for the Host header); undefined for origin-form. */
  authority: string | undefined;
}

const ABSOLUTE_FORM = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i;

export function parseRequestTarget(raw: string): RequestTarget {
  let originForm = raw;
  let authority: string | undefined;
  // Origin-form (what clients send) starts with "/": no scheme to look for.
  const absolute = raw.charCodeAt(0) === 47 /* / */ ? null : ABSOLUTE_FORM.exec(raw);
  if (absolute) {
    // Any userinfo (`user:secret@`) is dropped: it is not part of the authority a signer signs, and never echoed.
    authority = absolute[1].slice(absolute[1].lastIndexOf("@") + 1);
    const rest = raw.slice(absolute[0].length);
    originForm = rest.startsWith("/") ? rest : `/${rest}`;
  }
  const queryStart = originForm.indexOf("?");
  return { originForm, path: queryStart < 0 ? originForm : originForm.slice(0, queryStart), authority };
}
