import { bookingPage } from "./booking";
import { managePage } from "./manage";

/** book.html serves two routes: /book/<handle> (booking) and /booking#<token> (the booker's own link). */
const root = document.getElementById("book")!;
const path = location.pathname.replace(/\/+$/, "");
if (/^\/booking$/i.test(path)) {
  addEventListener("hashchange", () => location.reload());
  void managePage(root);
} else {
  const handle = decodeURIComponent(path.split("/").pop() ?? "");
  void bookingPage(root, handle);
}
