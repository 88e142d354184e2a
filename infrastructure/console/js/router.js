// A hash router: "#/orders/ord_1?tab=x" -> the page registered for "/orders/:id", with params and query.

export class Router {
  constructor(onRoute) {
    this.routes = [];
    this.onRoute = onRoute;
    window.addEventListener("hashchange", () => this.resolve());
  }

  add(pattern, page) {
    const names = [];
    const source = pattern
      .split("/")
      .map((part) => {
        if (part.startsWith(":")) {
          names.push(part.slice(1));
          return "([^/]+)";
        }
        return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      })
      .join("/");
    this.routes.push({ regex: new RegExp(`^${source}/?$`), names, page, pattern });
    return this;
  }

  current() {
    const raw = location.hash.replace(/^#/, "") || "/";
    const [path, search = ""] = raw.split("?");
    for (const route of this.routes) {
      const found = route.regex.exec(path);
      if (found) {
        const params = {};
        route.names.forEach((name, i) => (params[name] = decodeURIComponent(found[i + 1])));
        return { route, params, query: Object.fromEntries(new URLSearchParams(search)), path };
      }
    }
    return { route: null, params: {}, query: {}, path };
  }

  resolve() {
    return this.onRoute(this.current());
  }
}

export function go(path, query) {
  const search = query ? new URLSearchParams(
    Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== ""),
  ).toString() : "";
  location.hash = `#${path}${search ? `?${search}` : ""}`;
}
