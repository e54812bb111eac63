/** SendGrid's API hosts by data residency: an EU-pinned subuser only answers on the EU host. */
export const SENDGRID_API_HOSTS = {
  global: "https://api.sendgrid.com",
  eu: "https://api.eu.sendgrid.com",
} as const;

/**
 * Where a tenant's SendGrid calls go: `SENDGRID_API_BASE` when set (a local stand-in), else the host of the
 * tenant's `dataResidency` setting (anything but `"eu"` is global).
 * @example sendgridApiBase(ctx.config.providerBases.sendgridApi, settings.dataResidency)
 */
export function sendgridApiBase(override: string | undefined, dataResidency: unknown): string {
  return override ?? (dataResidency === "eu" ? SENDGRID_API_HOSTS.eu : SENDGRID_API_HOSTS.global);
}
