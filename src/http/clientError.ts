// The one mapping of the client errors express and body-parser raise (body too large, bad JSON,
// bad charset, malformed percent-encoding...) to a status and a fixed message: the parser's own
// message can echo the request and is never sent.
export interface ClientError {
  status: number;
  code: string;
  message: string;
}

const BY_TYPE: Record<string, ClientError> = {
  'entity.too.large': { status: 413, code: 'too_large', message: 'The request body is too large.' },
  'entity.parse.failed': { status: 400, code: 'invalid_json', message: 'The request body is not valid JSON.' },
  'entity.too.deep': { status: 400, code: 'too_deep', message: 'The request body is nested too deeply.' },
  'encoding.unsupported': { status: 415, code: 'unsupported_encoding', message: 'The request body’s Content-Encoding is not supported.' },
  'charset.unsupported': { status: 415, code: 'unsupported_charset', message: 'The request body must be UTF-8.' },
  'request.aborted': { status: 400, code: 'aborted', message: 'The request body was cut short.' },
  'request.size.invalid': { status: 400, code: 'bad_request', message: 'The request body does not match its Content-Length.' },
  'parameters.too.many': { status: 413, code: 'too_large', message: 'The request body has too many parameters.' },
};

/** The client error err stands for, or undefined when it is a failure of ours (a 500). */
export function clientErrorOf(err: unknown): ClientError | undefined {
  const e = err as { type?: unknown; status?: unknown } | undefined;
  if (typeof e?.type === 'string' && BY_TYPE[e.type]) return BY_TYPE[e.type];
  if (err instanceof URIError) return { status: 400, code: 'bad_request', message: 'The request path is not valid percent-encoding.' };
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500)
    return { status: e.status, code: 'bad_request', message: 'The request could not be understood.' };
  return undefined;
}
