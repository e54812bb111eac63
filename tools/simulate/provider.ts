import type { KeyObject } from "node:crypto";

/** What the command line says about the event to build (each provider reads the fields it has a use for). */
export interface EventInput {
  /** Unix milliseconds: when the event happens. */
  now: number;
  /** Reuse an event id (Stripe) to show a redelivery being acknowledged as a duplicate. */
  eventId?: string;
  /** Our enrollment the event is about (Stripe metadata.enrollment_id, DocuSign/Zoom are linked by their own ids). */
  enrollmentId?: string;
  /** Minor units (cents). */
  amount?: number;
  /** The provider object the event is about: a payment intent, an envelope, a meeting, a message. */
  objectId?: string;
  /** SendGrid `custom_args` echoed on the event (`--arg key=value`). */
  customArgs: Record<string, string>;
}

/** What signs a request: a shared secret (Stripe, DocuSign, Zoom) or an ECDSA private key (SendGrid). */
export type SigningKey = { secret: string } | { privateKey: KeyObject };

/** One provider the simulator speaks for: its events, and how it builds and signs a delivery. */
export interface SimulatedProvider {
  key: "stripe" | "docusign" | "zoom" | "sendgrid";
  /** Event names it builds realistic bodies for (`npm run simulate -- <provider> --list`). */
  events: readonly string[];
  /** Whether an event name outside `events` is still sent (as a minimal event of that type). */
  acceptsOtherEvents: boolean;
  /** The raw body, exactly the bytes that are signed and sent, and a one-line description. */
  build(event: string, input: EventInput): { body: string; describe: string };
  /** The headers the provider sends, signature included, for `body` at `timestampSeconds`. */
  sign(body: string, key: SigningKey, timestampSeconds: number): Record<string, string>;
}

/** The shared secret of a secret-signed provider (the CLI checks the kind before calling). */
export function secretOf(key: SigningKey): string {
  if (!("secret" in key)) throw new Error("this provider signs with a shared secret");
  return key.secret;
}
