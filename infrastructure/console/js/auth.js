// Who is signed in: a bearer token kept for this browser tab (sessionStorage).
// Locally: a pasted token or POST /_local/token. In AWS: the OIDC issuer's hosted login,
// authorization code flow with PKCE (no client secret in a static page).

const TOKEN_KEY = "oms.console.token";
const PKCE_KEY = "oms.console.pkce";
const RETURN_KEY = "oms.console.return_to";

function base64UrlDecode(text) {
  const padded = text.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(text.length / 4) * 4, "=");
  const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

function base64UrlEncode(bytes) {
  let text = "";
  for (const b of new Uint8Array(bytes)) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The token's claims, or null when it is not a JWT (the API decides whether it is valid). */
export function claims(token) {
  try {
    const [, payload] = token.split(".");
    return JSON.parse(base64UrlDecode(payload));
  } catch {
    return null;
  }
}

export function token() {
  const value = sessionStorage.getItem(TOKEN_KEY);
  if (!value) return null;
  const found = claims(value);
  if (found && typeof found.exp === "number" && found.exp * 1000 < Date.now()) {
    sessionStorage.removeItem(TOKEN_KEY);
    return null;
  }
  return value;
}

export function subject() {
  const value = token();
  const found = value && claims(value);
  return (found && (found.email || found["cognito:username"] || found.sub)) || "";
}

export function isAdmin() {
  const value = token();
  const found = value && claims(value);
  if (!found) return false;
  const groups = found["cognito:groups"];
  return Array.isArray(groups) ? groups.includes("admin") : String(groups || "").includes("admin");
}

export function signIn(value) {
  const cleaned = String(value || "").trim().replace(/^Bearer\s+/i, "");
  if (!cleaned) throw new Error("empty token");
  sessionStorage.setItem(TOKEN_KEY, cleaned);
}

export function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
}

export function rememberReturn(hash) {
  if (hash && !hash.startsWith("#/signin")) sessionStorage.setItem(RETURN_KEY, hash);
}

export function takeReturn() {
  const hash = sessionStorage.getItem(RETURN_KEY);
  sessionStorage.removeItem(RETURN_KEY);
  return hash || "#/";
}

/** Local stack only: a back-office token minted by POST /_local/token. */
export async function localSignIn(api) {
  const answer = await api.request("POST", "/_local/token", { body: { admin: true }, auth: false });
  signIn(answer.token);
}

// --- OIDC (AWS): authorization code + PKCE ---------------------------------------------------------

async function endpoints(oidc) {
  if (oidc.authorization_endpoint && oidc.token_endpoint) return oidc;
  const issuer = String(oidc.issuer || "").replace(/\/$/, "");
  const answer = await fetch(`${issuer}/.well-known/openid-configuration`);
  if (!answer.ok) throw new Error(`OIDC discovery failed: HTTP ${answer.status}`);
  const found = await answer.json();
  return { ...oidc, authorization_endpoint: found.authorization_endpoint, token_endpoint: found.token_endpoint };
}

function redirectUri(oidc) {
  return oidc.redirect_uri || `${location.origin}${location.pathname}`;
}

export async function startOidc(oidc) {
  const settings = await endpoints(oidc);
  const verifier = base64UrlEncode(crypto.getRandomValues(new Uint8Array(32)));
  const challenge = base64UrlEncode(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  const state = base64UrlEncode(crypto.getRandomValues(new Uint8Array(16)));
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state }));
  const query = new URLSearchParams({
    response_type: "code",
    client_id: settings.client_id,
    redirect_uri: redirectUri(settings),
    scope: settings.scope || "openid",
    state,
    code_challenge: challenge,
    code_challenge_method: "S256",
  });
  location.assign(`${settings.authorization_endpoint}?${query}`);
}

/** Back from the hosted login with ?code=&state=: trade the code for tokens. True when signed in. */
export async function finishOidc(oidc) {
  const params = new URLSearchParams(location.search);
  const code = params.get("code");
  if (!code) return false;
  const saved = JSON.parse(sessionStorage.getItem(PKCE_KEY) || "null");
  sessionStorage.removeItem(PKCE_KEY);
  history.replaceState(null, "", `${location.pathname}${location.hash}`);
  if (!saved || saved.state !== params.get("state")) throw new Error("The sign-in answer does not match the request (state).");
  const settings = await endpoints(oidc);
  const answer = await fetch(settings.token_endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code,
      redirect_uri: redirectUri(settings),
      client_id: settings.client_id,
      code_verifier: saved.verifier,
    }),
  });
  if (!answer.ok) throw new Error(`The token endpoint answered HTTP ${answer.status}.`);
  const tokens = await answer.json();
  // The HTTP API's JWT authorizer checks the audience (the app client id): that is the ID token's aud.
  signIn(tokens.id_token || tokens.access_token);
  return true;
}
