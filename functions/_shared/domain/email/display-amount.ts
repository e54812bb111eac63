/** `15000, "usd"` → `"$150.00"`: minor units shifted by the currency's own decimals (none for JPY). */
export function displayAmount(amount: number, currency: string): string | null {
  const code = currency.toUpperCase();
  if (code === "USD") {
    const usd = wholeCentsUsd(amount);
    if (usd !== undefined) return usd;
  }
  const format = formatterFor(code);
  return format ? format.format(amount / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2)) : null;
}

// One formatter per currency, built once: building one costs far more than formatting with it. Currencies
// are a small fixed set (ISO 4217), so the cache stays small; the cap only guards against odd input.
const formatters = new Map<string, Intl.NumberFormat | null>();
const MAX_CACHED_FORMATTERS = 64;

function formatterFor(code: string): Intl.NumberFormat | null {
  let format = formatters.get(code);
  if (format !== undefined) return format;
  try {
    format = new Intl.NumberFormat("en-US", { style: "currency", currency: code });
  } catch {
    format = null; // Not an ISO currency Intl knows: the template still has amount and currency.
  }
  if (formatters.size < MAX_CACHED_FORMATTERS) formatters.set(code, format);
  return format;
}

/**
 * What Intl's en-US USD format gives ("$1,234.56", "-$0.50") for a whole number of cents, without Intl: the
 * first currency formatter of a process loads ICU's currency data, tens of ms of a Lambda's cold start
 * (bench/results.md). Anything else (fractions of a cent, amounts past where Intl's float division still
 * gives exact cents; Stripe's own limit is 8 digits) takes the Intl path.
 */
function wholeCentsUsd(amount: number): string | undefined {
  if (!Number.isInteger(amount) || Math.abs(amount) > 999_999_999_999) return undefined;
  const abs = Math.abs(amount);
  const dollars = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${amount < 0 ? "-" : ""}$${dollars}.${String(abs % 100).padStart(2, "0")}`;
}
