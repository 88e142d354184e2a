// The HTTP API client: bearer token, JSON in and out, problem+json turned into ApiError.

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || { status, title: `HTTP ${status}`, errors: [] };
  }

  get code() {
    return this.problem.code || "";
  }

  /** The endpoint is not there (yet): the page shows "not available" instead of an error. */
  get missing() {
    return (this.status === 404 && (this.code === "route_not_found" || this.code === "")) || this.status === 501;
  }
}

function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export class Api {
  constructor(baseUrl, tokenSource, onUnauthorized) {
    this.base = (baseUrl || "").replace(/\/$/, "");
    this.tokenSource = tokenSource;
    this.onUnauthorized = onUnauthorized;
  }

  url(path, query) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query || {})) {
      if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
    }
    const text = params.toString();
    return this.base + path + (text ? `?${text}` : "");
  }

  async request(method, path, { body, query, idempotent = false, auth = true, probe = false } = {}) {
    const headers = { Accept: "application/json, application/problem+json" };
    const token = auth ? this.tokenSource() : null;
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    // Writes that move money or stock are safe to retry with the same key; each submission gets one.
    if (idempotent) headers["Idempotency-Key"] = newKey();
    let answer;
    try {
      answer = await fetch(this.url(path, query), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new ApiError(0, { title: "Network error", detail: String(error.message || error), code: "network", errors: [] });
    }
    const text = await answer.text();
    let payload = null;
    if (text) {
      try {
        payload = JSON.parse(text);
      } catch {
        payload = { detail: text.slice(0, 300) };
      }
    }
    if (!answer.ok) {
      const error = new ApiError(answer.status, payload);
      if (answer.status === 401 && auth && !probe && this.onUnauthorized) this.onUnauthorized(error);
      throw error;
    }
    return payload;
  }

  get(path, query) {
    return this.request("GET", path, { query });
  }

  post(path, body, options = {}) {
    return this.request("POST", path, { body: body === undefined ? {} : body, idempotent: true, ...options });
  }

  put(path, body) {
    return this.request("PUT", path, { body });
  }
}
