import type { ContractEnrollment } from "./contract-enrollment.ts";

/**
 * Minor units as the contract shows them, in the currency's own decimals.
 * @example formatTuition(150000, "usd") // "$1,500.00"; formatTuition(150000, "jpy") // "¥150,000"
 */
export function formatTuition(amount: number, currency: string): string {
  const format = new Intl.NumberFormat("en-US", { style: "currency", currency: currency.toUpperCase() });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(amount / 10 ** digits);
}

/**
 * The contract template's text tabs prefilled from the enrollment, by tab label (DESIGN.md "Contracts
 * (DocuSign)"): `studentName`, `guardianName` (the signer), `tuitionAmount`. A value the enrollment lacks
 * is left out, so the template's own default (or an empty field for the signer) stays.
 */
export function contractTextTabs(enrollment: ContractEnrollment): Record<string, string> {
  const tabs: Record<string, string> = {};
  if (enrollment.studentName?.trim()) tabs.studentName = enrollment.studentName.trim();
  if (enrollment.signerName?.trim()) tabs.guardianName = enrollment.signerName.trim();
  if (enrollment.tuitionAmount !== null && enrollment.tuitionCurrency) {
    tabs.tuitionAmount = formatTuition(enrollment.tuitionAmount, enrollment.tuitionCurrency);
  }
  return tabs;
}
