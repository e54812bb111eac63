const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * True for a canonical UUID. Checked before a path id reaches SQL, so a junk id is a 404, not a cast error.
 * @example if (!isUuid(ctx.params.tenantId)) return notFound();
 */
export function isUuid(value: string | undefined): value is string {
  return value !== undefined && UUID.test(value);
}
