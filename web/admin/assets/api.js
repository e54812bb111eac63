// Calls the admin API on this origin with the signed-in admin's token. Every answer comes back as
// { ok, status, data }: `data` is the JSON body (a problem document when not ok: title, detail, errors).

export class SessionExpiredError extends Error {}

export function createApi(session) {
  async function request(method, path, body) {
    const token = await session.accessToken();
    if (!token) throw new SessionExpiredError("not signed in");
    const headers = { authorization: `Bearer ${token}`, accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    let response;
    try {
      response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store" });
    } catch {
      return { ok: false, status: 0, data: { title: "The server could not be reached", detail: "check your connection and try again" } };
    }
    if (response.status === 401) {
      session.signOut("Your session has expired; sign in again.");
      throw new SessionExpiredError("session expired");
    }
    let data = {};
    try {
      data = await response.json();
    } catch {
      data = { title: `Unexpected answer (${response.status})` };
    }
    return { ok: response.ok, status: response.status, data };
  }
  return {
    get: (path) => request("GET", path),
    post: (path, body) => request("POST", path, body),
    put: (path, body) => request("PUT", path, body),
  };
}

/** One line for a problem answer: its detail, else its title; a 429 says when to retry. */
export function problemText(answer) {
  const { data, status } = answer;
  if (status === 429) return `Too many requests: ${data.detail ?? "try again in a minute"}.`;
  return [data.title, data.detail].filter(Boolean).join(": ") || `Request failed (${status})`;
}
