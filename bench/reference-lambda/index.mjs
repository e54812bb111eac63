// The cold-start reference: a Stripe webhook Lambda written the usual way — the Stripe SDK's constructEvent
// on the raw body, then a node-postgres (`pg`) insert of the event — bundled exactly like ours
// (bench/cold-start.ts builds it with infra/bundling.ts's options). Plain JS: it is what a tutorial ships.
import pg from "pg";
import Stripe from "stripe";

const stripe = new Stripe(process.env.STRIPE_SECRET_KEY);
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 });

export const handler = async (event) => {
  const body = event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
  let stripeEvent;
  try {
    stripeEvent = stripe.webhooks.constructEvent(body, event.headers["stripe-signature"], process.env.STRIPE_WEBHOOK_SECRET);
  } catch {
    return { statusCode: 400, body: "invalid signature" };
  }
  await pool.query(
    "insert into bench_reference_events (id, type, payload) values ($1, $2, $3) on conflict (id) do nothing",
    [stripeEvent.id, stripeEvent.type, body],
  );
  return { statusCode: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ received: true }) };
};
