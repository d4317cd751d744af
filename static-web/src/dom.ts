/** A small DOM builder: h("p", { class: "x" }, "text", child). Text is always set as text, never as HTML. */
type Attrs = Record<string, string | boolean | number | undefined | null | ((e: Event) => void)>;
type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "style") {
      // Through the CSSOM: the Content-Security-Policy (style-src 'self') blocks style attributes, not this.
      el.style.cssText = String(value);
    } else if (typeof value === "function") {
      el.addEventListener(name.replace(/^on/, "").toLowerCase(), value as EventListener);
    } else if (value === true) {
      el.setAttribute(name, "");
    } else {
      el.setAttribute(name, String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export function replace(target: Element, ...children: (Child | Child[])[]): void {
  target.replaceChildren(...children.flat().filter((c): c is Node | string => c !== null && c !== undefined && c !== false).map((c) => (c instanceof Node ? c : String(c))));
}

let ids = 0;
export function uid(prefix: string): string {
  return `${prefix}-${++ids}`;
}
