import { DocuSignSetupError } from "./errors.ts";

/** The DocuSign account calls are made in, and the host that serves it. */
export interface DocuSignAccount {
  accountId: string;
  accountName: string | null;
  /** `https://demo.docusign.net` (or the account's own); the REST base is `${baseUri}/restapi`. */
  baseUri: string;
}

/** One entry of `/oauth/userinfo`'s `accounts`, as DocuSign documents it. */
interface UserInfoAccount {
  account_id?: unknown;
  account_name?: unknown;
  is_default?: unknown;
  base_uri?: unknown;
}

/**
 * `GET /oauth/userinfo`'s accounts, keeping only well-formed ones.
 * @example accountsOf({ accounts: [{ account_id: "a", is_default: true, account_name: "School", base_uri: "https://demo.docusign.net" }] })
 */
export function accountsOf(userinfo: unknown): (DocuSignAccount & { isDefault: boolean })[] {
  const accounts = (userinfo as { accounts?: unknown } | null)?.accounts;
  if (!Array.isArray(accounts)) return [];
  return (accounts as UserInfoAccount[]).flatMap((a) =>
    typeof a?.account_id === "string" && typeof a.base_uri === "string" && /^https?:\/\//.test(a.base_uri)
      ? [{
          accountId: a.account_id,
          accountName: typeof a.account_name === "string" ? a.account_name : null,
          baseUri: a.base_uri.replace(/\/+$/, ""),
          // DocuSign's own samples show "true" as a string; its API also sends a boolean.
          isDefault: a.is_default === true || a.is_default === "true",
        }]
      : []);
}

/**
 * The account to use: the configured `accountId` when given (it must be one of the user's), else the user's
 * default account, else the first. Throws `DocuSignSetupError` when there is none to use.
 * @example const account = chooseAccount(userinfo, credentials.accountId);
 */
export function chooseAccount(userinfo: unknown, configuredAccountId: string | undefined): DocuSignAccount {
  const accounts = accountsOf(userinfo);
  const chosen = configuredAccountId
    ? accounts.find((a) => a.accountId.toLowerCase() === configuredAccountId.toLowerCase())
    : accounts.find((a) => a.isDefault) ?? accounts[0];
  if (!chosen) {
    throw new DocuSignSetupError(
      "ERR_DOCUSIGN_ACCOUNT",
      configuredAccountId
        ? "the configured account id is not one of this DocuSign user's accounts"
        : "this DocuSign user has no account",
    );
  }
  return { accountId: chosen.accountId, accountName: chosen.accountName, baseUri: chosen.baseUri };
}
