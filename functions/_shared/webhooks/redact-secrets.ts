// Webhook payloads sit in webhook_events, which admins browse and the retry job re-reads: no credential a
// provider puts in an event may stay there. Zoom sends meeting passcodes (`password`, `h323_password`,
// `pstn_password`, `encrypted_password`, `settings.password`, `?pwd=` in join URLs, `?zak=` in start URLs)
// and recording `download_token`s; Stripe sends `client_secret`s; anything named like a token, secret,
// password, passcode or key goes too, at any depth, for every provider. Effects read the redacted copy, so
// a first delivery, a retry and a replay see the same event (none of them needs a credential).

export const REDACTED = "[redacted]";

/** Object keys whose values are credentials. */
const SECRET_KEY = /pass[-_ ]?(?:word|code|wd)|pwd|secret|token|access[-_ ]?code|api[-_ ]?key|private[-_ ]?key/i;

/** Query parameters that are credentials: the key names above, and Zoom's short ones (`pwd`, `zak`, `tk`). */
const SECRET_PARAM = /^(?:pwd|zak|tk)$/i;

/**
 * A cheap test on the JSON text: when it fails, no key or query parameter can need redacting, so the text
 * is stored as verified without parsing it again. `\u` escapes could spell a key name in disguise: any of
 * them sends the text down the slow path.
 */
const MAY_HOLD_SECRET = new RegExp(`${SECRET_KEY.source}|[?&#](?:zak|tk)=|\\\\u`, "i");

/** `name=value` in a URL's query or fragment (our pay links carry their token in the fragment). */
const QUERY_PARAM = /([?&#])([^=&#?\s]+)=([^&#\s]*)/g;

function isSecretParam(name: string): boolean {
  let decoded = name;
  try {
    decoded = decodeURIComponent(name);
  } catch {
    // Not percent-encoding: test the name as written.
  }
  return SECRET_PARAM.test(decoded) || SECRET_KEY.test(decoded);
}

/** Sets `key` as an own data property: `copy[key] = …` would set the prototype when `key` is `__proto__`. */
function define(target: object, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/**
 * Redacts copy-on-write: a subtree with nothing to redact is returned as is (no allocation), a changed one
 * is a shallow copy. `found` counts replacements, so a false alarm keeps the verified text.
 */
class Redaction {
  found = 0;

  value(value: unknown): unknown {
    if (typeof value === "string") return this.string(value);
    if (value === null || typeof value !== "object") return value;
    let copy: Record<string, unknown> | unknown[] | undefined;
    const source = value as Record<string, unknown>;
    for (const key of Object.keys(source)) {
      const inner = source[key];
      const next = Array.isArray(source) ? this.value(inner) : this.entry(key, inner);
      if (next === inner) continue;
      // Spread and slice copy own properties as data: a `__proto__` key stays a key.
      copy ??= Array.isArray(source) ? source.slice() : { ...source };
      define(copy, key, next);
    }
    return copy ?? value;
  }

  private entry(key: string, value: unknown): unknown {
    if (!SECRET_KEY.test(key) || value === null || value === "" || value === REDACTED) return this.value(value);
    this.found++;
    return REDACTED;
  }

  private string(value: string): string {
    if (!value.includes("=")) return value;
    return value.replace(QUERY_PARAM, (whole, separator: string, name: string, secret: string) => {
      if (!isSecretParam(name) || secret === "" || secret === REDACTED) return whole;
      this.found++;
      return `${separator}${name}=${REDACTED}`;
    });
  }
}

/**
 * A provider payload with every credential replaced by `"[redacted]"`, and its JSON text. `json` is the
 * verified body when the caller has it (`payloadJson`) and nothing needs redacting: the common case costs
 * one regex test over the text, no re-serialization.
 * @example const { payload, json } = redactSecrets(event.payload, event.payloadJson);
 */
export function redactSecrets(payload: unknown, json?: string): { payload: unknown; json: string } {
  const text = json ?? JSON.stringify(payload);
  if (!MAY_HOLD_SECRET.test(text)) return { payload, json: text };
  const redaction = new Redaction();
  const redacted = redaction.value(payload);
  // A false alarm (the word in a value, say) keeps the verified text byte for byte.
  return redaction.found === 0 ? { payload, json: text } : { payload: redacted, json: JSON.stringify(redacted) };
}
